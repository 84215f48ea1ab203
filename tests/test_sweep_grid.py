"""Sweep inputs: grids, labels, starts and task keys; distances to critical points and families."""

from __future__ import annotations

import numpy as np
import pytest

import symopt as so
from symopt import optim
from symopt.sweep.grid import configs_of, losses_of, make_starts
from symopt.sweep.landmarks import Landmark, Landmarks, family_distance, nearest
from symopt.sweep.tasks import RunSettings, Starts, run_key


def test_grids_expand_in_key_order_last_key_fastest():
    configs = configs_of({"sgd": (optim.sgd, {"lr": [0.1, 0.01], "momentum": [0.0, 0.9]}),
                          "adam": optim.adam(1e-3)})
    assert [(c.name, dict(c.labels)) for c in configs] == [
        ("sgd", {"lr": 0.1, "momentum": 0.0}), ("sgd", {"lr": 0.1, "momentum": 0.9}),
        ("sgd", {"lr": 0.01, "momentum": 0.0}), ("sgd", {"lr": 0.01, "momentum": 0.9}),
        ("adam", {"lr": 0.001})]                  # a built optimizer: only non-defaults shown
    built = configs[1].build()
    assert built.name == "sgd" and built.hyperparams["momentum"] == 0.9


def test_a_schedule_survives_the_trip_to_a_worker():
    import pickle
    (config,) = configs_of({"gd": (optim.gd, {"lr": [optim.cosine(0.1, total_steps=10)]})})
    rebuilt = pickle.loads(pickle.dumps(config)).build()
    schedule = rebuilt.hyperparams["lr"]
    # cosine: 0.1 * (1 + cos(pi * t / 10)) / 2
    assert [schedule(t) for t in (0, 5, 10)] == pytest.approx([0.1, 0.05, 0.0], abs=1e-15)
    assert dict(config.labels)["lr"] == "cosine(lr=0.1, total_steps=10, min_lr=0.0)"


@pytest.mark.parametrize("optimizers, message", [
    ({}, "optimizers must be a non-empty dict"),
    ({"gd": (optim.gd, {"lr": []})}, "optimizer 'gd': the grid of 'lr' is empty"),
    ({"gd": (optim.gd, {"lr": [-1.0]})}, "optimizer 'gd' with lr=-1.0: lr must be positive"),
    ({"gd": (optim.gd, {"lr": [lambda t: 0.1]})}, "is a lambda or a nested function"),
    ({"x": object()}, "optimizer 'x' is a object without a name and hyper-parameters"),
])
def test_bad_optimizer_grids_are_one_line(optimizers, message):
    with pytest.raises((TypeError, ValueError)) as error:
        configs_of(optimizers)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_losses_are_read_once_each():
    entries = losses_of(["(1 - w1*w2)**2", so.Loss.parse("x**2")])
    assert [e.label for e in entries] == ["(1 - w1*w2)**2", "x**2"]
    with pytest.raises(ValueError, match="given twice"):
        losses_of(["x**2", "x**2"])
    with pytest.raises(TypeError, match=r"losses\[1\] is a int"):
        losses_of(["x**2", 3])


def test_chunks_of_drawn_starts_are_slices_of_the_full_draw():
    bounds = np.array([[-2.0, 2.0], [0.0, 1.0], [-1.0, 3.0]])
    full = make_starts(1000, bounds.tolist(), 7, 3)
    expected = bounds[:, 0] + (bounds[:, 1] - bounds[:, 0]) * \
        np.random.default_rng(7).random((1000, 3))
    np.testing.assert_array_equal(full, expected)
    chunk = Starts(first=300, size=250, seed=7, bounds=bounds).array()
    np.testing.assert_array_equal(chunk, expected[300:550])


def test_task_keys_change_with_every_input_and_nothing_else():
    (config,) = configs_of({"gd": optim.gd(0.1)})
    (other,) = configs_of({"gd": optim.gd(0.2)})
    chunk = np.zeros((4, 2))
    settings = RunSettings(100, 1e-6, 1e-3, None)
    key = run_key("loss", config, chunk, settings, "analysis", "0.1.0")
    assert key == run_key("loss", configs_of({"gd": optim.gd(0.1)})[0], chunk.copy(), settings,
                          "analysis", "0.1.0")
    assert len({key,
                run_key("other loss", config, chunk, settings, "analysis", "0.1.0"),
                run_key("loss", other, chunk, settings, "analysis", "0.1.0"),
                run_key("loss", config, chunk + 1, settings, "analysis", "0.1.0"),
                run_key("loss", config, chunk, RunSettings(101, 1e-6, 1e-3, None), "analysis",
                        "0.1.0"),
                run_key("loss", config, chunk, settings, "analysis", "0.2.0")}) == 6


