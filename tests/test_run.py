"""Tests of symopt.run: shapes, statuses, masking, recording, mini-batches, bad input."""

from __future__ import annotations

import dataclasses
import math
import sys
import types
from typing import Any

import numpy as np
import pytest

from symopt import optim
from symopt.runner import MESSAGES, Trajectory, run

# ----------------------------------------------------------------------------- hand-coded losses


class Bowl:
    """L = x^2 + 5 y^2; counts gradient calls and the shapes they see."""

    n_params = 2
    params = ("x", "y")
    n_samples = None

    def __init__(self) -> None:
        self.grad_shapes: list[tuple[int, ...]] = []

    def value(self, theta: np.ndarray) -> np.ndarray:
        return theta[..., 0] ** 2 + 5.0 * theta[..., 1] ** 2

    def grad(self, theta: np.ndarray) -> np.ndarray:
        self.grad_shapes.append(theta.shape)
        return theta * np.array([2.0, 10.0])


class Rosenbrock:
    n_params = 2

    def value(self, theta: np.ndarray) -> np.ndarray:
        x, y = theta[..., 0], theta[..., 1]
        return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2

    def grad(self, theta: np.ndarray) -> np.ndarray:
        x, y = theta[..., 0], theta[..., 1]
        r = y - x * x
        return np.stack([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r], axis=-1)


class Line:
    """L = x^2 / 2 in one parameter: gd(lr) maps x to (1 - lr) x."""

    n_params = 1

    def value(self, theta: np.ndarray) -> np.ndarray:
        return 0.5 * theta[..., 0] ** 2

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return theta.copy()


class NanBeyondTwo(Line):
    """Like Line, but its gradient is NaN where x > 2 (a loss defined on part of the line)."""

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return np.where(theta > 2.0, np.nan, -1.0 + 0.0 * theta)


class LeastSquares:
    """Mean of (w x_i + b - y_i)^2 / 2 over 10 samples with an exact fit w = 2, b = -1."""

    n_params = 2
    params = ("w", "b")

    def __init__(self, n_samples: int = 10) -> None:
        self.n_samples = n_samples
        self.x = np.linspace(-1.0, 1.0, n_samples)
        self.y = 2.0 * self.x - 1.0
        self.batches: list[np.ndarray | None] = []

    def _residual(self, theta: np.ndarray, samples: np.ndarray | None) -> tuple[Any, ...]:
        x = self.x if samples is None else self.x[samples]
        y = self.y if samples is None else self.y[samples]
        r = theta[..., 0, None] * x + theta[..., 1, None] - y
        return r, x

    def value(self, theta: np.ndarray, samples: np.ndarray | None = None) -> np.ndarray:
        r, _ = self._residual(theta, samples)
        return 0.5 * (r * r).mean(axis=-1)

    def grad(self, theta: np.ndarray, samples: np.ndarray | None = None) -> np.ndarray:
        self.batches.append(None if samples is None else np.array(samples))
        r, x = self._residual(theta, samples)
        return np.stack([(r * x).mean(axis=-1), r.mean(axis=-1)], axis=-1)


# ----------------------------------------------------------------------------- results


def test_one_start_gives_scalars_and_a_path() -> None:
    result = run(Bowl(), optim.gd(0.05), [1.0, -1.0], steps=30)
    assert isinstance(result, Trajectory)
    assert result.x.shape == (2,) and result.path.shape == (31, 2)
    assert isinstance(result.fun, float) and isinstance(result.grad_norm, float)
    assert result.status == "max_steps" and result.nit == 30 and result.success is False
    assert result.diverged_at is None and result.message == MESSAGES["max_steps"]
    assert result.params == ("x", "y")
    np.testing.assert_array_equal(result.path[0], [1.0, -1.0])
    np.testing.assert_array_equal(result.path[-1], result.x)
    # gd(0.05) multiplies x by 1 - 0.05 * 2 = 0.9 and y by 1 - 0.05 * 10 = 0.5 per step
    np.testing.assert_allclose(result.x, [0.9 ** 30, -0.5 ** 30], rtol=1e-13)
    assert result.fun == pytest.approx(0.9 ** 60 + 5 * 0.25 ** 30, rel=1e-13)
    assert result.grad_norm == pytest.approx(math.hypot(2 * 0.9 ** 30, 10 * 0.5 ** 30),
                                             rel=1e-13)


