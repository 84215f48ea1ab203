"""Loss diagnosis: the lecture's procedure for a training run that disappoints.

Given runs (model name, size, training loss; optionally validation and test losses and
whether the test data come from another distribution), :func:`diagnose` applies the
lecture's rules (section 1), in its order:

1. **optimization issue**: a bigger model reaches a *higher* training loss than a smaller
   one (the bigger model could at least copy the smaller one, so its optimizer failed);
2. **model bias**: otherwise, when even the lowest training loss is large;
3. **overfitting**: a small training loss with a much larger validation loss;
4. **mismatch**: a validation loss that is fine and a much worse test loss, with the
   test data from another distribution;
5. otherwise **no problem found**.

Runs come from Python (dicts or :class:`Run`) or from a CSV file (:func:`read_runs`)
with the columns ``model,size,train_loss,val_loss,test_loss,distribution_shift``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

__all__ = ["Run", "Evidence", "Diagnosis", "diagnose", "read_runs", "VERDICTS", "REMEDIES",
           "COLUMNS", "LARGE_LOSS", "OVERFIT_RATIO", "MISMATCH_RATIO", "MAX_CSV_BYTES",
           "MAX_EVIDENCE_LINES", "terminal_safe"]

#: Default thresholds.  A training loss above ``LARGE_LOSS`` is large: set it to the loss
#: your task counts as good enough (e.g. a simple baseline's).  "Much larger" means by
#: more than the factor ``OVERFIT_RATIO`` (validation vs training) or ``MISMATCH_RATIO``
#: (test vs validation).
LARGE_LOSS = 1.0
OVERFIT_RATIO = 2.0
MISMATCH_RATIO = 2.0

#: Evidence lines printed by :meth:`Diagnosis.format` unless ``verbose``.
MAX_EVIDENCE_LINES = 10
#: Largest CSV file :func:`read_runs` reads, in bytes (about a million runs).
MAX_CSV_BYTES = 64 * 2**20

VERDICTS = ("optimization issue", "model bias", "overfitting", "mismatch", "no problem found")

#: The lecture's remedies (section 1; for optimization, the tools of sections 3, 4 and 6).
REMEDIES: dict[str, tuple[str, ...]] = {
    "model bias": (
        "give the model more features",
        "use a deeper network (more layers) or more neurons",
        "use a more flexible model"),
    "optimization issue": (
        "start from smaller or shallower models, which are easier to optimise, and compare",
        ("improve the optimizer: momentum, adaptive learning rates (Adagrad, RMSProp, Adam), "
         "learning-rate decay and warm-up"),
        ("rescale the features or add batch normalization so one learning rate fits all "
         "directions")),
    "overfitting": (
        "collect more training data",
        "use data augmentation",
        ("constrain the model: fewer parameters, shared parameters, fewer features, "
         "regularisation, early stopping, dropout")),
    "mismatch": (
        "more data from the training distribution does not help",
        "obtain training data from the distribution the test data come from",
        "learn how the training and the test data were produced, and make them alike"),
    "no problem found": (),
}

#: The CSV columns: the first three are required.
COLUMNS = ("model", "size", "train_loss", "val_loss", "test_loss", "distribution_shift")
_REQUIRED = COLUMNS[:3]
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


@dataclass(frozen=True)
class Run:
    """One trained model: its name, size (parameters or depth) and losses."""

    model: str
    size: float
    train_loss: float
    val_loss: float | None = None
    test_loss: float | None = None
    distribution_shift: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model.strip():
            raise ValueError(f"a run needs a model name, got {self.model!r}")
        _number("size", self.size, self.model)
        for name in ("train_loss", "val_loss", "test_loss"):
            value = getattr(self, name)
            if value is None and name != "train_loss":
                continue
            if _number(name, value, self.model) < 0:
                raise ValueError(f"run {self.model!r}: {name} {value!r} is negative; "
                                 "losses are at least 0")
        if not isinstance(self.distribution_shift, bool):
            raise TypeError(f"run {self.model!r}: distribution_shift must be True or False, "
                            f"got {self.distribution_shift!r}")

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> Run:
        unknown = sorted(set(row) - set(COLUMNS))
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r} in run {dict(row)!r}; the fields "
                             f"are {', '.join(COLUMNS)}")
        missing = [k for k in _REQUIRED if row.get(k) is None]
        if missing:
            raise ValueError(f"run {dict(row)!r} has no {missing[0]!r}; give "
                             f"{', '.join(_REQUIRED)}")
        return cls(**dict(row))


def _number(name: str, value: Any, model: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"run {model!r}: {name} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Evidence:
    """One comparison behind a verdict: the runs it looked at, what it compared, numbers."""

    runs: tuple[str, ...]
    comparison: str
    numbers: tuple[tuple[str, float], ...]

    def __str__(self) -> str:
        values = ", ".join(f"{k} = {v:g}" for k, v in self.numbers)
        return f"{self.comparison} [{', '.join(self.runs)}: {values}]"


@dataclass(frozen=True)
class Diagnosis:
    """The verdict, the evidence for it, and the lecture's remedies."""

    verdict: str
    evidence: tuple[Evidence, ...]
    remedies: tuple[str, ...]
    thresholds: tuple[tuple[str, float], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict,
                "evidence": [{"runs": list(e.runs), "comparison": e.comparison,
                              "numbers": dict(e.numbers)} for e in self.evidence],
                "remedies": list(self.remedies), "thresholds": dict(self.thresholds)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def format(self, verbose: bool = False, max_evidence: int = MAX_EVIDENCE_LINES) -> str:
        """The diagnosis as text for a terminal: the verdict, evidence and remedies.

        At most ``max_evidence`` evidence lines are shown, followed by how many more
        there are, unless ``verbose``.  Model names are escaped, so control characters
        (terminal escape sequences) are shown as ``\\x1b`` and never sent.
        """
        shown = self.evidence if verbose else self.evidence[:max_evidence]
        lines = [f"diagnosis: {self.verdict}"]
        lines += [f"  evidence: {terminal_safe(str(e))}" for e in shown]
        hidden = len(self.evidence) - len(shown)
        if hidden:
            lines.append(f"  ... and {hidden:,} more comparisons of the same kind "
                         "(show all with verbose=True, or --verbose on the command line)")
        lines += [f"  remedy: {r}" for r in self.remedies]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


def terminal_safe(text: str) -> str:
    """``text`` with control and other unprintable characters written as escapes.

    Examples
    --------
    >>> terminal_safe("net\\x1b[2Jv2")
    'net\\\\x1b[2Jv2'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def _as_runs(runs: Iterable[Run | Mapping[str, Any]]) -> list[Run]:
    if isinstance(runs, (str, bytes, Mapping)):
        raise TypeError("runs must be a list of Run objects or dicts, one per trained model")
    result = []
    for item in runs:
        if isinstance(item, Run):
            result.append(item)
        elif isinstance(item, Mapping):
            result.append(Run.from_mapping(item))
        else:
            raise TypeError(f"a run must be a Run or a dict, got {type(item).__name__}")
    if not result:
        raise ValueError("no runs given; give at least one run with model, size, train_loss")
    return result


def diagnose(runs: Iterable[Run | Mapping[str, Any]], *, large_loss: float = LARGE_LOSS,
             overfit_ratio: float = OVERFIT_RATIO,
             mismatch_ratio: float = MISMATCH_RATIO) -> Diagnosis:
    """Diagnose a set of training runs with the lecture's rules.

    Parameters
    ----------
    runs : iterable of Run or dict
        Each with ``model``, ``size``, ``train_loss`` and optionally ``val_loss``,
        ``test_loss``, ``distribution_shift``.
    large_loss : float
        A training loss above this is large (default ``LARGE_LOSS`` = 1.0; set it to the
        loss your task counts as good enough).
    overfit_ratio : float
        Overfitting when ``val_loss > overfit_ratio * train_loss`` (default 2).
    mismatch_ratio : float
        Mismatch when ``test_loss > mismatch_ratio * val_loss`` for a run whose test data
        come from another distribution (default 2).

    Returns
    -------
    Diagnosis

    Examples
    --------
    >>> d = diagnose([{"model": "20 layers", "size": 20, "train_loss": 0.2},
    ...               {"model": "56 layers", "size": 56, "train_loss": 0.4}], large_loss=0.1)
    >>> d.verdict
    'optimization issue'
    >>> print(d.evidence[0])
    bigger model has higher training loss [20 layers, 56 layers: size small = 20, size big = 56, train small = 0.2, train big = 0.4]
    >>> diagnose([Run("net", 1e4, train_loss=0.01, val_loss=0.5)]).verdict
    'overfitting'
    """
    for name, value, low in (("large_loss", large_loss, 0.0), ("overfit_ratio", overfit_ratio, 1.0),
                             ("mismatch_ratio", mismatch_ratio, 1.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= low \
                or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number >= {low:g}, got {value!r}")
    items = _as_runs(runs)
    thresholds = (("large_loss", float(large_loss)), ("overfit_ratio", float(overfit_ratio)),
                  ("mismatch_ratio", float(mismatch_ratio)))

    def verdict(name: str, evidence: list[Evidence]) -> Diagnosis:
        return Diagnosis(name, tuple(evidence), REMEDIES[name], thresholds)

    # 1. optimization issue: a bigger model fits the training data worse than a smaller one
    pairs = _inversions(items)
    if pairs:
        evidence = [Evidence((s.model, b.model), "bigger model has higher training loss",
                             (("size small", s.size), ("size big", b.size),
                              ("train small", s.train_loss), ("train big", b.train_loss)))
                    for s, b in sorted(pairs, key=lambda p: p[0].train_loss - p[1].train_loss)]
        return verdict("optimization issue", evidence)
    # 2. model bias: no model reaches a small training loss
    best = min(items, key=lambda r: r.train_loss)
    if best.train_loss > large_loss:
        return verdict("model bias", [Evidence(
            tuple(r.model for r in items), "lowest training loss is large",
            (("lowest train", best.train_loss), ("large_loss", float(large_loss))))])
    small = [r for r in items if r.train_loss <= large_loss]
    # 3. overfitting: small training loss, much larger validation loss
    overfit = [r for r in small if r.val_loss is not None
               and r.val_loss > overfit_ratio * r.train_loss]
    if overfit:
        evidence = [Evidence((r.model,), "validation loss much larger than training loss",
                             (("train", r.train_loss), ("val", r.val_loss),
                              ("ratio", _ratio(r.val_loss, r.train_loss))))
                    for r in sorted(overfit, key=lambda r: -_ratio(r.val_loss, r.train_loss))]
        return verdict("overfitting", evidence)
    # 4. mismatch: validation fine, test much worse, test data from another distribution
    worse = [r for r in small if r.val_loss is not None and r.test_loss is not None
             and r.test_loss > mismatch_ratio * r.val_loss]
    shifted = [r for r in worse if r.distribution_shift]
    if shifted:
        evidence = [Evidence((r.model,), "test loss much larger than validation loss under a "
                             "distribution change",
                             (("val", r.val_loss), ("test", r.test_loss),
                              ("ratio", _ratio(r.test_loss, r.val_loss))))
                    for r in shifted]
        return verdict("mismatch", evidence)
    evidence = [Evidence((r.model,), "test loss much larger than validation loss, but no "
                         "distribution change is noted: check how the test data were "
                         "produced (a change means mismatch)",
                         (("val", r.val_loss), ("test", r.test_loss)))
                for r in worse]
    return verdict("no problem found", evidence)


def _inversions(items: list[Run]) -> list[tuple[Run, Run]]:
    """For each run, the smaller run with the lowest training loss if that is lower than its own.

    One pass over the runs sorted by size with the running best of the strictly smaller
    ones: O(n log n), and one comparison per bigger model, the strongest one (not every
    pair, which would be quadratic).
    """
    ordered = sorted(items, key=lambda r: r.size)
    pairs: list[tuple[Run, Run]] = []
    best: Run | None = None  # lowest training loss among strictly smaller runs
    start = 0
    while start < len(ordered):
        end = start
        while end < len(ordered) and ordered[end].size == ordered[start].size:
            end += 1
        group = ordered[start:end]
        if best is not None:
            pairs += [(best, big) for big in group if big.train_loss > best.train_loss]
        lowest = min(group, key=lambda r: r.train_loss)
        if best is None or lowest.train_loss < best.train_loss:
            best = lowest
        start = end
    return pairs


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.inf


# ----------------------------------------------------------------------------- CSV input

def _parse_flag(text: str, line: int, source: str) -> bool:
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"{source}, line {line}: distribution_shift {text!r} is not yes/no "
                     "(use yes, no, true, false, 1 or 0)")


def _parse_number(text: str, column: str, line: int, source: str, *,
                  loss: bool) -> float | None:
    stripped = text.strip()
    if not stripped:
        if column in _REQUIRED:
            raise ValueError(f"{source}, line {line}: {column} is empty; every run needs "
                             f"{', '.join(_REQUIRED)}")
        return None
    try:
        value = float(stripped)
    except ValueError:
        raise ValueError(f"{source}, line {line}: {column} {stripped!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{source}, line {line}: {column} {stripped!r} is not a finite number")
    if loss and value < 0:
        raise ValueError(f"{source}, line {line}: {column} {stripped} is negative; "
                         "losses are at least 0")
    return value


def read_runs(source: str | os.PathLike[str] | io.TextIOBase, *,
              max_bytes: int = MAX_CSV_BYTES) -> list[Run]:
    """Read runs from a CSV file with a header line.

    Columns (any order): ``model``, ``size``, ``train_loss`` (required), ``val_loss``,
    ``test_loss`` (numbers, may be empty), ``distribution_shift`` (yes/no, true/false,
    1/0; empty means no).  Errors are one line naming the line of the file.  At most
    ``max_bytes`` are read (default :data:`MAX_CSV_BYTES`): a larger input, or an endless
    one such as ``/dev/zero``, is refused without reading the rest.

    Examples
    --------
    >>> runs = read_runs(io.StringIO("model,size,train_loss\\nsmall,10,0.5\\n"))
    >>> runs[0]
    Run(model='small', size=10.0, train_loss=0.5, val_loss=None, test_loss=None, distribution_shift=False)
    """
    name, text = _read_text(source, max_bytes)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ValueError(f"{name} is empty; it needs a header line "
                         f"({','.join(COLUMNS)}) and one line per run")
    if "\x00" in text:
        raise ValueError(f"{name}, line {text.count(chr(10), 0, text.index(chr(0))) + 1}: "
                         "a NUL character; this is not a text CSV file")
    return _read_rows(name, text)


def _read_text(source: str | os.PathLike[str] | io.TextIOBase, max_bytes: int) -> tuple[str, str]:
    """The source's name and text, at most ``max_bytes`` of it, or a one-line ValueError."""
    too_large = ("{name} is larger than {size:,} bytes; give a smaller file or raise max_bytes")
    if isinstance(source, io.TextIOBase):
        text = source.read(max_bytes + 1)
        if len(text) > max_bytes:
            raise ValueError(too_large.format(name="<input>", size=max_bytes))
        return "<input>", text
    path = os.fspath(source)
    name = terminal_safe(str(path))
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ValueError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise ValueError(too_large.format(name=name, size=max_bytes))
    try:
        return name, data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"cannot read {name}: it is not UTF-8 text; save it as a "
                         "UTF-8 CSV file") from None


