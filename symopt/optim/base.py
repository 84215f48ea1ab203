"""The optimizer protocol: (init, update) pairs, their composition with chain, apply_updates.

An optimizer is a :class:`GradientTransformation`: two pure functions

* ``init(params) -> state``
* ``update(grads, state, params) -> (updates, new_state)``

``params``, ``grads`` and ``updates`` are float64 arrays of one shape: ``(n,)`` for one point,
``(k, n)`` for ``k`` points run together, or any other shape (every transform here is
elementwise). ``state`` is a NamedTuple of arrays and numbers. ``update`` never modifies its
arguments; it returns new arrays. The new parameters are ``apply_updates(params, updates)``,
i.e. ``params + updates``: the learning rate and its sign live in the updates.

>>> import numpy as np
>>> from symopt import optim
>>> opt = optim.gd(0.1)
>>> params = np.array([1.0, -2.0])
>>> state = opt.init(params)
>>> updates, state = opt.update(2 * params, state, params)   # gradient of |x|^2
>>> optim.apply_updates(params, updates)
array([ 0.8, -1.6])
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Protocol

import numpy as np

__all__ = [
    "GradientTransformation",
    "NamedOptimizer",
    "Params",
    "Updates",
    "chain",
    "apply_updates",
    "named",
]

Params = np.ndarray
Updates = np.ndarray
State = Any


class InitFn(Protocol):
    def __call__(self, params: Params) -> State: ...


class UpdateFn(Protocol):
    def __call__(self, grads: Updates, state: State,
                 params: Params | None = None) -> tuple[Updates, State]: ...


class GradientTransformation(NamedTuple):
    """A pair of pure functions ``init(params) -> state`` and
    ``update(grads, state, params) -> (updates, new_state)``.

    Examples
    --------
    >>> import numpy as np
    >>> double = GradientTransformation(lambda p: (), lambda g, s, p=None: (2 * g, s))
    >>> double.update(np.ones(2), double.init(np.ones(2)))
    (array([2., 2.]), ())
    """

    init: Callable[[Params], State]
    update: Callable[..., tuple[Updates, State]]


class NamedOptimizer(GradientTransformation):
    """A :class:`GradientTransformation` that also knows its name, hyper-parameters and rule.

    Returned by every named optimizer (:func:`symopt.optim.adam`, ...). ``rule`` is the exact
    update rule as LaTeX, the same string as ``symopt.optim.RULES[name]``.

    Examples
    --------
    >>> from symopt import optim
    >>> opt = optim.sgd(0.1, momentum=0.9)
    >>> opt.name, opt.hyperparams["momentum"]
    ('sgd', 0.9)
    >>> opt.rule == optim.RULES["sgd"]
    True
    """

    name: str
    rule: str
    hyperparams: dict[str, Any]

    def __repr__(self) -> str:
        hyperparams = getattr(self, "hyperparams", {})
        args = ", ".join(f"{key}={value!r}" for key, value in hyperparams.items())
        return f"{getattr(self, 'name', 'NamedOptimizer')}({args})"


def named(transform: GradientTransformation, name: str, rule: str,
          **hyperparams: Any) -> NamedOptimizer:
    """Attach a name, its rule and hyper-parameters to ``transform``.

    Examples
    --------
    >>> from symopt.optim import transforms as T
    >>> opt = named(T.scale_by_learning_rate(0.1), "gd", r"\\theta_{t+1} = ...", lr=0.1)
    >>> opt
    gd(lr=0.1)
    """
    result = NamedOptimizer(transform.init, transform.update)
    result.name = name
    result.rule = rule
    result.hyperparams = hyperparams
    return result


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply transforms one after the other: the updates of one are the input of the next.

    The state is the tuple of the transforms' states.

    Parameters
    ----------
    *transforms : GradientTransformation
        At least one.

    Returns
    -------
    GradientTransformation

    Examples
    --------
    >>> import numpy as np
    >>> from symopt.optim import transforms as T
    >>> opt = chain(T.trace(0.9), T.scale_by_learning_rate(0.1))   # heavy ball
    >>> x = np.array([1.0])
    >>> state = opt.init(x)
    >>> u, state = opt.update(np.array([1.0]), state, x)
    >>> u, state = opt.update(np.array([1.0]), state, x)
    >>> u
    array([-0.19])
    """
    if not transforms:
        raise ValueError("chain needs at least one transform, e.g. "
                         "chain(trace(0.9), scale_by_learning_rate(0.01))")
    for position, transform in enumerate(transforms):
        if not (callable(getattr(transform, "init", None))
                and callable(getattr(transform, "update", None))):
            raise TypeError(f"chain argument {position} is {transform!r}, not a "
                            "GradientTransformation; pass objects with init and update, "
                            "e.g. symopt.optim.transforms.scale_by_adam()")
    if len(transforms) == 1:
        return GradientTransformation(transforms[0].init, transforms[0].update)
    inits = tuple(transform.init for transform in transforms)

    def init(params: Params) -> tuple[State, ...]:
        return tuple(init_one(params) for init_one in inits)

    return GradientTransformation(init, _chained_update([t.update for t in transforms]))