def test_batch_of_starts_runs_vectorised_in_one_array() -> None:
    bowl = Bowl()
    starts = np.random.default_rng(0).normal(size=(50, 2))
    result = run(bowl, optim.adam(0.01), starts, steps=20)
    assert result.x.shape == (50, 2) and result.path.shape == (21, 50, 2)
    assert result.fun.shape == result.grad_norm.shape == result.nit.shape == (50,)
    assert result.losses.shape == (21, 50)
    assert len(bowl.grad_shapes) == 21 and set(bowl.grad_shapes) == {(50, 2)}
    np.testing.assert_array_equal(result.path[0], starts)


def test_run_equals_the_optimizer_driven_by_hand() -> None:
    loss = Rosenbrock()
    starts = np.array([[-1.2, 1.0], [0.5, 0.5], [2.0, -1.0]])
    for opt in (optim.adam(0.01), optim.sgd(1e-4, momentum=0.9), optim.rmsprop(1e-3),
                optim.momentum(1e-4, 0.9), optim.adagrad_lecture(0.1)):
        result = run(loss, opt, starts, steps=40)
        x, state, path = starts, opt.init(starts), [starts]
        for _ in range(40):
            updates, state = opt.update(loss.grad(x), state, x)
            x = optim.apply_updates(x, updates)
            path.append(x)
        np.testing.assert_array_equal(result.path, np.stack(path))


def test_losses_are_the_loss_at_the_recorded_points() -> None:
    loss = Rosenbrock()
    result = run(loss, optim.adam(0.02), [[-1.0, 1.0], [0.0, 0.0]], steps=25, record_every=5)
    np.testing.assert_array_equal(result.losses, loss.value(result.path))
    np.testing.assert_array_equal(result.fun, result.losses[-1])


@pytest.mark.parametrize("steps, every, recorded", [
    (10, 1, list(range(11))),
    (10, 4, [0, 4, 8, 10]),
    (12, 4, [0, 4, 8, 12]),
    (3, 100, [0, 3]),
])
def test_recording_keeps_first_every_nth_and_final(steps: int, every: int,
                                                   recorded: list[int]) -> None:
    result = run(Bowl(), optim.gd(0.01), [[1.0, 1.0]], steps=steps, record_every=every)
    assert result.recorded_steps.tolist() == recorded
    assert result.path.shape == (len(recorded), 1, 2)
    np.testing.assert_array_equal(result.path[-1], result.x)


# ----------------------------------------------------------------------------- statuses


def test_convergence_stops_the_run_early_and_records_the_end() -> None:
    result = run(Bowl(), optim.gd(0.05), [[1.0, 1.0], [0.1, 0.0]], steps=1000, tol=1e-8,
                 record_every=50)
    assert result.status.tolist() == ["converged", "converged"]
    # gradient norm 2 * 0.9^t <= 1e-8 from t = 182, 0.2 * 0.9^t from t = 160
    assert result.nit.tolist() == [182, 160]
    assert result.recorded_steps.tolist() == [0, 50, 100, 150, 182]
    assert (result.grad_norm <= 1e-8).all() and result.success.all()
    assert result.message.tolist() == [MESSAGES["converged"]] * 2


def test_converged_diverged_and_running_starts_in_one_batch() -> None:
    # gd(3) on x^2 / 2 maps x to -2 x: |x_t| = 2^t |x_0|
    result = run(Line(), optim.gd(3.0), [[1.0], [0.0], [1e-3]], steps=15, tol=1e-9,
                 divergence_threshold=1e3)
    assert result.status.tolist() == ["diverged", "converged", "max_steps"]
    assert result.diverged_at.tolist() == [10, -1, -1]        # |x_10| = 1024 > 1000
    assert result.nit.tolist() == [9, 0, 15]
    assert result.success.tolist() == [False, True, False]
    np.testing.assert_array_equal(result.x[:, 0], [-512.0, 0.0, 1e-3 * (-2.0) ** 15])
    assert (result.path[10:, 0, 0] == -512.0).all()           # stopped starts do not move
    assert (result.path[:, 1, 0] == 0.0).all()
    assert np.isfinite(result.path).all()
    assert result.message[0].startswith("Diverged")


