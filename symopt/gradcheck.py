"""Gradient checking: a user's gradient against the exact one, compiled derivatives
against central finite differences, with a report naming the worst point and entry.

Both checks return records of the same kind, :class:`GradientCheck`: per-entry
absolute and relative errors, the worst entry, and ``ok`` under the tolerances
``|actual - expected| <= atol + rtol * |expected|`` (the rule of ``numpy.allclose``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .loss import Loss
    from .numeric import NumericLoss

__all__ = ["GradientCheck", "FiniteDifferenceCheck", "check_gradient",
           "check_finite_differences"]


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """How far computed derivatives are from reference derivatives at some points.

    Attributes
    ----------
    quantity : str
        ``"gradient"`` or ``"Hessian"``.
    checked, reference : str
        What was checked against what, e.g. ``"user gradient"`` and ``"exact gradient"``.
    params : tuple of str
        Parameter names, naming the coordinates in the report.
    points : ndarray, shape (k, n)
        The points checked.
    expected, actual : ndarray, shape (k, n) or (k, n, n)
        Reference and checked values.
    abs_errors : ndarray
        ``|actual - expected|`` per entry.
    rel_errors : ndarray
        ``|actual - expected| / max(|actual|, |expected|)`` per entry (0 where both are 0).
    point_errors : ndarray, shape (k,)
        The largest absolute error at each point.
    max_abs_error, max_rel_error : float
        Largest errors over all entries (NaN if any value is NaN).
    worst_index : tuple of int
        ``(point, coordinate)`` (gradient) or ``(point, row, column)`` (Hessian) of the
        entry furthest outside its tolerance.
    worst_point : ndarray, shape (n,)
        The coordinates of that point.
    ok : bool
        Every entry is finite and within ``atol + rtol * |expected|``.
    rtol, atol : float
        The tolerances used.
    """

    quantity: str
    checked: str
    reference: str
    params: tuple[str, ...]
    points: np.ndarray
    expected: np.ndarray
    actual: np.ndarray
    abs_errors: np.ndarray
    rel_errors: np.ndarray
    point_errors: np.ndarray
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]
    worst_point: np.ndarray
    ok: bool
    rtol: float
    atol: float

    @property
    def n_points(self) -> int:
        return int(self.points.shape[0])

    @property
    def failed_points(self) -> np.ndarray:
        """Indices of the points with at least one entry outside the tolerance."""
        allowed = self.atol + self.rtol * np.abs(self.expected)
        bad = ~(self.abs_errors <= allowed)
        return np.flatnonzero(bad.reshape(self.n_points, -1).any(axis=1))

    def _entry_name(self) -> str:
        names = self.params
        if len(self.worst_index) == 2:
            i = self.worst_index[1]
            return f"coordinate {names[i]} (index {i})"
        i, j = self.worst_index[1:]
        return f"entry ({names[i]}, {names[j]}) (index [{i}, {j}])"

    def report(self) -> str:
        """A readable summary naming the worst point and coordinate."""
        k = self.n_points
        tolerances = f"rtol={self.rtol:g}, atol={self.atol:g}"
        if self.ok:
            head = (f"{self.quantity} check passed: {self.checked} matches the "
                    f"{self.reference} at {k} point(s) ({tolerances})")
        else:
            head = (f"{self.quantity} check FAILED: {self.checked} differs from the "
                    f"{self.reference} at {len(self.failed_points)} of {k} point(s) "
                    f"({tolerances})")
        p = self.worst_index[0]
        coords = ", ".join(f"{name}={value + 0.0:.6g}" for name, value in
                           zip(self.params, self.worst_point))
        return "\n".join([
            head,
            f"  max abs error {self.max_abs_error:.3g}, max rel error {self.max_rel_error:.3g}",
            f"  worst: point {p}, {self._entry_name()}: expected "
            f"{self.expected[self.worst_index] + 0.0:.10g}, "  # + 0.0 shows -0.0 as 0
            f"got {self.actual[self.worst_index] + 0.0:.10g}",
            f"  point {p}: ({coords})",
        ])

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        return (f"GradientCheck(quantity={self.quantity!r}, ok={self.ok}, "
                f"max_abs_error={self.max_abs_error:.3g}, "
                f"max_rel_error={self.max_rel_error:.3g}, worst_index={self.worst_index})")


@dataclass(frozen=True, eq=False)
class FiniteDifferenceCheck:
    """Gradient and Hessian of a compiled loss checked against central differences.

    Attributes
    ----------
    gradient : GradientCheck
        ``grad`` against central differences of ``value``.
    hessian : GradientCheck or None
        ``hess`` against central differences of ``grad`` (None when not checked).
    steps : ndarray, shape (k, n)
        The step used for each coordinate at each point.
    """

    gradient: GradientCheck
    hessian: GradientCheck | None
    steps: np.ndarray

    @property
    def ok(self) -> bool:
        return self.gradient.ok and (self.hessian is None or self.hessian.ok)

    def report(self) -> str:
        parts = [self.gradient.report()]
        if self.hessian is not None:
            parts.append(self.hessian.report())
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.report()


def check_gradient(loss: "Loss | NumericLoss", user_grad: Callable[[np.ndarray], Any],
                   points: Any = None, *, n_points: int = 20, box: float = 2.0,
                   seed: int = 0, rtol: float = 1e-6, atol: float = 1e-8,
                   samples: Any = None, vectorized: bool | None = None) -> GradientCheck:
    """Compare a hand-written gradient with the exact gradient of a loss.

    Parameters
    ----------
    loss : Loss or NumericLoss
        The loss whose exact gradient is the reference (compiled if needed).
    user_grad : callable
        Takes one point, an array of shape ``(n,)``, and returns ``n`` numbers in
        ``loss.params`` order; or takes a batch ``(k, n)`` and returns ``(k, n)``.
    points : array_like of shape (k, n) or (n,), optional
        Where to compare.  Default: ``n_points`` seeded random points in
        ``[-box, box]^n``.
    n_points, box, seed
        The random points, when ``points`` is not given.
    rtol, atol : float
        An entry passes when ``|user - exact| <= atol + rtol * |exact|``.
    samples : array of int, optional
        For a data loss, compare against the gradient over these samples only.
    vectorized : bool, optional
        True: call ``user_grad`` once with all points; False: once per point.
        Default: per point, falling back to one batch call if that fails.

    Returns
    -------
    GradientCheck

    Examples
    --------
    >>> from symopt import Loss
    >>> loss = Loss.parse("(1 - w1*w2)**2")
    >>> def wrong(t):  # the second entry forgets the factor w1
    ...     w1, w2 = t
    ...     return [-2 * w2 * (1 - w1 * w2), -2 * (1 - w1 * w2)]
    >>> check = check_gradient(loss, wrong)
    >>> check.ok, check.worst_index[1]
    (False, 1)
    >>> check_gradient(loss, lambda t: [-2*t[1]*(1 - t[0]*t[1]), -2*t[0]*(1 - t[0]*t[1])]).ok
    True
    """
    compiled = _compiled(loss)
    n = compiled.n_params
    pts = _check_points(points, n, compiled.params, n_points, box, seed)
    _check_tolerances(rtol, atol)
    expected = compiled.grad(pts, samples=samples)
    actual = _call_user_grad(user_grad, pts, n, compiled.params, vectorized)
    return _compare("gradient", "user gradient", "exact gradient", compiled.params, pts,
                    expected, actual, rtol, atol)


def check_finite_differences(f: "NumericLoss | Loss", points: Any = None, *, h: Any = None,
                             n_points: int = 20, box: float = 2.0, seed: int = 0,
                             rtol: float = 1e-5, atol: float = 1e-6, samples: Any = None,
                             hessian: bool = True) -> FiniteDifferenceCheck:
    """Check compiled derivatives against central finite differences.

    ``grad`` is compared with central differences of ``value``, and ``hess`` with
    central differences of ``grad``:
    ``(g(theta + h_j e_j) - g(theta - h_j e_j)) / (2 h_j)``.

    Parameters
    ----------
    f : NumericLoss or Loss
        The compiled loss (a Loss is compiled).  Any object with ``value``, ``grad``,
        ``hess`` and ``n_params`` in the NumericLoss shape conventions works.
    points : array_like of shape (k, n) or (n,), optional
        Where to check.  Default: ``n_points`` seeded random points in ``[-box, box]^n``.
    h : float or array_like of shape (n,), optional
        Step per coordinate.  Default: ``eps**(1/3) * max(1, |theta_j|)``, which
        balances truncation and rounding error of central differences.
    rtol, atol : float
        An entry passes when ``|computed - differences| <= atol + rtol * |differences|``.
    samples : array of int, optional
        For a data loss, check the loss over these samples.
    hessian : bool
        Also check ``hess`` (default True).

    Returns
    -------
    FiniteDifferenceCheck

    Examples
    --------
    >>> from symopt import Loss, compile
    >>> check = check_finite_differences(compile(Loss.parse("exp(w1) * sin(w2)")))
    >>> check.ok
    True
    """
    compiled = _compiled(f)
    n = int(compiled.n_params)
    names = tuple(getattr(compiled, "params", None) or (f"theta{i}" for i in range(n)))
    pts = _check_points(points, n, names, n_points, box, seed)
    _check_tolerances(rtol, atol)
    steps = _steps(h, pts)
    # shifted[p, j] is point p with coordinate j moved by +-h_j; the realised step
    # (plus - minus) is exact in floating point, so divide by it rather than by 2h
    plus = pts[:, None, :] + np.eye(n) * steps[:, None, :]
    minus = pts[:, None, :] - np.eye(n) * steps[:, None, :]
    width = np.diagonal(plus - minus, axis1=1, axis2=2)
    kwargs = {} if samples is None else {"samples": samples}
    fd_grad = (compiled.value(plus, **kwargs) - compiled.value(minus, **kwargs)) / width
    gradient = _compare("gradient", "grad", "central differences of value", names, pts,
                        fd_grad, np.asarray(compiled.grad(pts, **kwargs), dtype=float),
                        rtol, atol)
    hessian_check = None
    if hessian:
        # d g_i / d theta_j from rows j of the shifted gradients
        diff = compiled.grad(plus, **kwargs) - compiled.grad(minus, **kwargs)
        fd_hess = np.swapaxes(diff, 1, 2) / width[:, None, :]
        hessian_check = _compare("Hessian", "hess", "central differences of grad", names, pts,
                                 fd_hess, np.asarray(compiled.hess(pts, **kwargs), dtype=float),
                                 rtol, atol)
    return FiniteDifferenceCheck(gradient=gradient, hessian=hessian_check,
                                 steps=_frozen(steps))


# -- helpers ------------------------------------------------------------------------------
def _compiled(loss: Any) -> Any:
    from .loss import Loss
    from .numeric import compile as compile_loss

    if isinstance(loss, Loss):
        return compile_loss(loss)
    if all(hasattr(loss, name) for name in ("value", "grad", "n_params")):
        return loss
    raise TypeError(f"expected a symopt Loss or NumericLoss, got {type(loss).__name__}; "
                    "build one with Loss.parse('...') and symopt.compile(loss)")


def _check_points(points: Any, n: int, names: tuple[str, ...], n_points: int, box: float,
                  seed: int) -> np.ndarray:
    if points is None:
        if not (isinstance(n_points, (int, np.integer)) and n_points > 0):
            raise ValueError(f"n_points must be a positive integer, got {n_points!r}")
        if not (isinstance(box, (int, float, np.number)) and np.isfinite(box) and box > 0):
            raise ValueError(f"box must be a positive number, got {box!r}")
        rng = np.random.default_rng(seed)
        return rng.uniform(-box, box, size=(int(n_points), n))
    try:
        pts = np.array(points, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"points must be an array of real numbers of shape (k, {n}), "
                        f"got {points!r}") from None
    if pts.ndim == 1:
        pts = pts[None, :]
    if pts.ndim != 2 or pts.shape[1] != n:
        raise ValueError(f"points must have shape (k, {n}) for the {n} parameter(s) "
                         f"({', '.join(names)}), got shape {np.shape(points)}")
    if pts.shape[0] == 0:
        raise ValueError("points is empty; give at least one point")
    return pts


def _check_tolerances(rtol: float, atol: float) -> None:
    for label, value in (("rtol", rtol), ("atol", atol)):
        if not (isinstance(value, (int, float, np.number)) and value >= 0):
            raise ValueError(f"{label} must be a non-negative number, got {value!r}")


def _steps(h: Any, pts: np.ndarray) -> np.ndarray:
    if h is None:
        return np.finfo(float).eps ** (1 / 3) * np.maximum(1.0, np.abs(pts))
    steps = np.asarray(h, dtype=float)
    if steps.ndim > 1 or (steps.ndim == 1 and steps.shape[0] != pts.shape[1]):
        raise ValueError(f"h must be a number or one step per parameter (shape "
                         f"({pts.shape[1]},)), got shape {steps.shape}")
    if not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError(f"h must be positive and finite, got {h!r}")
    return np.broadcast_to(steps, pts.shape).copy()


def _as_values(result: Any, shapes: tuple[tuple[int, ...], ...], where: str) -> np.ndarray:
    """``result`` as a float array of one of ``shapes``; TypeError or ValueError if not."""
    if result is None:
        raise TypeError(f"user_grad returned None {where}")
    try:
        arr = np.asarray(result)
        if arr.dtype.kind == "c":
            raise TypeError("complex values")
        arr = arr.astype(float)
    except (TypeError, ValueError) as exc:
        shown = repr(result)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise TypeError(f"user_grad returned {type(result).__name__} {shown} {where}, "
                        f"which is not an array of real numbers ({exc})") from None
    if arr.shape not in shapes:
        raise ValueError(f"user_grad returned shape {arr.shape} {where}, expected {shapes[0]}")
    return arr


def _call_user_grad(user_grad: Callable[[np.ndarray], Any], pts: np.ndarray, n: int,
                    names: tuple[str, ...], vectorized: bool | None) -> np.ndarray:
    """The user's gradient at every point, shape (k, n): per point, or in one batch."""
    if not callable(user_grad):
        raise TypeError(f"user_grad must be a function, got {type(user_grad).__name__}")
    k = pts.shape[0]
    one_point = ((n,), (n, 1), (1, n)) + (((),) if n == 1 else ())
    expectation = (f"user_grad must take one point, an array of shape ({n},), and return "
                   f"{n} numbers (one per parameter), or take a batch of shape (k, {n}) "
                   f"and return shape (k, {n})")
    try:
        if vectorized:
            return _call_batch(user_grad, pts)
        try:
            rows = [_call_point(user_grad, pts, 0, names, one_point)]
        except (TypeError, ValueError) as per_point:
            if vectorized is False:
                raise
            try:
                return _call_batch(user_grad, pts)
            except (TypeError, ValueError) as batch:
                raise type(per_point)(
                    f"{per_point}; called once with all {k} points (shape ({k}, {n})), "
                    f"{batch}") from per_point.__cause__
        rows += [_call_point(user_grad, pts, p, names, one_point) for p in range(1, k)]
        return np.stack(rows)
    except (TypeError, ValueError) as failure:
        raise type(failure)(f"{failure}; {expectation}") from failure.__cause__