def test_distance_to_a_circle_in_space():
    # x^2 + y^2 + z^2 = 1 and x + y + z = 0: a unit circle in the plane through 0 normal to
    # (1, 1, 1). From p: the plane offset h = |sum p| / sqrt(3), the in-plane radius r of p's
    # projection, distance sqrt(h^2 + (r - 1)^2), worked out here by hand for two points
    x, y, z = (so.Loss.parse("x + y + z").params)
    points = np.array([[0.1, 0.2, 2.0], [2.0, -1.0, 0.5]])
    got = family_distance(points, ("x**2 + y**2 + z**2 - 1", "x + y + z"), (x, y, z))
    h = np.abs(points.sum(axis=1)) / np.sqrt(3)
    r = np.linalg.norm(points - points.mean(axis=1, keepdims=True), axis=1)
    np.testing.assert_allclose(got, np.hypot(h, r - 1), rtol=1e-9)


def test_from_a_centre_of_curvature_the_distance_is_unknown_not_guessed():
    # the origin is the centre of curvature of w1*w2 = 1 at (1, 1): the projection cannot settle
    params = so.Loss.parse("w1*w2").params
    assert np.isnan(family_distance(np.zeros((1, 2)), ("w1*w2 - 1",), params)[0])


def test_basin_labels_use_the_tolerance_relative_to_the_point():
    marks = Landmarks("complete", (Landmark("(10, 0)", "minimum", coords=(10.0, 0.0)),
                                   Landmark("(0, 0)", "saddle", coords=(0.0, 0.0))))
    ends = np.array([[10.0 + 0.0105, 0.0], [10.0 + 0.0115, 0.0], [0.0005, 0.0], [4.0, 5.0],
                     [1.0, 1.0]])
    status = np.array(["converged", "max_steps", "converged", "max_steps", "diverged"])
    found = nearest(ends, status, marks, so.Loss.parse("x + y").params, tolerance=1e-3)
    # 1e-3 * (1 + 10) = 0.011 around (10, 0); 1e-3 around (0, 0)
    assert list(found["basin"]) == ["(10, 0)", "elsewhere", "(0, 0)", "elsewhere", "diverged"]
    assert list(found["nearest"]) == ["(10, 0)", "(10, 0)", "(0, 0)", "(0, 0)", "(0, 0)"]
    np.testing.assert_allclose(found["distance"][:4], [0.0105, 0.0115, 0.0005, np.sqrt(41)])


class _RecordingLibc:
    """Stands for glibc: records mallopt and malloc_trim calls."""

    def __init__(self):
        self.calls = []

    def mallopt(self, parameter, value):
        self.calls.append(("mallopt", parameter, value))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("malloc_trim", pad))
        return 1


def test_runs_raise_fixed_malloc_thresholds_once_and_set_back_the_environments_values(
        monkeypatch):
    import threading

    from symopt.sweep import tasks
    libc = _RecordingLibc()
    monkeypatch.setattr(tasks, "_fixed_malloc", lambda: libc)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")        # what Dask's nanny sets
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    inside, release = threading.Event(), threading.Event()

    def second_run():
        with tasks.roomy_malloc():
            inside.set()
            release.wait(10)

    with tasks.roomy_malloc():                     # two runs at once in one process
        other = threading.Thread(target=second_run)
        other.start()
        inside.wait(10)
        assert libc.calls == [("mallopt", -3, 32 * 2**20), ("mallopt", -1, 256 * 2**20)]
    assert len(libc.calls) == 2                    # the other run still needs the heap
    release.set()
    other.join()
    # glibc's defaults: M_MMAP_THRESHOLD 128 KiB; the trim threshold as the environment said
    assert libc.calls[2:] == [("mallopt", -3, 128 * 1024), ("mallopt", -1, 65536),
                              ("malloc_trim", 0)]


def test_malloc_is_left_alone_where_glibc_adapts_its_thresholds(monkeypatch):
    from symopt.sweep import tasks
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert tasks._fixed_malloc() is None