def _rows(reader: Any, name: str) -> Iterator[list[str]]:
    """The reader's rows; the csv module's errors (e.g. a field over 131,072 characters)
    become one-line ValueErrors naming the line."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"{name}, line {reader.line_num}: {exc}; check the quoting (a "
                             f"field holds at most {csv.field_size_limit():,} characters)"
                             ) from None
        yield cells


def _read_rows(name: str, text: str) -> list[Run]:
    """The runs of a CSV text (BOM removed)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = _rows(reader, name)
    header = [h.strip() for h in next(rows)]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ValueError(f"{name}, line 1: unknown column {unknown[0]!r}; the columns are "
                         f"{', '.join(COLUMNS)}")
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ValueError(f"{name}, line 1: column {duplicated[0]!r} appears twice")
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise ValueError(f"{name}, line 1: missing column {missing[0]!r}; the header needs "
                         f"{', '.join(_REQUIRED)}")
    runs = []
    for cells in rows:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ValueError(f"{name}, line {line}: {len(cells)} fields, but the header has "
                             f"{len(header)} ({','.join(header)})")
        row = dict(zip(header, cells))
        model = row["model"].strip()
        if not model:
            raise ValueError(f"{name}, line {line}: model is empty; name each run")
        values: dict[str, Any] = {"model": model}
        for column in ("size", "train_loss", "val_loss", "test_loss"):
            if column in row:
                values[column] = _parse_number(row[column], column, line, name,
                                               loss=column != "size")
        if "distribution_shift" in row:
            values["distribution_shift"] = _parse_flag(row["distribution_shift"], line, name)
        runs.append(Run(**values))
    if not runs:
        raise ValueError(f"{name} has a header but no runs; add one line per trained model")
    return runs