def test_nan_is_a_status_not_a_silent_value() -> None:
    result = run(NanBeyondTwo(), optim.gd(0.5), [0.0], steps=10)
    # x: 0 -> 0.5 -> ... -> 2.5 (step 5, finite) -> NaN gradient there -> x NaN at step 6
    assert result.status == "diverged" and result.diverged_at == 6 and result.nit == 5
    assert result.x.tolist() == [2.5] and result.success is False
    assert np.isfinite(result.path).all()


def test_default_tol_is_relative_to_the_gradient_at_the_start() -> None:
    # gd(0.05) on x^2 + 10 y^2 from (c, 0): gradient norm 2 c 0.9^t; 0.9^t <= 1e-8 first at
    # t = ceil(ln 1e-8 / ln 0.9) = 175, whatever the scale c; a start at the minimum does not
    # move and converges after one update (gradient exactly 0)
    assert math.ceil(math.log(1e-8) / math.log(0.9)) == 175
    result = run(Bowl(), optim.gd(0.05), [[1.0, 0.0], [1e-3, 0.0], [0.0, 0.0]], steps=400)
    assert result.status.tolist() == ["converged"] * 3
    assert result.nit.tolist() == [175, 175, 1]
    assert result.success.tolist() == [True, True, True]


def test_max_steps_is_not_success_and_divergence_is_a_status() -> None:
    result = run(Line(), optim.gd(3.0), [[1.0], [1e-9]], steps=12)
    assert result.status.tolist() == ["max_steps", "max_steps"]
    assert result.success.tolist() == [False, False]
    result = run(Line(), optim.gd(3.0), [[1.0]], steps=50)
    assert result.status.tolist() == ["diverged"] and result.diverged_at.tolist() == [40]


def test_all_diverged_stops_the_run() -> None:
    result = run(Line(), optim.gd(3.0), [[1.0], [2.0]], steps=1000)
    assert result.diverged_at.tolist() == [40, 39]             # 2^40 > 1e12 >= 2^39
    assert result.recorded_steps[-1] == 40 and len(result.path) == 41


def test_a_converged_start_keeps_its_point_while_others_continue() -> None:
    result = run(Bowl(), optim.adam(0.05), [[0.0, 0.0], [1.0, 1.0]], steps=30, tol=1e-12)
    assert result.status.tolist() == ["converged", "max_steps"] and result.nit[0] == 0
    assert (result.path[:, 0] == 0.0).all()
    assert (np.diff(result.path[:, 1, 0]) != 0).all()


@pytest.mark.parametrize("every, expected", [(1, 4), (2, 4), (3, 6)])
def test_first_below_reads_the_first_recorded_step_under_the_threshold(
        every: int, expected: int) -> None:
    # gd(0.05) from (1, 0) on x^2 + 10 y^2: loss 0.81^t; 0.81^3 = 0.53 > 0.5 > 0.81^4 = 0.43
    result = run(Bowl(), optim.gd(0.05), [1.0, 0.0], steps=20, record_every=every)
    assert result.first_below(0.5) == expected
    assert result.first_below(-1.0) is None
    batch = run(Bowl(), optim.gd(0.05), [[1.0, 0.0], [0.1, 0.0], [9.0, 0.0]], steps=20,
                record_every=every)
    # 0.01 * 0.81^t < 0.5 at t = 0; 81 * 0.81^t < 0.5 first at t = 25 > 20 steps
    assert batch.first_below(0.5).tolist() == [expected, 0, -1]


# ----------------------------------------------------------------------------- mini-batches


def test_minibatches_cover_each_epoch_once_in_order_without_shuffle() -> None:
    loss = LeastSquares()
    result = run(loss, optim.gd(0.1), [0.0, 0.0], batch_size=4, epochs=2, shuffle=False)
    assert result.nit == 6                                     # 2 epochs x ceil(10 / 4)
    batches = [b.tolist() for b in loss.batches if b is not None]
    expected = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches == expected * 2


def test_shuffling_is_seeded_with_a_numpy_generator() -> None:
    loss = LeastSquares()
    run(loss, optim.gd(0.1), [0.0, 0.0], batch_size=5, epochs=3, seed=7)
    batches = [b for b in loss.batches if b is not None]
    rng = np.random.default_rng(7)
    for epoch in range(3):
        order = rng.permutation(10)
        np.testing.assert_array_equal(np.concatenate(batches[2 * epoch:2 * epoch + 2]), order)
    same = run(LeastSquares(), optim.gd(0.1), [0.0, 0.0], batch_size=5, epochs=3, seed=7)
    other = run(LeastSquares(), optim.gd(0.1), [0.0, 0.0], batch_size=5, epochs=3, seed=8)
    again = run(LeastSquares(), optim.gd(0.1), [0.0, 0.0], batch_size=5, epochs=3, seed=7)
    np.testing.assert_array_equal(same.path, again.path)
    assert not np.array_equal(same.path, other.path)


