"""The losses a cross-check runs on, their starts, and their gradients in float64 and exactly.

Default: the lecture's loss :math:`(1 - w_1 w_2)^2`, Rosenbrock, a badly scaled quadratic
(one gradient 100 times smaller than the other, which is where eps shows) and a small tanh
network fitted to three points. A user's losses are :class:`~symopt.loss.Loss` objects or text
read by symopt's own parser.

>>> [p.name for p in default_problems()]
['lecture', 'rosenbrock', 'scaled-quadratic', 'tanh-network']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import sympy as sp

from ..loss import Loss, as_loss

__all__ = ["Problem", "default_problems", "make_problems"]


@dataclass(frozen=True)
class Problem:
    """A loss and one start; ``grad`` is its compiled float64 gradient."""

    name: str
    loss: Loss
    start: np.ndarray
    grad: Callable[[np.ndarray], np.ndarray] = field(repr=False, compare=False)

    @property
    def polynomial(self) -> bool:
        """True when the loss is a polynomial in its parameters (exact rational steps)."""
        return bool(self.loss.expr.is_polynomial(*self.loss.params))

    def exact_gradient(self, point: Sequence[Any], rational: bool) -> np.ndarray:
        """The gradient at exact ``point``: Fractions (polynomial loss) or mpmath numbers."""
        if rational:
            values = {p: sp.Rational(v.numerator, v.denominator)
                      for p, v in zip(self.loss.params, point)}
            exact = [sp.Rational(entry.xreplace(values)) for entry in self.loss.gradient]
            return np.array([Fraction(int(q.p), int(q.q)) for q in exact], dtype=object)
        function = _mpmath_gradient(self.loss)
        return np.array(function(*point), dtype=object).reshape(-1)


def _mpmath_gradient(loss: Loss) -> Callable:
    return sp.lambdify(loss.params, list(loss.gradient), modules="mpmath")


def _problem(name: str, loss: Loss, start: Sequence[float]) -> Problem:
    from ..numeric import compile as compile_loss
    start_array = np.array(start, dtype=np.float64)
    if start_array.shape != (loss.n_params,):
        raise ValueError(f"start {list(start)} has {start_array.size} numbers but the loss "
                         f"{name!r} has {loss.n_params} parameters "
                         f"({', '.join(map(str, loss.params))}); pass one number per parameter")
    compiled = compile_loss(loss)
    return Problem(name, loss, start_array, compiled.grad)


def default_problems() -> list[Problem]:
    """The four default losses, one start each."""
    network = Loss.from_model("v*tanh(w*x + b)", data={"x": [-1, 0.5, 2], "y": [-0.5, 0.3, 0.8]},
                              params=["w", "b", "v"])
    return [
        _problem("lecture", Loss.parse("(1 - w1*w2)**2"), [0.3, -1.2]),
        _problem("rosenbrock", Loss.parse("(1 - x)**2 + 100*(y - x**2)**2"), [-0.5, 0.8]),
        _problem("scaled-quadratic", Loss.parse("x**2/200 + 50*y**2"), [1.0, 0.3]),
        _problem("tanh-network", network, [0.5, -0.2, 1.0]),
    ]


def make_problems(losses: Any = None, starts: Any = None) -> list[Problem]:
    """Problems from ``losses`` (Loss, text, a list or a name -> loss mapping; None: the
    defaults) and ``starts`` (a list of start vectors used for every loss; None: a fixed
    start per loss)."""
    if losses is None and starts is None:
        return default_problems()
    if losses is None:
        named = {p.name: p.loss for p in default_problems()}
    elif isinstance(losses, Mapping):
        named = {str(k): _as_loss(v) for k, v in losses.items()}
    elif isinstance(losses, (Loss, str)):
        named = {"loss": _as_loss(losses)}
    else:
        named = {f"loss{i + 1}": _as_loss(v) for i, v in enumerate(losses)}
    problems: list[Problem] = []
    for name, loss in named.items():
        if starts is None:
            points = [np.linspace(0.4, 1.3, loss.n_params)]
        else:
            points = [np.atleast_1d(np.asarray(s, dtype=np.float64)) for s in starts]
        for index, point in enumerate(points):
            label = name if len(points) == 1 else f"{name}#{index + 1}"
            problems.append(_problem(label, loss, point))
    return problems


def _as_loss(value: Any) -> Loss:
    return as_loss(value, "a cross-check")