def _call_point(user_grad: Callable, pts: np.ndarray, p: int, names: tuple[str, ...],
                shapes: tuple[tuple[int, ...], ...]) -> np.ndarray:
    point = pts[p].copy()
    where = f"at point {p} ({', '.join(f'{a}={b:.6g}' for a, b in zip(names, point))})"
    try:
        result = user_grad(point)
    except Exception as exc:
        raise ValueError(f"user_grad raised {type(exc).__name__}: {exc} {where}") from exc
    return _as_values(result, shapes, where).reshape(len(names))


def _call_batch(user_grad: Callable, pts: np.ndarray) -> np.ndarray:
    where = f"for a batch of shape {pts.shape}"
    try:
        result = user_grad(pts.copy())
    except Exception as exc:
        raise ValueError(f"user_grad raised {type(exc).__name__}: {exc} {where}") from exc
    return _as_values(result, (pts.shape,), where)


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, dtype=float)
    arr.setflags(write=False)
    return arr


def _compare(quantity: str, checked: str, reference: str, names: tuple[str, ...],
             pts: np.ndarray, expected: np.ndarray, actual: np.ndarray, rtol: float,
             atol: float) -> GradientCheck:
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_errors = np.abs(actual - expected)
        scale = np.maximum(np.abs(actual), np.abs(expected))
        rel_errors = np.where(scale > 0, abs_errors / np.where(scale > 0, scale, 1.0), 0.0)
        rel_errors = np.where(np.isnan(abs_errors), np.nan, rel_errors)
        allowed = atol + rtol * np.abs(expected)
        within = abs_errors <= allowed
        # how far outside its tolerance each entry is; NaN and inf count as worst
        excess = np.where(allowed > 0, abs_errors / np.where(allowed > 0, allowed, 1.0),
                          np.where(abs_errors > 0, np.inf, 0.0))
    excess = np.where(np.isfinite(excess), excess, np.inf)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
    k = pts.shape[0]
    return GradientCheck(
        quantity=quantity, checked=checked, reference=reference, params=tuple(names),
        points=_frozen(pts), expected=_frozen(expected), actual=_frozen(actual),
        abs_errors=_frozen(abs_errors), rel_errors=_frozen(rel_errors),
        point_errors=_frozen(abs_errors.reshape(k, -1).max(axis=1)),
        max_abs_error=float(abs_errors.max()), max_rel_error=float(rel_errors.max()),
        worst_index=worst, worst_point=_frozen(pts[worst[0]]),
        ok=bool(np.all(within) and np.all(np.isfinite(actual))), rtol=float(rtol),
        atol=float(atol))
