"""Tests of symopt.optim: PyTorch cross-checks, lecture equivalences, first steps, validation."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

from symopt import optim
from symopt.optim import transforms as T

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "torch_reference.npz"
STEPS = 100

# ----------------------------------------------------------------------------- test functions

def _reference_script() -> Any:
    """scripts/make_torch_reference.py as a module (it imports torch only when it runs torch)."""
    spec = importlib.util.spec_from_file_location("make_torch_reference",
                                                  ROOT / "scripts" / "make_torch_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The gradients and starts the references were made with, so gradients agree bit for bit.
REFERENCE_SCRIPT = _reference_script()
rosenbrock_grad = REFERENCE_SCRIPT.rosenbrock_grad
quadratic_grad = REFERENCE_SCRIPT.quadratic_grad
GRADIENTS = {name: grad for name, (grad, _) in REFERENCE_SCRIPT.FUNCTIONS.items()}
STARTS = {name: starts for name, (_, starts) in REFERENCE_SCRIPT.FUNCTIONS.items()}


def rosenbrock_value(theta: np.ndarray) -> np.ndarray:
    x, y = theta[..., 0], theta[..., 1]
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def bowl_value(theta: np.ndarray) -> np.ndarray:
    return theta[..., 0] ** 2 + 5.0 * theta[..., 1] ** 2


def bowl_grad(theta: np.ndarray) -> np.ndarray:
    return theta * np.array([2.0, 10.0])


def iterate(opt: optim.GradientTransformation, grad: Callable[[np.ndarray], np.ndarray],
            x0: Any, steps: int, state: Any = None) -> np.ndarray:
    """Iterates x_0 .. x_steps of ``opt``, shape (steps + 1, *x0.shape)."""
    x = np.array(x0, dtype=np.float64)
    state = opt.init(x) if state is None else state
    path = [x]
    for _ in range(steps):
        updates, state = opt.update(grad(x), state, x)
        x = optim.apply_updates(x, updates)
        path.append(x)
    return np.stack(path)


# ----------------------------------------------------------------------------- PyTorch references

def _load_reference() -> tuple[dict[str, Any], Any]:
    data = np.load(REFERENCE)
    return json.loads(str(data["cases"])), data


CASES, REFERENCE_DATA = _load_reference()


def symopt_optimizer(case: dict[str, Any]) -> optim.NamedOptimizer:
    """The symopt optimizer a reference case says equals its torch optimizer."""
    spec = case["symopt"]
    lr: Any = spec["lr"]
    if spec["schedule"] is not None:
        lr = getattr(optim, spec["schedule"]["name"])(**spec["schedule"]["kwargs"])
    return getattr(optim, spec["optimizer"])(lr, **spec["kwargs"])


def test_reference_file_is_small_and_covers_every_pytorch_form() -> None:
    assert REFERENCE.stat().st_size < 400_000
    torch_names = {case["torch"]["optimizer"] for case in CASES.values()}
    assert torch_names == {"SGD", "Adagrad", "RMSprop", "Adam", "AdamW"}
    schedulers = {case["torch"]["scheduler"]["name"] for case in CASES.values()
                  if case["torch"]["scheduler"]}
    assert schedulers == {"StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "LambdaLR"}
    assert len(CASES) >= 20


@pytest.mark.parametrize("function", sorted(GRADIENTS))
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_stored_torch_trajectory(name: str, function: str) -> None:
    reference = REFERENCE_DATA[f"{name}__{function}"]
    assert reference.shape == (STEPS + 1, 2, len(STARTS[function][0]))
    np.testing.assert_array_equal(reference[0], STARTS[function])
    path = iterate(symopt_optimizer(CASES[name]), GRADIENTS[function], STARTS[function], STEPS)
    assert np.abs(path - reference).max() <= 1e-12
    assert np.abs(reference[-1] - reference[0]).max() > 0.1      # the case does move


def test_live_torch_regenerates_the_references() -> None:
    pytest.importorskip("torch")
    script = REFERENCE_SCRIPT
    assert json.loads(json.dumps(script.CASES)) == CASES
    fresh = script.generate()
    for name, case in CASES.items():
        for function in GRADIENTS:
            live = fresh[f"{name}__{function}"]
            assert np.abs(live - REFERENCE_DATA[f"{name}__{function}"]).max() <= 1e-12
            path = iterate(symopt_optimizer(case), GRADIENTS[function], STARTS[function], STEPS)
            assert np.abs(path - live).max() <= 1e-12, (name, function)


# ----------------------------------------------------------------------------- lecture forms

@pytest.mark.parametrize("function", sorted(GRADIENTS))
def test_lecture_momentum_is_sgd_without_dampening(function: str) -> None:
    lr, decay = 1e-3, 0.8
    lecture = optim.momentum(lr, decay)
    torch_form = optim.sgd(lr, momentum=decay)
    x0 = np.array(STARTS[function])
    a = iterate(lecture, GRADIENTS[function], x0, STEPS)
    b = iterate(torch_form, GRADIENTS[function], x0, STEPS)
    assert np.abs(a - b).max() <= 1e-12
    # and the movement is m_t = -lr * b_t, the PyTorch momentum buffer
    x = x0
    lecture_state, torch_state = lecture.init(x), torch_form.init(x)
    for _ in range(5):
        _, lecture_state = lecture.update(GRADIENTS[function](x), lecture_state, x)
        updates, torch_state = torch_form.update(GRADIENTS[function](x), torch_state, x)
        x = x + updates
        np.testing.assert_allclose(lecture_state[1].momentum, -lr * torch_state[0].momentum,
                                   rtol=1e-14)


@pytest.mark.parametrize("function", sorted(GRADIENTS))
def test_lecture_adagrad_with_decaying_rate_is_pytorch_adagrad_without_eps(function: str) -> None:
    lr = 0.1
    lecture = optim.adagrad_lecture(lambda t: lr / math.sqrt(t + 1))
    torch_form = optim.adagrad(lr, eps=0.0)
    a = iterate(lecture, GRADIENTS[function], STARTS[function], STEPS)
    b = iterate(torch_form, GRADIENTS[function], STARTS[function], STEPS)
    assert np.abs(a - b).max() <= 1e-12


@pytest.mark.parametrize("function", sorted(GRADIENTS))
def test_lecture_rmsprop_is_pytorch_rmsprop_started_at_first_squared_gradient(
        function: str) -> None:
    lr, alpha = 1e-3, 0.9
    x0 = np.array(STARTS[function])
    torch_form = optim.rmsprop(lr, alpha=alpha, eps=0.0)
    rms_state, rate_state = torch_form.init(x0)
    started = (rms_state._replace(square_avg=GRADIENTS[function](x0) ** 2), rate_state)
    a = iterate(optim.rmsprop_lecture(lr, alpha), GRADIENTS[function], x0, STEPS)
    b = iterate(torch_form, GRADIENTS[function], x0, STEPS, state=started)
    assert np.abs(a - b).max() <= 1e-12


@pytest.mark.parametrize("make", [lambda: optim.adagrad_lecture(0.1),
                                  lambda: optim.rmsprop_lecture(0.1, 0.9)],
                         ids=["adagrad_lecture", "rmsprop_lecture"])
def test_lecture_forms_take_zero_over_zero_as_no_move(make: Callable) -> None:
    opt = make()
    x = np.array([1.0, 2.0])
    state = opt.init(x)
    updates, state = opt.update(np.array([0.0, 3.0]), state, x)      # sigma = (0, 3)
    assert updates[0] == 0 and np.isfinite(updates).all()
    assert updates[1] == pytest.approx(-0.1)
    updates, state = opt.update(np.array([2.0, 0.0]), state, x)      # first nonzero gradient
    assert np.isfinite(updates).all() and updates[0] < 0 and updates[1] == 0


@pytest.mark.parametrize("name", ["adagrad_lecture", "rmsprop_lecture"])
def test_lecture_docstrings_state_the_zero_division_convention(name: str) -> None:
    doc = getattr(optim, name).__doc__
    assert "Division by zero" in doc and "0/0 is\n    taken as 0" in doc


# ----------------------------------------------------------------------------- first steps by hand

G = np.array([3.0, -0.5, 1e-3])
THETA = np.array([1.0, -2.0, 0.5])


def first_update(opt: optim.GradientTransformation, grads: np.ndarray = G,
                 params: np.ndarray = THETA) -> np.ndarray:
    return opt.update(grads, opt.init(params), params)[0]


@pytest.mark.parametrize("opt, expected", [
    (optim.gd(0.1), -0.1 * G),
    (optim.momentum(0.1, 0.9), -0.1 * G),
    (optim.sgd(0.1), -0.1 * G),
    (optim.sgd(0.1, momentum=0.9), -0.1 * G),
    (optim.sgd(0.1, momentum=0.9, dampening=0.5), -0.1 * G),      # first buffer undamped
    (optim.sgd(0.1, momentum=0.9, nesterov=True), -0.1 * 1.9 * G),
    (optim.sgd(0.1, weight_decay=0.5), -0.1 * (G + 0.5 * THETA)),
    (optim.adagrad(0.1), -0.1 * G / (np.abs(G) + 1e-10)),
    (optim.adagrad(0.1, initial_accumulator_value=1.0, eps=0.0), -0.1 * G / np.sqrt(1 + G**2)),
    (optim.adagrad_lecture(0.1), -0.1 * np.sign(G)),
    (optim.rmsprop(0.01, alpha=0.99), -0.01 * G / (0.1 * np.abs(G) + 1e-8)),
    (optim.rmsprop(0.01, alpha=0.99, centered=True, eps=0.0),
     -0.01 * G / np.sqrt(0.01 * G**2 - 1e-4 * G**2)),
    (optim.rmsprop_lecture(0.1, 0.5), -0.1 * np.sign(G)),
    (optim.adam(0.1), -0.1 * G / (np.abs(G) + 1e-8)),
    (optim.adam(0.1, amsgrad=True), -0.1 * G / (np.abs(G) + 1e-8)),
    (optim.adam(0.1, weight_decay=0.5, eps=0.0), -0.1 * np.sign(G + 0.5 * THETA)),
    (optim.adamw(0.1, weight_decay=0.5, eps=0.0), -0.1 * (np.sign(G) + 0.5 * THETA)),
], ids=lambda value: repr(value)[:40] if isinstance(value, optim.NamedOptimizer) else "")
def test_first_update_by_hand(opt: optim.NamedOptimizer, expected: np.ndarray) -> None:
    np.testing.assert_allclose(first_update(opt), expected, rtol=1e-14, atol=0)


def test_adam_first_step_is_lr_times_sign_of_gradient_up_to_eps() -> None:
    updates = first_update(optim.adam(0.01))
    np.testing.assert_allclose(updates, -0.01 * np.sign(G), rtol=1e-5)


def test_second_steps_by_hand() -> None:
    g0, g1 = np.array([3.0]), np.array([4.0])
    x = np.zeros(1)

    def second(opt: optim.GradientTransformation) -> float:
        _, state = opt.update(g0, opt.init(x), x)
        return float(opt.update(g1, state, x)[0][0])

    assert second(optim.momentum(0.1, 0.5)) == pytest.approx(0.5 * -0.3 - 0.4, rel=1e-15)
    assert second(optim.sgd(0.1, momentum=0.5, dampening=0.2)) == pytest.approx(
        -0.1 * (0.5 * 3 + 0.8 * 4), rel=1e-15)
    assert second(optim.adagrad_lecture(0.1)) == pytest.approx(
        -0.1 * 4 / math.sqrt((9 + 16) / 2), rel=1e-15)
    assert second(optim.adagrad(0.1, lr_decay=0.5, eps=0.0)) == pytest.approx(
        -0.1 / 1.5 * 4 / 5, rel=1e-15)
    assert second(optim.rmsprop_lecture(0.1, 0.9)) == pytest.approx(
        -0.1 * 4 / math.sqrt(0.9 * 9 + 0.1 * 16), rel=1e-15)
    m = 0.1 * 3 * 0.9 + 0.1 * 4
    v = 0.001 * 9 * 0.999 + 0.001 * 16
    assert second(optim.adam(0.1, eps=0.0)) == pytest.approx(
        -0.1 * (m / (1 - 0.9**2)) / math.sqrt(v / (1 - 0.999**2)), rel=1e-14)


# ----------------------------------------------------------------------------- bowl and Rosenbrock

TABLE: list[tuple[str, Callable[[], optim.GradientTransformation], int]] = [
    ("gd", lambda: optim.gd(0.05), 1000),
    ("momentum", lambda: optim.momentum(0.02, 0.9), 1000),
    ("sgd", lambda: optim.sgd(0.05), 1000),
    ("sgd_nesterov", lambda: optim.sgd(0.02, momentum=0.9, nesterov=True), 1000),
    ("sgd_dampening_decay", lambda: optim.sgd(0.02, momentum=0.9, dampening=0.1,
                                              weight_decay=1e-3), 1000),
    ("adagrad_lecture", lambda: optim.adagrad_lecture(lambda t: 0.5 / math.sqrt(t + 1)), 2000),
    ("adagrad", lambda: optim.adagrad(0.5), 2000),
    ("rmsprop_lecture", lambda: optim.rmsprop_lecture(optim.cosine(0.02, 2000), 0.9), 2000),
    ("rmsprop", lambda: optim.rmsprop(optim.cosine(0.01, 2000), centered=True,
                                      momentum=0.5), 2000),
    ("adam", lambda: optim.adam(optim.cosine(0.05, 2000)), 2000),
    ("adam_amsgrad", lambda: optim.adam(optim.warmup_cosine(0.05, 50, 2000), amsgrad=True),
     2000),
    ("adamw", lambda: optim.adamw(optim.cosine(0.05, 2000), weight_decay=1e-3), 2000),
]


@pytest.mark.parametrize("name, make, steps", TABLE, ids=[row[0] for row in TABLE])
def test_every_optimizer_converges_on_a_convex_bowl(name: str, make: Callable,
                                                   steps: int) -> None:
    starts = np.array([[1.0, 1.0], [-2.0, 0.5], [0.3, -1.5]])
    path = iterate(make(), bowl_grad, starts, steps)
    assert bowl_value(path[-1]).max() < 1e-6, bowl_value(path[-1])


PLAIN_STEPS = {"gd", "sgd", "momentum", "sgd_nesterov", "sgd_dampening_decay"}


@pytest.mark.parametrize("name, make, steps", TABLE, ids=[row[0] for row in TABLE])
def test_every_optimizer_decreases_rosenbrock(name: str, make: Callable, steps: int) -> None:
    start = np.array([[-1.2, 1.0]])
    grad = rosenbrock_grad
    if name in PLAIN_STEPS:
        # the bowl's plain steps of 0.02 .. 0.05 are unstable on Rosenbrock (curvature ~1300):
        # run them on L / 100, which has the same minimiser
        grad = lambda x: rosenbrock_grad(x) / 100.0  # noqa: E731
    path = iterate(make(), grad, start, steps)
    assert np.isfinite(path).all()
    assert rosenbrock_value(path[-1])[0] < 0.2 * rosenbrock_value(start)[0]


def test_table_covers_every_named_optimizer() -> None:
    covered = {row[0].split("_")[0] for row in TABLE} | {row[0] for row in TABLE}
    assert set(optim.OPTIMIZERS) <= covered


# ----------------------------------------------------------------------------- protocol

ALL = [
    optim.gd(0.1), optim.momentum(0.1, 0.9), optim.sgd(0.1, 0.9, 0.1, False, 0.01),
    optim.sgd(0.1, momentum=0.9, nesterov=True), optim.adagrad_lecture(0.1),
    optim.adagrad(0.1, 0.1, 0.1, 0.2), optim.rmsprop_lecture(0.1, 0.9),
    optim.rmsprop(0.1, 0.9, 1e-8, 0.1, 0.9, True), optim.adam(0.1, amsgrad=True),
    optim.adam(0.1, weight_decay=0.1), optim.adamw(0.1, amsgrad=True),
    optim.chain(optim.identity(), optim.scale(2.0), optim.scale_by_adam(),
                optim.add_decayed_weights(0.1), optim.scale_by_learning_rate(0.1)),
]


def _arrays(tree: Any) -> list[np.ndarray]:
    if isinstance(tree, np.ndarray):
        return [tree]
    if isinstance(tree, tuple):
        return [array for item in tree for array in _arrays(item)]
    return []


@pytest.mark.parametrize("opt", ALL, ids=repr)
def test_update_is_pure(opt: optim.GradientTransformation) -> None:
    rng = np.random.default_rng(1)
    params = rng.normal(size=(4, 3))
    state = opt.init(params)
    for _ in range(3):                        # past the first-step special cases
        grads = rng.normal(size=(4, 3))
        before = [array.copy() for array in _arrays(state)]
        grads_before, params_before = grads.copy(), params.copy()
        updates, new_state = opt.update(grads, state, params)
        for old, kept in zip(_arrays(state), before):
            np.testing.assert_array_equal(old, kept)
        np.testing.assert_array_equal(grads, grads_before)
        np.testing.assert_array_equal(params, params_before)
        again, _ = opt.update(grads, state, params)
        np.testing.assert_array_equal(updates, again)
        assert updates.dtype == np.float64 and updates.shape == params.shape
        params, state = params + updates, new_state


@pytest.mark.parametrize("opt", ALL, ids=repr)
def test_donated_state_gives_the_same_updates(opt: optim.GradientTransformation) -> None:
    rng = np.random.default_rng(2)
    params = rng.normal(size=(5, 2))
    pure_state = opt.init(params)
    donated_state = opt.init(params)
    assert opt.hints.donates_state
    for _ in range(4):
        grads = rng.normal(size=(5, 2))
        pure, pure_state = opt.update(grads, pure_state, params)
        donated, donated_state = opt.update(grads, donated_state, params, donate=True)
        np.testing.assert_array_equal(pure, donated)
        params = params + pure


@pytest.mark.parametrize("opt", ALL, ids=repr)
def test_a_batch_of_starts_moves_like_each_start_alone(opt: optim.GradientTransformation) -> None:
    starts = np.array([[-1.2, 1.0], [0.8, -0.5], [2.0, 2.0]])
    grad = lambda x: rosenbrock_grad(x) / 1000.0  # noqa: E731   (stable for every lr here)
    together = iterate(opt, grad, starts, 20)
    assert np.isfinite(together).all()
    for k, start in enumerate(starts):
        alone = iterate(opt, grad, start, 20)
        np.testing.assert_array_equal(together[:, k], alone)


def test_fused_learning_rate_matches_separate_scaling() -> None:
    fused = optim.chain(optim.scale_by_adam(), optim.scale_by_learning_rate(0.01))
    separate = optim.chain(optim.scale_by_adam(), optim.identity(),
                           optim.scale_by_learning_rate(0.01))
    a = iterate(fused, quadratic_grad, STARTS["quadratic"], 50)
    b = iterate(separate, quadratic_grad, STARTS["quadratic"], 50)
    assert np.abs(a - b).max() <= 1e-14


def test_chain_of_one_and_state_shapes() -> None:
    opt = optim.chain(optim.scale_by_adam(amsgrad=True))
    state = opt.init(np.zeros((3, 2)))
    assert isinstance(state, T.AdamState) and state.count == 0
    assert state.m_sum.shape == state.v_sum.shape == state.v_sum_max.shape == (3, 2)
    assert isinstance(optim.adam(1e-3).init(np.zeros(2)), tuple)


def test_learning_rate_schedule_sees_steps_from_zero() -> None:
    seen: list[int] = []

    def rate(step: int) -> float:
        seen.append(step)
        return 0.1

    iterate(optim.gd(rate), bowl_grad, [1.0, 1.0], 4)
    assert seen == [0, 0, 1, 2, 3]          # step 0 once more: the check at construction


def test_named_optimizers_know_name_rule_and_hyperparameters() -> None:
    opt = optim.adam(0.01, betas=[0.8, 0.9])
    assert opt.name == "adam" and opt.rule == optim.RULES["adam"]
    assert opt.hyperparams["betas"] == (0.8, 0.9)
    assert repr(opt).startswith("adam(lr=constant(lr=0.01), betas=(0.8, 0.9)")
    assert opt._fields[:2] == ("init", "update") and callable(opt.init)


def test_replace_keeps_name_and_hyperparameters() -> None:
    opt = optim.adam(0.01)._replace(name="adam_renamed")
    assert opt.name == "adam_renamed" and opt.hyperparams["eps"] == 1e-8
    assert opt.hints.accepts_factor is False and opt.hints.donates_state


def test_with_hyperparams_rebuilds_the_rule() -> None:
    # Adam's first update is -lr * g / (|g| + eps'), so lr 0.5 instead of 0.1 moves 5x as far
    base = optim.adam(0.1)
    faster = base.with_hyperparams(lr=0.5)
    g = np.array([2.0])
    assert faster.hyperparams["lr"].constant_value == 0.5
    np.testing.assert_allclose(first_update(faster, g, g), 5 * first_update(base, g, g),
                               rtol=1e-15)
    with pytest.raises(TypeError, match="adam has no hyper-parameter 'momentum'"):
        base.with_hyperparams(momentum=0.9)


def test_apply_updates_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"updates have shape \(3,\) but params have shape "
                                         r"\(2,\)"):
        optim.apply_updates(np.zeros(2), np.zeros(3))


def test_optim_never_imports_sympy() -> None:
    code = "import sys, symopt.optim; print('sympy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"


# ----------------------------------------------------------------------------- rules

@pytest.mark.parametrize("name, latex", [
    ("gd", r"\theta_{t+1} = \theta_t - \eta_t g_t"),
    ("momentum", r"m_{t+1} = \lambda m_t - \eta_t g_t, \quad m_0 = 0, \quad "
                 r"\theta_{t+1} = \theta_t + m_{t+1}"),
    ("adagrad_lecture", r"\sigma_t = \sqrt{\frac{1}{t+1} \sum_{k=0}^{t} g_k^2}, \quad "
                        r"\theta_{t+1} = \theta_t - \frac{\eta_t}{\sigma_t} g_t"),
    ("rmsprop_lecture", r"\sigma_0 = |g_0|, \quad \sigma_t = \sqrt{\alpha \sigma_{t-1}^2 + "
                        r"(1 - \alpha) g_t^2}, \quad \theta_{t+1} = \theta_t - "
                        r"\frac{\eta_t}{\sigma_t} g_t"),
])
def test_rule_strings_are_exact(name: str, latex: str) -> None:
    assert optim.RULES[name] == latex


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_each_optimizer_has_one_rule_in_object_docstring_and_docs(name: str) -> None:
    rule = optim.RULES[name]
    factory = getattr(optim, name)
    lr_only = {"momentum": (0.1, 0.9), "rmsprop_lecture": (0.1, 0.9)}.get(name, (0.1,))
    assert factory(*lr_only).rule == rule
    assert rule.splitlines()[0] in factory.__doc__ and ".. math::" in factory.__doc__
    assert rule in (ROOT / "docs" / "optimizers.md").read_text()


def test_docs_embed_the_generated_rules_verbatim() -> None:
    from symopt.optim.rules import markdown

    assert markdown() in (ROOT / "docs" / "optimizers.md").read_text()


def test_rules_use_plain_amsmath_and_balanced_braces() -> None:
    for name, rule in optim.RULES.items():
        assert rule.count("{") == rule.count("}"), name
        assert rule.count(r"\begin") == rule.count(r"\end"), name
        assert "\\\\\\" not in rule


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("make, error, pattern", [
    (lambda: optim.adam(-0.1), ValueError, r"lr must be positive; got -0\.1\. Pass a positive"),
    (lambda: optim.sgd(0.0), ValueError, r"lr must be positive; got 0\.0"),
    (lambda: optim.gd(float("nan")), ValueError, r"lr must be finite; got nan"),
    (lambda: optim.gd(float("inf")), ValueError, r"lr must be finite; got inf"),
    (lambda: optim.gd("0.1"), TypeError, r"lr must be a positive number or a schedule .* "
                                          r"got '0\.1' of type str"),
    (lambda: optim.gd(True), TypeError, r"got True of type bool"),
    (lambda: optim.adam(0.1, betas=(0.9, 1.0)), ValueError,
     r"betas\[1\] must be in \[0, 1\); got 1\.0\. Typical betas are \(0\.9, 0\.999\)"),
    (lambda: optim.adam(0.1, betas=(-0.1, 0.9)), ValueError, r"betas\[0\] must be in \[0, 1\)"),
    (lambda: optim.adamw(0.1, betas=0.9), TypeError, r"betas must be a pair"),
    (lambda: optim.adam(0.1, eps=-1e-8), ValueError, r"eps must be >= 0; got -1e-08"),
    (lambda: optim.adam(0.1, weight_decay=-1), ValueError, r"weight_decay must be >= 0"),
    (lambda: optim.adam(0.1, amsgrad="yes"), TypeError, r"amsgrad must be True or False"),
    (lambda: optim.sgd(0.1, momentum=1.0), ValueError, r"momentum must be in \[0, 1\); got 1"),
    (lambda: optim.sgd(0.1, momentum=0.9, dampening=1.5), ValueError,
     r"dampening must be in \[0, 1\]; got 1\.5"),
    (lambda: optim.sgd(0.1, nesterov=True), ValueError,
     r"nesterov=True needs momentum > 0 and dampening = 0; got momentum=0"),
    (lambda: optim.sgd(0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     r"dampening=0\.1"),
    (lambda: optim.momentum(0.1, 1.2), ValueError, r"decay must be in \[0, 1\); got 1\.2"),
    (lambda: optim.rmsprop(0.1, alpha=1.0), ValueError, r"alpha must be in \[0, 1\)"),
    (lambda: optim.rmsprop_lecture(0.1, -0.5), ValueError, r"alpha must be in \[0, 1\)"),
    (lambda: optim.adagrad(0.1, lr_decay=-0.1), ValueError, r"lr_decay must be >= 0"),
    (lambda: optim.adagrad(0.1, initial_accumulator_value=-1), ValueError,
     r"initial_accumulator_value must be >= 0"),
    (lambda: optim.gd(lambda t: float("nan")), ValueError,
     r"the learning-rate callable returned nan at step 0; it must return a finite number"),
    (lambda: optim.adam(lambda t: "fast"), TypeError,
     r"the learning-rate callable returned 'fast' \(type str\) at step 0"),
    (lambda: optim.chain(), ValueError, r"chain needs at least one transform"),
    (lambda: optim.chain(optim.gd(0.1), 0.5), TypeError,
     r"chain argument 1 is 0\.5, not a GradientTransformation"),
    (lambda: optim.scale(float("nan")), ValueError, r"factor must be finite"),
])
def test_bad_hyperparameters_raise_clear_errors(make: Callable, error: type,
                                                pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        make()


def test_schedule_value_checked_at_every_step() -> None:
    opt = optim.gd(lambda t: 0.1 if t < 2 else -0.1)
    x = np.zeros(1)
    state = opt.init(x)
    for _ in range(2):
        _, state = opt.update(np.ones(1), state, x)
    with pytest.raises(ValueError, match=r"returned -0\.1 at step 2"):
        opt.update(np.ones(1), state, x)


def test_decayed_weights_need_params() -> None:
    opt = optim.adamw(0.1)
    with pytest.raises(ValueError, match=r"add_decayed_weights needs the parameters"):
        opt.update(np.ones(2), opt.init(np.ones(2)))


# ----------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

unit = st.floats(0.0, 0.99)
# squares of these neither overflow nor underflow (with eps = 0, a zero gradient gives 0/0 in
# Adam, as in PyTorch)
gradient_entries = st.floats(-1e3, 1e3).filter(lambda v: abs(v) > 1e-100)


@settings(max_examples=40, deadline=None)
@given(grads=arrays(np.float64, (4, 3), elements=gradient_entries), b1=unit, b2=unit,
       lr=st.floats(1e-4, 1.0))
def test_adam_steps_are_at_most_lr_in_each_coordinate_at_first(grads: np.ndarray, b1: float,
                                                               b2: float, lr: float) -> None:
    # |m_hat / (sqrt(v_hat) + eps)| <= 1 at t = 0, and the first step is -lr * sign(g)
    updates = first_update(optim.adam(lr, betas=(b1, b2), eps=0.0), grads, np.zeros((4, 3)))
    np.testing.assert_allclose(updates, -lr * np.sign(grads), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(momentum=unit, dampening=st.floats(0.0, 1.0), decay=st.floats(0.0, 1.0),
       lr=st.floats(1e-4, 1e-2))
def test_sgd_matches_its_written_out_rule(momentum: float, dampening: float, decay: float,
                                          lr: float) -> None:
    opt = optim.sgd(lr, momentum=momentum, dampening=dampening, weight_decay=decay)
    x = np.array(STARTS["quadratic"])
    path = iterate(opt, quadratic_grad, x, 10)
    buffer = None
    for step in range(10):
        g = quadratic_grad(x) + decay * x
        if momentum:
            buffer = g if buffer is None else momentum * buffer + (1 - dampening) * g
            g = buffer
        x = x - lr * g
        np.testing.assert_allclose(path[step + 1], x, rtol=1e-13, atol=1e-15)
