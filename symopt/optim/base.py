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

from typing import Any, Callable, Mapping, NamedTuple, Protocol

import numpy as np

__all__ = [
    "GradientTransformation",
    "NamedOptimizer",
    "Hints",
    "Params",
    "Updates",
    "chain",
    "apply_updates",
    "named",
]

Params = Any     # an array of the run's namespace: NumPy float/object array or jax.Array
Updates = Any
State = Any


class InitFn(Protocol):
    def __call__(self, params: Params) -> State: ...


class UpdateFn(Protocol):
    def __call__(self, grads: Updates, state: State,
                 params: Params | None = None) -> tuple[Updates, State]: ...


class Hints(NamedTuple):
    """What an ``update`` declares about itself, so :func:`chain` and :func:`symopt.run` can
    save array passes. Every field is optional; the defaults promise nothing.

    Attributes
    ----------
    donates_state : bool
        ``update`` accepts ``donate=True``: the caller gives up the old state, whose NumPy
        arrays may then be overwritten by the new state.
    fresh_output : bool
        The updates returned are a new array no state references: the caller may overwrite it.
    accepts_factor : bool
        ``update(grads, state, params, factor, donate)`` multiplies its output by the scalar
        ``factor`` (Adam's bias correction folds the learning rate in this way).
    next_factor : callable or None
        This transform only multiplies by a scalar: ``next_factor(state) -> (factor,
        new_state)`` gives it, so a preceding transform that accepts a factor can apply it.
    """

    donates_state: bool = False
    fresh_output: bool = False
    accepts_factor: bool = False
    next_factor: Callable[[State], tuple[Any, State]] | None = None


class GradientTransformation(NamedTuple):
    """A pair of pure functions ``init(params) -> state`` and
    ``update(grads, state, params) -> (updates, new_state)``, plus declared :class:`Hints`.

    Examples
    --------
    >>> import numpy as np
    >>> double = GradientTransformation(lambda p: (), lambda g, s, p=None: (2 * g, s))
    >>> double.update(np.ones(2), double.init(np.ones(2)))
    (array([2., 2.]), ())
    """

    init: Callable[[Params], State]
    update: Callable[..., tuple[Updates, State]]
    hints: Hints = Hints()


#: The constructor of each named optimizer by name (filled by :mod:`symopt.optim.named`).
BUILDERS: dict[str, Callable[..., "NamedOptimizer"]] = {}


class NamedOptimizer(NamedTuple):
    """An optimizer that knows its name, hyper-parameters and rule: all real fields.

    Returned by every named optimizer (:func:`symopt.optim.adam`, ...). ``rule`` is the exact
    update rule as LaTeX, the same string as ``symopt.optim.RULES[name]``. ``_replace`` keeps
    every field; :meth:`with_hyperparams` builds the same optimizer with other values.

    Examples
    --------
    >>> from symopt import optim
    >>> opt = optim.sgd(0.1, momentum=0.9)
    >>> opt.name, opt.hyperparams["momentum"]
    ('sgd', 0.9)
    >>> opt.rule == optim.RULES["sgd"]
    True
    >>> opt.with_hyperparams(momentum=0.5)
    sgd(lr=constant(lr=0.1), momentum=0.5, dampening=0.0, nesterov=False, weight_decay=0.0)
    """

    init: Callable[[Params], State]
    update: Callable[..., tuple[Updates, State]]
    name: str
    hyperparams: Mapping[str, Any]
    rule: str
    hints: Hints = Hints()

    def with_hyperparams(self, **changes: Any) -> "NamedOptimizer":
        """The optimizer of the same name built with ``changes`` applied to its
        hyper-parameters (validated again)."""
        build = BUILDERS.get(self.name)
        if build is None:
            raise ValueError(f"{self.name!r} is not a named optimizer of symopt.optim; build "
                             "it again with its own constructor")
        unknown = sorted(set(changes) - set(self.hyperparams))
        if unknown:
            raise TypeError(f"{self.name} has no hyper-parameter {unknown[0]!r}; it has "
                            f"{', '.join(self.hyperparams)}")
        return build(**{**dict(self.hyperparams), **changes})

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.hyperparams.items())
        return f"{self.name}({args})"


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
    return NamedOptimizer(transform.init, transform.update, name, dict(hyperparams), rule,
                          getattr(transform, "hints", Hints()))


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
        only = transforms[0]
        return GradientTransformation(only.init, only.update, getattr(only, "hints", Hints()))
    inits = tuple(transform.init for transform in transforms)

    def init(params: Params) -> tuple[State, ...]:
        return tuple(init_one(params) for init_one in inits)

    parts = [(t.update, getattr(t, "hints", Hints())) for t in transforms]
    update = _chained_update(parts)
    fused_pair = len(parts) == 2 and _fusable(parts[0][1], parts[1][1])
    last = parts[0][1] if fused_pair else parts[-1][1]
    return GradientTransformation(init, update, Hints(donates_state=True,
                                                      fresh_output=last.fresh_output))


def _fusable(first: Hints, second: Hints) -> bool:
    """Can ``second`` (a learning-rate scaling) be folded into ``first``'s final multiply?"""
    return first.accepts_factor and second.next_factor is not None


def _chained_update(parts: list[tuple[Callable, Hints]]) -> Callable:
    """The update of a chain, fusing "transform, then multiply by -lr" pairs.

    A transform whose update ends with a multiplication by a scalar (``hints.accepts_factor``,
    e.g. Adam's bias correction) takes the next transform's learning-rate factor
    (``hints.next_factor(state) -> (factor, new_state)``) into that multiplication: one pass
    over the arrays fewer per step, same result up to rounding. ``donate=True`` is passed on
    to the transforms that take it (``hints.donates_state``).
    """
    count = len(parts)
    if count == 2 and _fusable(parts[0][1], parts[1][1]):
        scaled, next_factor = parts[0][0], parts[1][1].next_factor
        assert next_factor is not None

        def update_pair(grads: Updates, state: tuple[State, ...], params: Params | None = None,
                        donate: bool = False) -> tuple[Updates, tuple[State, ...]]:
            factor, rate_state = next_factor(state[1])
            grads, first_state = scaled(grads, state[0], params, factor, donate)
            return grads, (first_state, rate_state)

        return update_pair

    # (position, update, next_factor or None, takes donate)
    stages: list[tuple[int, Callable, Callable | None, bool]] = []
    position = 0
    while position < count:
        this, hints = parts[position]
        if position + 1 < count and _fusable(hints, parts[position + 1][1]):
            stages.append((position, this, parts[position + 1][1].next_factor,
                           hints.donates_state))
            position += 2
        else:
            stages.append((position, this, None, hints.donates_state))
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

    return update


def apply_updates(params: Params, updates: Updates) -> Params:
    """Return ``params + updates`` as a new array of the same namespace.

    Examples
    --------
    >>> import numpy as np
    >>> apply_updates(np.array([1.0, 2.0]), np.array([-0.5, 0.5]))
    array([0.5, 2.5])
    """
    if np.shape(params) != np.shape(updates):
        raise ValueError(f"updates have shape {np.shape(updates)} but params have shape "
                         f"{np.shape(params)}; pass the updates returned for these params")
    if isinstance(params, (list, tuple)):
        params = np.asarray(params, dtype=np.float64)
    return params + updates
