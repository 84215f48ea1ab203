"""Files the commands read and write: size and encoding checks in, no silent overwrite out."""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["read_text", "write_output", "check_output_path", "MAX_INPUT_BYTES"]

#: Input files larger than this are refused (the commands read small tables).
MAX_INPUT_BYTES = 8 * 1024 * 1024


def read_text(path: str, what: str = "file", limit: int = MAX_INPUT_BYTES) -> str:
    """The UTF-8 text of ``path`` (a leading BOM dropped), refused with one line when it is
    too large, not UTF-8, or holds NUL characters."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except IsADirectoryError:
        raise ValueError(f"cannot read {path}: it is a folder; give a {what}") from None
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise ValueError(f"{path} is larger than {limit // (1024 * 1024)} MB; give a smaller "
                         f"{what}")
    if b"\x00" in raw:
        raise ValueError(f"{path} holds NUL bytes: it is not a text {what}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text (byte {exc.start + 1}); save the {what} as "
                         "UTF-8") from None
    return text.removeprefix("\ufeff")


def check_output_path(path: str, force: bool = False) -> Path:
    """``path`` if a file may be written there; else ValueError with one line saying why."""
    target = Path(path)
    if not path or path.endswith(os.sep):
        raise ValueError(f"cannot write {path!r}: give a file name, e.g. {path or './'}out.md")
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise ValueError(f"cannot write {path}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ValueError(f"cannot write {path}: it is a folder; give a file name inside it")
    if mode is not None and stat.S_ISREG(mode) and not force:
        raise ValueError(f"{path} exists; pass --force to overwrite it")
    parent = target.parent
    if not parent.is_dir():
        raise ValueError(f"cannot write {path}: the folder {parent} does not exist; create it "
                         "first")
    return target


def write_output(path: str, data: str | bytes, force: bool = False) -> Path:
    """Write ``data`` to ``path`` (never over an existing file unless ``force``); return it.

    The file is complete or absent: a failed write (a full disk) removes what it began.
    """
    target = check_output_path(path, force)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    created = not target.exists()
    regular = created or target.is_file()
    try:
        with open(target, "wb" if force or not regular else "xb") as handle:
            handle.write(payload)
    except FileExistsError:
        raise ValueError(f"{path} exists; pass --force to overwrite it") from None
    except OSError as exc:
        if created:
            try:
                target.unlink()
            except OSError:
                pass
        raise ValueError(f"cannot write {path}: {exc.strerror or exc}") from None
    return target