def test_minibatch_steps_without_epochs_and_full_batch_data() -> None:
    loss = LeastSquares()
    result = run(loss, optim.gd(0.1), [[0.0, 0.0], [1.0, 1.0]], steps=7, batch_size=3)
    assert result.nit.tolist() == [7, 7]
    assert [len(b) for b in loss.batches if b is not None] == [3, 3, 3, 1, 3, 3, 3]
    full = LeastSquares()
    run(full, optim.gd(0.1), [0.0, 0.0], steps=5)
    assert full.batches == [None] * 6                          # no samples= without batches
    assert run(LeastSquares(), optim.gd(0.1), [0.0, 0.0], epochs=4).nit == 4


def test_minibatch_convergence_uses_the_full_gradient_at_epoch_ends() -> None:
    result = run(LeastSquares(), optim.gd(0.5), [0.0, 0.0], batch_size=4, epochs=500,
                 tol=1e-8)
    assert result.status == "converged" and result.nit % 3 == 0
    assert result.grad_norm <= 1e-8
    np.testing.assert_allclose(result.x, [2.0, -1.0], atol=1e-6)


# ----------------------------------------------------------------------------- symbolic losses


def test_a_symbolic_loss_is_compiled_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[Any] = []

    def fake_compile(loss: Any) -> Bowl:
        compiled.append(loss)
        return Bowl()

    fake = types.ModuleType("symopt.numeric")
    fake.compile = fake_compile
    monkeypatch.setitem(sys.modules, "symopt.numeric", fake)
    symbolic = types.SimpleNamespace(expr="x**2 + 5*y**2", params=("x", "y"))
    result = run(symbolic, optim.gd(0.05), [1.0, 1.0], steps=5)
    assert compiled == [symbolic] and result.x.shape == (2,)


def test_symopt_run_is_the_function_even_after_importing_its_module() -> None:
    import symopt.runner  # noqa: F401 - the module has its own name

    assert symopt.run(Bowl(), optim.gd(0.1), [1.0, 1.0], steps=2).nit == 2
    assert symopt.Trajectory is Trajectory


def test_trajectory_is_frozen_and_messages_form_one_table() -> None:
    result = run(Bowl(), optim.gd(0.1), [1.0, 1.0], steps=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.x = np.zeros(2)  # type: ignore[misc]
    assert set(MESSAGES) == {"converged", "max_steps", "diverged"}
    assert "status='max_steps'" in repr(result)


# ----------------------------------------------------------------------------- bad input


class Unnamed(Bowl):
    params = None


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"x0": np.zeros((2, 2, 2))}, ValueError,
     r"x0 must have shape \(n,\) for one start or \(k, n\) for k starts; got shape \(2, 2, 2\)"),
    ({"x0": 1.0}, ValueError, r"got shape \(\)"),
    ({"x0": [1.0, 2.0, 3.0]}, ValueError,
     r"x0 has 3 coordinates per start but the loss has 2 parameters \(x, y\); give one value "
     r"per parameter"),
    ({"x0": [[1.0, 2.0], [math.nan, 0.0]]}, ValueError,
     r"x0\[1, 0\] is nan \(start 1, parameter 'x'\); every start must be finite"),
    ({"x0": [0.0, math.inf]}, ValueError, r"x0\[1\] is inf \(parameter 'y'\)"),
    ({"x0": np.zeros((0, 2))}, ValueError, r"x0 has no starts \(shape \(0, 2\)\)"),
    ({"x0": "start"}, TypeError, r"x0 must be an array of numbers"),
    ({"steps": 0}, ValueError, r"steps must be a positive int; got 0\. Pass e\.g\. steps=1000"),
    ({"steps": -5}, ValueError, r"steps must be a positive int; got -5"),
    ({"steps": 2.5}, TypeError, r"steps must be a positive int; got 2\.5 of type float"),
    ({"steps": True}, TypeError, r"got True of type bool"),
    ({"record_every": 0}, ValueError, r"record_every must be a positive int; got 0"),
    ({"tol": -1e-6}, ValueError, r"tol must be >= 0; got -1e-06"),
    ({"tol": math.nan}, ValueError, r"tol must be >= 0; got nan"),
    ({"tol": "small"}, TypeError, r"tol must be a number; got 'small'"),
    ({"divergence_threshold": 0.0}, ValueError, r"divergence_threshold must be > 0; got 0\.0"),
    ({"batch_size": 4}, ValueError,
     r"batch_size=4 needs a loss over data samples, but this loss has no data \(n_samples is "
     r"None\); drop batch_size and use steps"),
    ({"epochs": 3}, ValueError, r"epochs=3 needs a loss over data samples"),
    ({"optimizer": object()}, TypeError, r"optimizer must have init and update .* got object"),
    ({"optimizer": optim.adam}, TypeError, r"optimizer must have init and update .* got "
                                           r"function. Pass e\.g\. symopt\.optim\.adam\(1e-3\)"),
    ({"f": object()}, TypeError, r"f must be a NumericLoss-like object .* got object"),
])
def test_bad_input_raises_before_any_step(kwargs: dict[str, Any], error: type,
                                          pattern: str) -> None:
    bowl = Bowl()
    arguments = {"f": bowl, "optimizer": optim.gd(0.1), "x0": [1.0, 1.0], **kwargs}
    with pytest.raises(error, match=pattern):
        run(**arguments)
    assert bowl.grad_shapes == []


