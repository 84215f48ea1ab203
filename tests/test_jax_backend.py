"""Tests of the JAX backend: compiled derivatives, fused runs, float64, imports, PyTorch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symopt as so
from symopt import optim

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

ROOT = Path(__file__).resolve().parents[1]
ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"


@pytest.fixture(scope="module")
def rosenbrock() -> tuple[so.NumericLoss, so.NumericLoss]:
    loss = so.Loss.parse(ROSENBROCK)
    return so.compile(loss), so.compile(loss, backend="jax")


def test_derivatives_equal_the_hand_formulas(rosenbrock) -> None:
    _, fj = rosenbrock
    theta = np.array([[0.5, -1.0], [2.0, 3.0]])
    x, y = theta[:, 0], theta[:, 1]
    # d/dx = -2(1-x) - 400 x (y - x^2), d/dy = 200 (y - x^2); Hessian by hand
    grad = np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)
    hess = np.stack([np.stack([2 - 400 * (y - x**2) + 800 * x**2, -400 * x], -1),
                     np.stack([-400 * x, np.full_like(x, 200.0)], -1)], axis=-2)
    value = fj.value(theta)
    assert isinstance(value, np.ndarray) and value.dtype == np.float64
    np.testing.assert_allclose(value, (1 - x) ** 2 + 100 * (y - x**2) ** 2, rtol=1e-15)
    np.testing.assert_allclose(fj.grad(theta), grad, rtol=1e-15)
    np.testing.assert_allclose(fj.hess(theta), hess, rtol=1e-15)
    np.testing.assert_allclose(fj.hvp(theta, [1.0, 2.0]), hess @ [1.0, 2.0], rtol=1e-14)


def test_data_loss_on_jax_matches_numpy_with_minibatches() -> None:
    rng = np.random.default_rng(3)
    data = {"x": rng.normal(size=50), "y": rng.normal(size=50)}
    loss = so.Loss.from_model("tanh(w*x + b)", data=data, target="y", loss="mse",
                              params=["w", "b"])
    fn, fj = so.compile(loss), so.compile(loss, backend="jax")
    theta = rng.normal(size=(4, 2))
    batch = np.array([3, 7, 11])
    w, b = theta[:, :1], theta[:, 1:]
    residual = np.tanh(w * data["x"] + b) - data["y"]
    np.testing.assert_allclose(fj.value(theta), (residual**2).mean(axis=1), rtol=1e-13)
    for name in ("value", "grad", "hess"):
        np.testing.assert_allclose(getattr(fj, name)(theta, samples=batch),
                                   getattr(fn, name)(theta, samples=batch), rtol=1e-12)
    # the gradient by hand: d/d(w, b) mean (t - y)^2 = mean 2 (t - y) (1 - t^2) (x, 1)
    t = np.tanh(w * data["x"] + b)
    common = 2 * (t - data["y"]) * (1 - t**2)
    by_hand = np.stack([(common * data["x"]).mean(axis=1), common.mean(axis=1)], axis=-1)
    np.testing.assert_allclose(fj.grad(theta), by_hand, rtol=1e-12)
    np.testing.assert_allclose(fn.grad(theta), by_hand, rtol=1e-12)
    np.testing.assert_allclose(fj.grad(theta[2]), by_hand[2], rtol=1e-12)


@pytest.mark.parametrize("opt", [optim.adam(optim.cosine(0.05, total_steps=1000)),
                                 optim.sgd(1e-4, momentum=0.9, nesterov=True),
                                 optim.adagrad(0.05)], ids=repr)
def test_fused_run_equals_the_numpy_run_over_1000_steps(rosenbrock, opt) -> None:
    fn, fj = rosenbrock
    starts = np.random.default_rng(0).uniform(-2, 2, size=(20, 2))
    a = so.run(fn, opt, starts, steps=1000, record_every=100)
    b = so.run(fj, opt, starts, steps=1000, record_every=100)
    assert (a.backend, b.backend) == ("numpy", "jax")
    assert isinstance(b.x, np.ndarray) and isinstance(b.status, np.ndarray)
    np.testing.assert_array_equal(a.recorded_steps, b.recorded_steps)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.nit, b.nit)
    np.testing.assert_allclose(b.path, a.path, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(b.losses, a.losses, rtol=1e-11, atol=1e-300)


@pytest.mark.parametrize("opt", [optim.adam(1e-2), optim.sgd(0.05, momentum=0.9)], ids=repr)
def test_fused_run_on_a_data_loss_equals_the_numpy_run_over_1000_steps(opt) -> None:
    # the two backends sum the samples in different orders (chunked dot products against
    # one einsum), so their gradients differ in the last bits: the 1e-12 agreement over
    # 1000 steps holds because these dynamics do not amplify rounding, not because both
    # run the same arithmetic
    rng = np.random.default_rng(5)
    x = rng.uniform(-2, 2, 200)
    data = {"x": x, "y": np.sin(2 * x) + 0.1 * rng.normal(size=200)}
    loss = so.Loss.from_model("c1*tanh(w1*x + b1) + c2*tanh(w2*x + b2) + b0", data=data)
    fn, fj = so.compile(loss), so.compile(loss, backend="jax")
    starts = rng.normal(size=(4, 7))
    a = so.run(fn, opt, starts, steps=1000, record_every=100)
    b = so.run(fj, opt, starts, steps=1000, record_every=100)
    assert (a.backend, b.backend) == ("numpy", "jax")
    np.testing.assert_array_equal(a.status, b.status)
    assert not np.array_equal(fn.grad(starts), fj.grad(starts))   # not bit-identical
    np.testing.assert_allclose(b.path, a.path, rtol=1e-12)
    np.testing.assert_allclose(b.losses, a.losses, rtol=1e-12)


def _two_tanh_loss(n: int) -> tuple[so.NumericLoss, so.NumericLoss, np.random.Generator]:
    rng = np.random.default_rng(5)
    x = rng.uniform(-2, 2, n)
    data = {"x": x, "y": np.sin(2 * x) + 0.1 * rng.normal(size=n)}
    loss = so.Loss.from_model("c1*tanh(w1*x + b1) + c2*tanh(w2*x + b2) + b0", data=data)
    return so.compile(loss), so.compile(loss, backend="jax"), rng


@pytest.mark.parametrize("opt", [optim.adam(1e-2), optim.sgd(0.05, momentum=0.9)], ids=repr)
def test_minibatch_run_on_jax_equals_the_numpy_run_over_1000_steps(opt) -> None:
    # 203 samples in batches of 16: 12 full batches and a short one of 11 per epoch, shuffled
    fn, fj, rng = _two_tanh_loss(203)
    starts = rng.normal(size=(4, 7))
    a = so.run(fn, opt, starts, steps=1000, record_every=100, batch_size=16, seed=3)
    b = so.run(fj, opt, starts, steps=1000, record_every=100, batch_size=16, seed=3)
    assert (a.backend, b.backend) == ("numpy", "jax")
    np.testing.assert_array_equal(a.recorded_steps, b.recorded_steps)
    np.testing.assert_array_equal(a.status, b.status)
    # relative to each point's norm: single coordinates pass near 0 (|x| ~ 1e-5) on the way
    error = np.linalg.norm(b.path - a.path, axis=-1)
    assert np.all(error <= 1e-12 * np.linalg.norm(a.path, axis=-1))
    np.testing.assert_allclose(b.losses, a.losses, rtol=1e-12)
    np.testing.assert_allclose(b.grad_norm, a.grad_norm, rtol=1e-9)
    # another seed draws other batches: the run is not the full-batch one in disguise
    c = so.run(fj, opt, starts, steps=1000, record_every=100, batch_size=16, seed=4)
    assert np.max(np.abs(c.x - b.x)) > 1e-6


def test_minibatch_run_on_jax_two_steps_by_hand() -> None:
    # L(w) = mean_i (w x_i - y_i)^2 on x = (1, 2, 3), y = (1, 1, 1); batches of 2 in order:
    # {0, 1}, then the short {2}. dL_i/dw = 2 x_i (w x_i - 1).
    # step 1 at w = 0: mean(2*1*(-1), 2*2*(-1)) = -3, so w = 0 - 0.1 * (-3) = 0.3
    # step 2 at w = 0.3 on sample 2 only: 2*3*(0.9 - 1) = -0.6, so w = 0.3 + 0.06 = 0.36
    data = {"x": np.array([1.0, 2.0, 3.0]), "y": np.array([1.0, 1.0, 1.0])}
    loss = so.Loss.from_model("w*x", data=data)
    fj = so.compile(loss, backend="jax")
    result = so.run(fj, optim.gd(0.1), [0.0], steps=2, batch_size=2, shuffle=False)
    assert result.backend == "jax"
    np.testing.assert_allclose(result.path[:, 0], [0.0, 0.3, 0.36], rtol=1e-15, atol=0)
    # the full-data gradient at 0.36: (2/3) (1 (0.36 - 1) + 2 (0.72 - 1) + 3 (1.08 - 1))
    assert result.grad_norm == pytest.approx(0.64, rel=1e-14)
    assert result.status == "max_steps" and result.nit == 2


def test_minibatch_statuses_on_jax_agree_with_the_numpy_run() -> None:
    # y = 2 x + 1 exactly: every sample's gradient vanishes at (b, w) = (1, 2), so mini-batch
    # gd converges, tested on the full gradient at epoch ends only (10 samples, batches of 4:
    # 3 updates per epoch); gd(2.0) overshoots (curvature 2 mean x^2 = 2.08 > 2 / 2) and
    # diverges, except at the minimum, where every batch gradient is exactly 0
    x = np.linspace(-1.5, 1.5, 10)
    loss = so.Loss.from_model("w*x + b", data={"x": x, "y": 2 * x + 1})
    fn, fj = so.compile(loss), so.compile(loss, backend="jax")
    assert fj.params == ("b", "w")
    starts = np.array([[0.0, 0.0], [-1.0, 3.0], [1.0, 2.0]])
    expected = {  # (statuses, nit of the start at the minimum)
        (0.3, 1e-6): (["converged"] * 3, 0),         # absolute tol: tested at x0 too
        (0.3, None): (["converged"] * 3, 3),         # relative: first test at an epoch end
        (2.0, 1e-6): (["diverged", "diverged", "converged"], 0),
    }
    for (lr, tol), (statuses, nit) in expected.items():
        a = so.run(fn, optim.gd(lr), starts, steps=600, tol=tol, batch_size=4, seed=1)
        b = so.run(fj, optim.gd(lr), starts, steps=600, tol=tol, batch_size=4, seed=1)
        assert b.backend == "jax"
        assert b.status.tolist() == statuses and b.nit[2] == nit
        converged = b.status == "converged"
        assert np.all(b.nit[converged] % 3 == 0)
        np.testing.assert_array_equal(a.status, b.status)
        np.testing.assert_array_equal(a.nit, b.nit)
        np.testing.assert_array_equal(a.diverged_at, b.diverged_at)
        np.testing.assert_array_equal(a.recorded_steps, b.recorded_steps)
        np.testing.assert_allclose(b.x, a.x, rtol=1e-12, atol=1e-15)


def test_statuses_and_stopped_points_agree_with_the_numpy_run(rosenbrock) -> None:
    fn, fj = rosenbrock
    # (1, 1) is the minimum (converges after one update, gradient exactly 0); gd(0.001) from
    # (3, 3) overshoots (curvature 2 + 2400 + 7200 = 9602 > 2 / 0.001) and diverges; (0, 0)
    # (curvatures 2 and 200) runs on
    starts = np.array([[1.0, 1.0], [3.0, 3.0], [0.0, 0.0]])
    a = so.run(fn, optim.gd(0.001), starts, steps=50, record_every=10)
    b = so.run(fj, optim.gd(0.001), starts, steps=50, record_every=10)
    assert b.status.tolist() == ["converged", "diverged", "max_steps"]
    for field in ("status", "nit", "diverged_at", "recorded_steps"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert (b.path[:, 0] == 1.0).all()                      # a converged start keeps its point
    assert (b.path[2:, 1] == b.x[1]).all()                  # and so does a diverged one
    np.testing.assert_allclose(b.path, a.path, rtol=1e-12)


def test_absolute_tol_and_early_end_give_the_numpy_records() -> None:
    loss = so.Loss.parse("x**2 + 10*y**2")
    fn, fj = so.compile(loss), so.compile(loss, backend="jax")
    a = so.run(fn, optim.gd(0.05), [[1.0, 1.0], [0.1, 0.0]], steps=1000, tol=1e-8,
               record_every=50)
    b = so.run(fj, optim.gd(0.05), [[1.0, 1.0], [0.1, 0.0]], steps=1000, tol=1e-8,
               record_every=50)
    assert b.nit.tolist() == [182, 160] == a.nit.tolist()   # as in tests/test_run.py
    assert b.recorded_steps.tolist() == [0, 50, 100, 150, 182]
    np.testing.assert_allclose(b.path, a.path, rtol=1e-13)


def test_runs_leave_jax_global_float64_flag_alone(rosenbrock) -> None:
    _, fj = rosenbrock
    before = jax.config.jax_enable_x64
    so.run(fj, optim.adam(1e-2), [0.0, 0.0], steps=5)
    assert jax.config.jax_enable_x64 == before
    assert fj.grad([0.5, 0.5]).dtype == np.float64


def test_a_python_branch_on_the_step_is_one_clear_error(rosenbrock) -> None:
    _, fj = rosenbrock
    opt = optim.gd(lambda t: 0.1 if t < 5 else 0.01)
    with pytest.raises(TypeError, match="branches on the step count in Python"):
        so.run(fj, opt, [0.0, 0.0], steps=10)


def _subprocess(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_import_symopt_imports_neither_jax_nor_torch_nor_dask() -> None:
    code = ("import sys, symopt, symopt.optim, symopt.runner, symopt.numeric\n"
            "f = symopt.compile(symopt.Loss.parse('x**2'))\n"
            "symopt.run(f, symopt.optim.adam(0.1), [1.0], steps=3)\n"
            "print(sorted(m for m in ('jax', 'torch', 'dask') if m in sys.modules))")
    done = _subprocess(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_jax_the_backend_fails_with_one_line_naming_the_extra() -> None:
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'jax' or name.startswith('jax.'):\n"
            "            raise ImportError('no jax here')\n"
            "sys.meta_path.insert(0, Block())\n"
            "import symopt\n"
            "try:\n"
            "    symopt.compile(symopt.Loss.parse('x**2'), backend='jax')\n"
            "except ImportError as error:\n"
            "    print(error)\n")
    done = _subprocess(code)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and 'pip install "symopt[jax]"' in lines[0]


def _torch_cases() -> tuple[dict, object]:
    data = np.load(ROOT / "tests" / "data" / "torch_reference.npz")
    return json.loads(str(data["cases"])), data


CASES, REFERENCE = _torch_cases()


def _jnp_rosenbrock_grad(theta):
    x, y = theta[..., 0], theta[..., 1]
    r = y - x * x
    return jnp.stack([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r], axis=-1)


@pytest.mark.parametrize("name", sorted(n for n in CASES
                                        if CASES[n]["torch"]["scheduler"] is None
                                        or CASES[n]["torch"]["scheduler"]["name"] != "LambdaLR"))
def test_rules_under_jax_match_stored_torch_trajectories(name: str) -> None:
    spec = CASES[name]["symopt"]
    lr = spec["lr"]
    if spec["schedule"] is not None:
        lr = getattr(optim, spec["schedule"]["name"])(**spec["schedule"]["kwargs"])
    opt = getattr(optim, spec["optimizer"])(lr, **spec["kwargs"])
    reference = REFERENCE[f"{name}__rosenbrock"]
    steps = reference.shape[0] - 1
    with jax.enable_x64(True):
        def program(x0):
            state = jax.tree.map(jnp.asarray, opt.init(x0))

            def body(carry, _):
                x, s = carry
                updates, s = opt.update(_jnp_rosenbrock_grad(x), s, x)
                return (x + updates, s), x + updates
            return jax.lax.scan(body, (x0, state), None, length=steps)[1]
        path = np.asarray(jax.jit(program)(jnp.asarray(reference[0])))
    np.testing.assert_allclose(path, reference[1:], rtol=1e-10, atol=1e-10)
