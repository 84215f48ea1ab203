"""The records of an analysis: Classification, CriticalPoint, CriticalFamily, CriticalSet.

Records are frozen and keep their evidence: a :class:`CriticalPoint` holds the
:class:`Classification` that decided its kind (characteristic polynomial, coefficient
signs, inertia, eigenpairs, higher-order form) rather than copies of its fields.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterator

import sympy as sp

from .status import Status, as_status

__all__ = ["Kind", "Classification", "CriticalPoint", "FamilyPiece", "CriticalFamily",
           "CriticalSet"]


class Kind(str, Enum):
    """What a critical point is.  ``MIXED`` is for a family whose pieces differ."""

    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    SADDLE = "saddle"
    INCONCLUSIVE = "inconclusive"
    MIXED = "mixed"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, kw_only=True)
class Classification:
    """The kind of a critical point and the evidence that decides it.

    Attributes
    ----------
    kind, degenerate, reason
        The verdict and why, in words.
    charpoly : tuple of sympy.Expr
        Coefficients of det(lambda*I - H), highest degree first (exact numbers; for a
        point with algebraic coordinates, polynomials in its CRootOf).
    signs : tuple of int or None
        Their exact signs (None: undecided).
    inertia : (positive, negative, zero) or None
        Eigenvalue counts, from Descartes' rule on ``signs``.
    eigenvalues : tuple
        Ascending; exact where SymPy finds them, else 30-digit Floats.
    eigenvectors : tuple of tuples
        A unit eigenvector for each eigenvalue (same order).
    escape_directions : tuple of tuples
        Unit eigenvectors of the negative eigenvalues, first nonzero coordinate positive.
    higher_order : sympy.Expr or None
        Lowest-order form of the loss on the centre manifold (degenerate points).
    order : int or None
        Its degree.
    descent_curve : tuple or None
        A curve in ``t`` along which the loss falls (saddles without negative eigenvalue).
    """

    kind: Kind
    degenerate: bool
    reason: str
    inertia: tuple[int, int, int] | None = None
    eigenvalues: tuple[sp.Expr, ...] = ()
    escape_directions: tuple[tuple[sp.Expr, ...], ...] = ()
    charpoly: tuple[sp.Expr, ...] = ()
    signs: tuple[int | None, ...] = ()
    eigenvectors: tuple[tuple[sp.Expr, ...], ...] = ()
    higher_order: sp.Expr | None = None
    order: int | None = None
    descent_curve: tuple[sp.Expr, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "degenerate": self.degenerate,
            "reason": self.reason,
            "inertia": None if self.inertia is None else list(self.inertia),
            "charpoly": [str(c) for c in self.charpoly],
            "signs": list(self.signs),
            "higher_order": None if self.higher_order is None else str(self.higher_order),
            "order": self.order,
        }


def _floats(values) -> tuple[float, ...]:
    return tuple(float(sp.N(v, 30)) for v in values)


@dataclass(frozen=True, kw_only=True)
class CriticalPoint:
    """An isolated critical point and its :class:`Classification`.

    ``coords`` are exact SymPy numbers in ``loss.params`` order (rational, radical or
    CRootOf) when ``exact`` is true, else high-precision Floats of a verified numerical
    root.
    """

    coords: tuple[sp.Expr, ...]
    numeric: tuple[float, ...]
    value: sp.Expr
    classification: Classification
    exact: bool = True
    # how to get exact coordinates when ``coords`` are numbers (see exact_coords); kept
    # out of comparisons and repr, and picklable
    _exact: Any = field(default=None, compare=False, repr=False)

    def exact_coords(self, timeout: float | None = 30) -> tuple[sp.Expr, ...]:
        """Exact coordinates, computed on first call and kept: rationals, radicals or
        ``CRootOf`` (a minimal polynomial and the index of the root).

        ``coords`` themselves when the point is already exact.  For a point certified by
        a box (``exact`` false) the exact form is derived within ``timeout`` seconds;
        raises :class:`~symopt.errors.BudgetExceeded` when that runs out and
        :class:`~symopt.errors.AlgorithmFailure` when it cannot be derived.
        """
        if self.exact:
            return self.coords
        if self._exact is None:
            from .errors import AlgorithmFailure

            raise AlgorithmFailure("this point was located numerically (not by an exact "
                                   "solver): it has no exact coordinates")
        return self._exact.resolve(timeout)

    @property
    def kind(self) -> Kind:
        return self.classification.kind

    @property
    def degenerate(self) -> bool:
        return self.classification.degenerate

    @property
    def eigenvalues(self) -> tuple[sp.Expr, ...]:
        return self.classification.eigenvalues

    @property
    def escape_directions(self) -> tuple[tuple[sp.Expr, ...], ...]:
        return self.classification.escape_directions

    @property
    def reason(self) -> str:
        return self.classification.reason

    @property
    def inertia(self) -> tuple[int, int, int] | None:
        return self.classification.inertia

    @property
    def descent_curve(self) -> tuple[sp.Expr, ...] | None:
        return self.classification.descent_curve

    @property
    def higher_order(self) -> sp.Expr | None:
        return self.classification.higher_order

    @property
    def numeric_value(self) -> float:
        return float(sp.N(self.value, 30))

    @property
    def eigenvalues_numeric(self) -> tuple[float, ...]:
        return _floats(self.eigenvalues)

    @property
    def escape_directions_numeric(self) -> tuple[tuple[float, ...], ...]:
        return tuple(_floats(d) for d in self.escape_directions)

    @property
    def negative_eigenvalues(self) -> tuple[sp.Expr, ...]:
        count = self.inertia[1] if self.inertia is not None else len(self.escape_directions)
        return tuple(self.eigenvalues[:count])[: len(self.escape_directions)]

    def predicted_loss(self, step: float, direction: int = 0) -> float:
        """Second-order prediction L(p + a*u) ~ L(p) + lambda*a**2/2 along escape direction u."""
        if not self.escape_directions:
            raise ValueError("this point has no negative-curvature direction to step along")
        lam = float(sp.N(self.negative_eigenvalues[direction], 30))
        return self.numeric_value + lam * step * step / 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "coords": [str(c) for c in self.coords],
            "numeric": list(self.numeric),
            "value": str(self.value),
            "value_numeric": self.numeric_value,
            "kind": self.kind.value,
            "degenerate": self.degenerate,
            "eigenvalues": [str(v) for v in self.eigenvalues],
            "eigenvalues_numeric": list(self.eigenvalues_numeric),
            "escape_directions": [[str(c) for c in d] for d in self.escape_directions],
            "escape_directions_numeric": [list(d) for d in self.escape_directions_numeric],
            "exact": self.exact,
            "reason": self.reason,
            "descent_curve": None if self.descent_curve is None else [str(c) for c in self.descent_curve],
            "classification": self.classification.to_dict(),
        }


@dataclass(frozen=True, kw_only=True)
class FamilyPiece:
    """The part of a family where ``condition`` holds, and the kind of its points.

    ``condition`` is an exact SymPy relation (or ``True``) in the loss's parameters,
    read together with the family's equations, e.g. ``x - 5 > 0`` on ``y = 0``.
    """

    condition: sp.Basic
    kind: Kind
    degenerate: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"condition": str(self.condition), "kind": self.kind.value,
                "degenerate": self.degenerate, "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class CriticalFamily:
    """A positive-dimensional set of critical points: the real common zeros of ``equations``.

    ``pieces`` split it where the kind changes (exact conditions); ``kind`` is the kind of
    every piece when they agree, ``Kind.MIXED`` when they differ.  ``sample_points`` are
    exact witness points on the family.  ``complete`` says the family is the whole real
    solution set of its equations with nothing hidden, and every piece is decided (or
    honestly inconclusive).
    """

    equations: tuple[sp.Expr, ...]
    dimension: int
    kind: Kind
    degenerate: bool
    reason: str
    pieces: tuple[FamilyPiece, ...] = ()
    sample_points: tuple[tuple[sp.Expr, ...], ...] = ()
    sample_eigenvalues: tuple[tuple[sp.Expr, ...], ...] = ()
    value: sp.Expr | None = None  # the loss on the family, when it is constant there
    global_minimum: bool = False
    certified: bool = True
    region: sp.Basic = sp.true  # piecewise losses: where this family lies

    @property
    def complete(self) -> bool:
        return self.certified

    def to_dict(self) -> dict[str, Any]:
        return {
            "equations": [str(e) for e in self.equations],
            "dimension": self.dimension,
            "kind": self.kind.value,
            "degenerate": self.degenerate,
            "global_minimum": self.global_minimum,
            "value": None if self.value is None else str(self.value),
            "reason": self.reason,
            "pieces": [p.to_dict() for p in self.pieces],
            "complete": self.certified,
            "region": str(self.region),
            "sample_points": [[str(c) for c in p] for p in self.sample_points],
            "sample_eigenvalues": [[str(v) for v in e] for e in self.sample_eigenvalues],
        }


@dataclass(frozen=True, kw_only=True)
class CriticalSet:
    """The critical points and families of a loss, and whether the list is proven complete.

    ``status`` is a :class:`~symopt.Status`; ``complete`` is ``status is Status.COMPLETE``.
    """

    loss: Any
    points: tuple[CriticalPoint, ...]
    families: tuple[CriticalFamily, ...]
    method: str
    status: Status
    notes: tuple[str, ...] = ()
    elapsed: float = 0.0
    box: tuple[tuple[float, float], ...] | None = None
    failures: tuple[str, ...] = field(default=())
    # exact symmetries of a polynomial loss (signed permutations, see symopt.symmetry) and
    # the orbits of ``points`` under them (tuples of indices into ``points``)
    symmetries: tuple[Any, ...] = ()
    orbits: tuple[tuple[int, ...], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            object.__setattr__(self, "status", as_status(self.status))

    @property
    def complete(self) -> bool:
        return self.status is Status.COMPLETE

    def __iter__(self) -> Iterator[CriticalPoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def of_kind(self, kind: Kind | str) -> tuple[CriticalPoint, ...]:
        kind = Kind(kind)
        return tuple(p for p in self.points if p.kind is kind)

    @property
    def saddles(self) -> tuple[CriticalPoint, ...]:
        return self.of_kind(Kind.SADDLE)

    @property
    def minima(self) -> tuple[CriticalPoint, ...]:
        return self.of_kind(Kind.MINIMUM)

    @property
    def maxima(self) -> tuple[CriticalPoint, ...]:
        return self.of_kind(Kind.MAXIMUM)

    def to_dict(self) -> dict[str, Any]:
        return {
            "expr": str(self.loss.expr),
            "written": str(getattr(self.loss, "written", None) or self.loss.expr),
            "params": [p.name for p in self.loss.params],
            "points": [p.to_dict() for p in self.points],
            "families": [f.to_dict() for f in self.families],
            "complete": self.complete,
            "status": self.status.value,
            "method": self.method,
            "notes": list(self.notes),
            "failures": list(self.failures),
            "symmetries": [{"perm": list(g.perm), "signs": list(g.signs)}
                           for g in self.symmetries],
            "orbits": [list(o) for o in self.orbits],
            "elapsed_seconds": round(self.elapsed, 4),
        }

    def _repr_latex_(self) -> str:
        # display only: the renderer sits above the core and is reached by name
        return importlib.import_module("symopt.report.display").render(self, "latex")

    def _repr_markdown_(self) -> str:
        return importlib.import_module("symopt.report.display").render(self, "markdown")

    def __str__(self) -> str:
        from .summary import critical_set_text

        return critical_set_text(self)

    def __repr__(self) -> str:
        from .summary import plural

        return (f"CriticalSet({plural(len(self.points), 'point')}, "
                f"{plural(len(self.families), 'family', 'families')}, "
                f"status={self.status.value}, method={self.method!r})")
