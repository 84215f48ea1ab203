"""A sweep's durable results: a Parquet dataset directory, one file per finished task.

Layout of ``out/``::

    _manifest.json                       the sweep's key, the symopt version, the task count
    part-0000000-<task key>.parquet      rows of run task 0 (file names sort in task order)
    ...
    _analyses/loss-000-<task key>.parquet  the exact critical points of loss 0

Files are written to a temporary name and renamed, so a file that exists is complete. Names
starting with ``_`` are skipped by Parquet readers, so ``pandas.read_parquet(out)`` reads the
rows alone, in task order.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterable

from .landmarks import Landmark, Landmarks

__all__ = ["Store", "MANIFEST", "FORMAT"]

MANIFEST = "_manifest.json"
ANALYSES = "_analyses"
FORMAT = "symopt-sweep/1"


def _refuse(path: Path, what: str) -> FileExistsError:
    return FileExistsError(f"{path} {what}; pass overwrite=True (--force on the command line) "
                           "to replace it, or choose another out")


class Store:
    """The directory ``path`` for the sweep whose key is ``sweep_key``.

    Opening it creates the directory, resumes it when its manifest has the same key, replaces
    it when ``overwrite`` is true, and otherwise refuses any existing path.
    """

    def __init__(self, path: str | os.PathLike, sweep_key: str, task_count: int,
                 version: str, overwrite: bool = False) -> None:
        self.path = Path(path)
        self.sweep_key = sweep_key
        self.resumed = False
        manifest = {"format": FORMAT, "sweep": sweep_key, "symopt": version,
                    "tasks": task_count}
        self._open(manifest, overwrite)

    # -- opening
    def _open(self, manifest: dict[str, Any], overwrite: bool) -> None:
        path = self.path
        if path.is_dir() and (path / MANIFEST).is_file():
            try:
                found = json.loads((path / MANIFEST).read_text())
            except (OSError, ValueError):
                found = {}
            if found.get("format") == FORMAT and found.get("sweep") == self.sweep_key:
                self.resumed = True
                (path / ANALYSES).mkdir(exist_ok=True)
                return
            if not overwrite:
                raise _refuse(path, "holds the results of a different sweep (other losses, "
                                    "optimizers, starts, settings or symopt version)")
            shutil.rmtree(path)
        elif path.is_dir() and any(path.iterdir()):
            raise FileExistsError(f"{path} is a directory with other files in it, not a symopt "
                                  "sweep; choose another out (symopt does not delete "
                                  "directories it did not write)")
        elif path.exists() and not path.is_dir():
            if not overwrite:
                raise _refuse(path, "exists and is a file")
            path.unlink()
        (path / ANALYSES).mkdir(parents=True, exist_ok=True)
        self._write_text(path / MANIFEST, json.dumps(manifest, indent=1))

    @staticmethod
    def _write_text(target: Path, text: str) -> None:
        temporary = target.with_name(f".tmp-{target.name}")
        temporary.write_text(text)
        os.replace(temporary, target)

    @staticmethod
    def _write_table(target: Path, table: Any) -> None:
        import pyarrow.parquet as pq
        temporary = target.with_name(f".tmp-{target.name}")
        pq.write_table(table, temporary)
        os.replace(temporary, target)

    # -- names
    def run_file(self, index: int, key: str) -> Path:
        return self.path / f"part-{index:07d}-{key}.parquet"

    def analysis_file(self, index: int, key: str) -> Path:
        return self.path / ANALYSES / f"loss-{index:03d}-{key}.parquet"

    def finished(self, files: Iterable[Path]) -> set[Path]:
        """Which of ``files`` exist (finished tasks)."""
        present = set(self.path.glob("part-*.parquet")) | set(
            (self.path / ANALYSES).glob("loss-*.parquet"))
        return {file for file in files if file in present}

    # -- runs
    def write_run(self, index: int, key: str, table: Any) -> None:
        self._write_table(self.run_file(index, key), table)

    def read_run(self, index: int, key: str) -> Any:
        import pyarrow.parquet as pq
        return pq.read_table(self.run_file(index, key))

    # -- analyses
    def write_analysis(self, index: int, key: str, landmarks: Landmarks) -> None:
        import pyarrow as pa
        marks = landmarks.landmarks
        table = pa.table({
            "label": pa.array([m.label for m in marks], pa.string()),
            "kind": pa.array([m.kind for m in marks], pa.string()),
            "coords": pa.array([None if m.coords is None else list(m.coords) for m in marks],
                               pa.list_(pa.float64())),
            "equations": pa.array([list(m.equations) for m in marks], pa.list_(pa.string())),
        }).replace_schema_metadata({"status": landmarks.status, "note": landmarks.note})
        self._write_table(self.analysis_file(index, key), table)

    def read_analysis(self, index: int, key: str) -> Landmarks:
        import pyarrow.parquet as pq
        table = pq.read_table(self.analysis_file(index, key))
        meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
        rows = table.to_pylist()
        marks = tuple(Landmark(row["label"], row["kind"],
                               None if row["coords"] is None else tuple(row["coords"]),
                               tuple(row["equations"])) for row in rows)
        return Landmarks(meta.get("status", "failed"), marks, meta.get("note", ""))