def test_shape_message_without_parameter_names() -> None:
    with pytest.raises(ValueError, match=r"the loss has 2 parameters; give"):
        run(Unnamed(), optim.gd(0.1), [1.0])
    with pytest.raises(ValueError, match=r"x0\[0\] is nan \(coordinate 0\)"):
        run(Unnamed(), optim.gd(0.1), [math.nan, 1.0])


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"batch_size": 0}, ValueError, r"batch_size must be a positive int; got 0"),
    ({"batch_size": 2.0}, TypeError, r"batch_size must be a positive int; got 2\.0"),
    ({"batch_size": 4, "epochs": 0}, ValueError, r"epochs must be a positive int; got 0"),
])
def test_bad_minibatch_settings(kwargs: dict[str, Any], error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        run(LeastSquares(), optim.gd(0.1), [0.0, 0.0], **kwargs)


def test_gradient_of_the_wrong_shape_is_rejected_before_any_step() -> None:
    class Flat(Bowl):
        def grad(self, theta: np.ndarray) -> np.ndarray:
            return theta.sum(axis=-1)

    with pytest.raises(ValueError, match=r"f\.grad returned shape \(3,\) for points of shape "
                                         r"\(3, 2\); it must return one derivative per "
                                         r"parameter"):
        run(Flat(), optim.gd(0.1), np.ones((3, 2)))


def test_loss_with_bad_parameter_count_is_rejected() -> None:
    class Broken(Bowl):
        n_params = "2"

    with pytest.raises(TypeError, match=r"f\.n_params must be a positive int .* got '2'"):
        run(Broken(), optim.gd(0.1), [1.0, 1.0])


class _HalvingWithNaN:
    """Three starts, one parameter: row 0's gradient is NaN everywhere, row 1's is theta,
    row 2's is 10 theta."""

    n_params = 1

    def value(self, theta):
        return 0.5 * theta[..., 0] ** 2

    def grad(self, theta):
        g = theta * np.array([[1.0], [1.0], [10.0]])[: len(theta)]
        g[0] = np.nan
        return g


def test_per_start_stops_with_a_nan_gradient_among_the_starts() -> None:
    # gd(0.5): row 0 moves to NaN at update 1 (diverged); x <- x / 2 from 1 has gradient
    # norm 2^-t, below 1e-8 times its start norm first at t = 27 (2^-26 = 1.5e-8); x <- -4 x
    # from -1 passes 1e12 first at t = 20 (4^19 = 2.7e11, 4^20 = 1.1e12)
    result = run(_HalvingWithNaN(), optim.gd(0.5), [[1.0], [1.0], [-1.0]], steps=100)
    assert result.status.tolist() == ["diverged", "converged", "diverged"]
    assert result.diverged_at.tolist() == [1, -1, 20]
    assert result.nit.tolist() == [0, 27, 19]
    assert result.x[1, 0] == 2.0 ** -27
