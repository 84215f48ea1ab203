"""so.sweep: the table's rows and values, and the same table on every executor."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import symopt as so  # noqa: E402
from symopt import optim  # noqa: E402

LECTURE = "(1 - w1*w2)**2"
ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
BOWL = "x**2 + 10*y**2"


def small_sweep(**options):
    return so.sweep([LECTURE, ROSENBROCK],
                    {"gd": (optim.gd, {"lr": [1e-3, 1e-2]}),
                     "adam": (optim.adam, {"lr": [1e-2, optim.cosine(0.1, total_steps=200)]})},
                    starts=7, box=(-2, 2), seed=3, steps=200, chunk_size=3, progress=False,
                    **options)


@pytest.fixture(scope="module")
def serial_table():
    return small_sweep()


def test_gd_on_a_bowl_ends_where_the_closed_form_says():
    # gd on x^2 + 10 y^2: x_T = (1 - 2 lr)^T x_0, y_T = (1 - 20 lr)^T y_0, by hand
    starts = np.array([[1.0, 1.0], [-0.5, 2.0], [3.0, -0.25]])
    table = so.sweep(BOWL, {"gd": (optim.gd, {"lr": [0.01, 0.02]})}, starts=starts, steps=50,
                     tol=None, progress=False)
    assert list(table.columns[:4]) == ["loss", "optimizer", "lr", "start"]
    assert table.lr.tolist() == [0.01] * 3 + [0.02] * 3
    assert table.start.tolist() == [0, 1, 2, 0, 1, 2]
    for lr, rows in table.groupby("lr", sort=False):
        expected = starts * np.array([(1 - 2 * lr) ** 50, (1 - 20 * lr) ** 50])
        ends = np.array(rows.x.tolist())
        np.testing.assert_allclose(ends, expected, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(rows.final_loss, expected[:, 0] ** 2 + 10 * expected[:, 1] ** 2,
                                   rtol=1e-12)
        # the only critical point is the minimum at the origin: distance = |x_T|
        assert set(rows.nearest) == {"(0, 0)"} and set(rows.nearest_kind) == {"minimum"}
        np.testing.assert_allclose(rows.distance, np.linalg.norm(expected, axis=1), rtol=1e-12)
    assert set(table.status) == {"max_steps"} and table.converged_step.isna().all()
    assert set(table.analysis) == {"complete"}


def test_trajectories_keep_every_kth_iterate_as_float32():
    starts = np.array([[1.0, 1.0], [-0.5, 2.0]])
    table = so.sweep(BOWL, {"gd": optim.gd(0.01)}, starts=starts, steps=50, tol=None,
                     trajectories=10, progress=False, analysis_budget=None)
    for start, path in zip(starts, table.path):
        path = np.array(path.tolist() if hasattr(path, "tolist") else path, dtype=float)
        steps = np.arange(0, 51, 10)[:, None]                     # records at 0, 10, ..., 50
        expected = start * np.array([0.98, 0.8]) ** steps         # gd on x^2 + 10 y^2, by hand
        np.testing.assert_allclose(path, expected, rtol=1e-6, atol=1e-30)   # float32
    assert str(table.path.dtype) == "list<item: list<item: float>>[pyarrow]"


def test_converged_step_is_the_first_step_with_a_small_gradient():
    # gd lr=0.25 on x^2: x_t = x_0 / 2^t, gradient 2 x_t; tol=1e-3 from x_0 = 1 is reached at
    # the first t with 2 / 2^t <= 1e-3, t = 11
    table = so.sweep("x**2", {"gd": optim.gd(0.25)}, starts=[[1.0]], steps=100, tol=1e-3,
                     progress=False)
    assert table.status.tolist() == ["converged"]
    assert table.converged_step.tolist() == [11]
    assert table.basin.tolist() == ["(0)"]


def test_drawn_starts_are_uniform_draws_of_the_seed(serial_table):
    expected = -2 + 4 * np.random.default_rng(3).random((7, 2))
    for (loss, optimizer, lr), rows in serial_table.groupby(["loss", "optimizer", "lr"],
                                                            sort=False):
        np.testing.assert_array_equal(np.array(rows.x0.tolist()), expected)
        assert rows.start.tolist() == list(range(7))


def test_rows_come_in_loss_optimizer_grid_start_order(serial_table):
    keys = list(dict.fromkeys(zip(serial_table.loss, serial_table.optimizer, serial_table.lr)))
    assert keys == [(loss, name, lr) for loss in (LECTURE, ROSENBROCK)
                    for name, lr in [("gd", "0.001"), ("gd", "0.01"), ("adam", "0.01"),
                                     ("adam", "cosine(lr=0.1, total_steps=200, min_lr=0.0)")]]
    assert len(serial_table) == 2 * 4 * 7


def test_lecture_runs_end_on_the_family_of_minima(serial_table):
    rows = serial_table[(serial_table.loss == LECTURE) & (serial_table.optimizer == "adam")
                        & (serial_table.lr == "cosine(lr=0.1, total_steps=200, min_lr=0.0)")]
    ends = np.array(rows.x.tolist())
    # the end points lie on w1*w2 = 1 (checked here from the coordinates)
    np.testing.assert_allclose(ends[:, 0] * ends[:, 1], 1, atol=1e-3)
    assert set(rows.basin) == {"w1*w2 - 1 = 0"}
    assert set(rows.nearest_kind) == {"minimum"}


def test_family_distance_matches_a_direct_minimisation():
    from scipy.optimize import minimize_scalar
    ends = np.array([[2.0, 2.0], [0.5, 3.0], [-1.5, -0.2]])
    table = so.sweep(LECTURE, {"gd": optim.gd(1e-12)}, starts=ends, steps=1, tol=None,
                     progress=False)
    for end, got in zip(ends, table.distance):
        # the branch of w2 = 1/w1 in the end point's quadrant, parametrised by |w1| = t
        side = np.sign(end[0])
        to_family = minimize_scalar(lambda t: np.hypot(side * t - end[0], side / t - end[1]),
                                    bounds=(1e-3, 50), method="bounded",
                                    options={"xatol": 1e-12}).fun
        to_saddle = np.linalg.norm(end)
        assert got == pytest.approx(min(to_family, to_saddle), abs=1e-6)


def test_thread_pool_gives_the_same_table(serial_table):
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = small_sweep(executor=pool)
    pd.testing.assert_frame_equal(threaded, serial_table)


def test_process_pool_gives_the_same_table(serial_table):
    import multiprocessing
    with ProcessPoolExecutor(max_workers=2,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = small_sweep(executor=pool)
    pd.testing.assert_frame_equal(pooled, serial_table)


SMALL_SWEEP_TOML = """
losses = ["(1 - w1*w2)**2", "(1 - x)**2 + 100*(y - x**2)**2"]
starts = 7
box = [-2, 2]
seed = 3
steps = 200
chunk_size = 3
[optimizers.gd]
lr = [1e-3, 1e-2]
[optimizers.adam]
lr = [1e-2, {schedule = "cosine", lr = 0.1, total_steps = 200}]
"""


@pytest.mark.slow
def test_local_cluster_gives_the_same_table_and_its_dashboard_link(serial_table, capsys,
                                                                     tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address="127.0.0.1:0") as cluster, \
            distributed.Client(cluster) as client:
        clustered = small_sweep(executor=client)
        link = client.dashboard_link
        # the command line, as a separate client of the same cluster
        (tmp_path / "sweep.toml").write_text(SMALL_SWEEP_TOML)
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        command = subprocess.run(
            [sys.executable, "-m", "symopt", "sweep", "sweep.toml", "-o", "out",
             "--scheduler", cluster.scheduler_address], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=600)
    pd.testing.assert_frame_equal(clustered, serial_table)
    assert f"symopt sweep: Dask dashboard at {link}\n" in capsys.readouterr().err
    assert command.returncode == 0, command.stderr
    written = pd.read_parquet(tmp_path / "out")
    for column in ("loss", "optimizer", "lr", "start", "final_loss", "status", "basin"):
        assert written[column].tolist() == serial_table[column].tolist()
    assert [list(x) for x in written.x] == serial_table.x.tolist()


def test_progress_bar_counts_the_tasks(capsys):
    pytest.importorskip("tqdm")
    so.sweep("x**2", {"gd": (optim.gd, {"lr": [0.1, 0.2]})}, starts=[[1.0]], steps=3,
             progress=True, analysis_budget=None)
    err = capsys.readouterr().err
    assert "symopt sweep" in err and "3/3" in err       # one analysis and two runs


def test_an_unknown_executor_is_refused_in_one_line():
    with pytest.raises(TypeError, match="executor must be None .serial., a "
                                        "concurrent.futures.Executor, a dask.distributed.Client"):
        so.sweep("x**2", {"gd": optim.gd(0.1)}, starts=[[1.0]], executor=4)


def test_schedules_and_fixed_values_become_labels():
    table = so.sweep("x**2", {"adam": (optim.adam, {"lr": [0.1], "betas": (0.8, 0.9)}),
                              "momentum": optim.momentum(0.1, decay=0.5)},
                     starts=[[1.0]], steps=2, progress=False, analysis_budget=None)
    assert table.betas.tolist()[0] == "(0.8, 0.9)" and pd.isna(table.betas.tolist()[1])
    assert table.decay.tolist()[1] == 0.5 and pd.isna(table.decay.tolist()[0])
    assert table.lr.tolist() == [0.1, 0.1]
    assert set(table.analysis) == {"skipped"} and table.nearest.isna().all()