def _fusable(first: Callable, second: Callable) -> bool:
    """Can ``second`` (a learning-rate scaling) be folded into ``first``'s final multiply?"""
    return getattr(first, "accepts_factor", False) and hasattr(second, "next_factor")


def _chained_update(updates: list[Callable]) -> Callable:
    """The update of a chain, fusing "transform, then multiply by -lr" pairs.

    A transform whose update ends with a multiplication by a scalar (marked
    ``update.accepts_factor``, e.g. Adam's bias correction) takes the next transform's
    learning-rate factor (``update.next_factor(state) -> (factor, new_state)``) into that
    multiplication: one pass over the arrays fewer per step, same result up to rounding.
    ``donate=True`` is passed on to the transforms that take it (``update.donates_state``);
    the chain's output is fresh (``update.fresh_output``) when its last transform's is.
    """
    count = len(updates)
    if count == 2 and _fusable(updates[0], updates[1]):
        scaled, next_factor = updates[0], updates[1].next_factor

        def update_pair(grads: Updates, state: tuple[State, ...], params: Params | None = None,
                        donate: bool = False) -> tuple[Updates, tuple[State, ...]]:
            factor, rate_state = next_factor(state[1])
            grads, first_state = scaled(grads, state[0], params, factor, donate)
            return grads, (first_state, rate_state)

        update_pair.donates_state = True  # type: ignore[attr-defined]
        update_pair.fresh_output = getattr(scaled, "fresh_output", False)  # type: ignore
        return update_pair

    # (position, update, next_factor or None, takes donate)
    stages: list[tuple[int, Callable, Callable | None, bool]] = []
    position = 0
    while position < count:
        this = updates[position]
        takes_donate = getattr(this, "donates_state", False)
        if position + 1 < count and _fusable(this, updates[position + 1]):
            stages.append((position, this, updates[position + 1].next_factor, takes_donate))
            position += 2
        else:
            stages.append((position, this, None, takes_donate))
            position += 1

    def update(grads: Updates, state: tuple[State, ...], params: Params | None = None,
               donate: bool = False) -> tuple[Updates, tuple[State, ...]]:
        new_state = list(state)
        for at, update_one, next_factor, takes_donate in stages:
            if next_factor is not None:
                factor, new_state[at + 1] = next_factor(state[at + 1])
                grads, new_state[at] = update_one(grads, state[at], params, factor, donate)
            elif donate and takes_donate:
                grads, new_state[at] = update_one(grads, state[at], params, donate=True)
            else:
                grads, new_state[at] = update_one(grads, state[at], params)
        return grads, tuple(new_state)

    update.donates_state = True  # type: ignore[attr-defined]
    update.fresh_output = getattr(updates[-1], "fresh_output", False)  # type: ignore
    return update


def apply_updates(params: Params, updates: Updates) -> Params:
    """Return ``params + updates`` as a new float64 array.

    Examples
    --------
    >>> import numpy as np
    >>> apply_updates(np.array([1.0, 2.0]), np.array([-0.5, 0.5]))
    array([0.5, 2.5])
    """
    params = np.asarray(params, dtype=np.float64)
    updates = np.asarray(updates, dtype=np.float64)
    if params.shape != updates.shape:
        raise ValueError(f"updates have shape {updates.shape} but params have shape "
                         f"{params.shape}; pass the updates returned for these params")
    return np.add(params, updates)
