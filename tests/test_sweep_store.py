"""Sweep results on disk: one Parquet file per task, resuming, and refusing other paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import symopt as so  # noqa: E402
from symopt import optim  # noqa: E402
from symopt.sweep import api, store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NO_ANALYSIS = {"analysis_budget": None}


def tiny_sweep(out, seed=0, **options):
    return so.sweep(["(1 - w1*w2)**2", "x**2 + 10*y**2"],
                    {"gd": (optim.gd, {"lr": [1e-2, 5e-2]})}, starts=6, seed=seed, steps=60,
                    chunk_size=2, out=out, progress=False, **options)


@pytest.fixture(scope="module")
def reference():
    """The same sweep, in memory, uninterrupted."""
    return tiny_sweep(None)


def run_files(out: Path) -> list[Path]:
    return sorted(out.glob("part-*.parquet"))


def test_one_file_per_task_and_the_dataset_reads_back_in_order(tmp_path, reference):
    out = tmp_path / "results.parquet"
    table = tiny_sweep(out)
    pd.testing.assert_frame_equal(table, reference)
    # 2 losses x 2 learning rates x 3 chunks of 2 starts
    assert len(run_files(out)) == 12
    assert len(list((out / "_analyses").glob("*.parquet"))) == 2
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["tasks"] == 14 and manifest["symopt"] == so.__version__
    back = pd.read_parquet(out)
    assert back[["loss", "lr", "start", "final_loss"]].values.tolist() == \
        reference[["loss", "lr", "start", "final_loss"]].values.tolist()


def test_an_interrupted_sweep_recomputes_only_unfinished_tasks(tmp_path, monkeypatch, reference):
    out = tmp_path / "runs"
    original = store.Store.write_run
    written = []

    def failing_write(self, index, key, table):
        if len(written) == 5:
            raise KeyboardInterrupt                    # as if Ctrl-C hit after five tasks
        original(self, index, key, table)
        written.append(index)

    monkeypatch.setattr(store.Store, "write_run", failing_write)
    with pytest.raises(KeyboardInterrupt):
        tiny_sweep(out)
    monkeypatch.setattr(store.Store, "write_run", original)
    before = {path: path.stat().st_mtime_ns for path in run_files(out)}
    assert len(before) == 5

    computed = []
    real_run = api.run_chunk

    def counting_run(task):
        computed.append(task.index)
        return real_run(task)

    monkeypatch.setattr(api, "run_chunk", counting_run)
    table = tiny_sweep(out)
    assert sorted(computed) == sorted(set(range(12)) - set(written))
    assert {path: path.stat().st_mtime_ns for path in before} == before   # untouched
    pd.testing.assert_frame_equal(table, reference)


def test_a_finished_sweep_reruns_nothing(tmp_path, monkeypatch):
    out = tmp_path / "runs"
    first = tiny_sweep(out)
    monkeypatch.setattr(api, "run_chunk", lambda task: pytest.fail("recomputed a task"))
    monkeypatch.setattr(api, "analyse", lambda task: pytest.fail("reanalysed a loss"))
    pd.testing.assert_frame_equal(tiny_sweep(out), first)


def test_other_existing_paths_are_refused(tmp_path):
    # (no exact analysis: it plays no part in what is refused)
    a_file = tmp_path / "results.parquet"
    a_file.write_text("not a sweep")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        tiny_sweep(a_file, **NO_ANALYSIS)
    assert a_file.read_text() == "not a sweep"
    tiny_sweep(a_file, **NO_ANALYSIS, overwrite=True)
    assert (a_file / "_manifest.json").is_file()

    with pytest.raises(FileExistsError, match="different sweep"):
        tiny_sweep(a_file, **NO_ANALYSIS, seed=1)                      # other starts: other task keys
    table = tiny_sweep(a_file, **NO_ANALYSIS, seed=1, overwrite=True)
    expected = -2 + 4 * np.random.default_rng(1).random((6, 2))
    np.testing.assert_array_equal(np.array(table.x0.tolist()[:6]), expected)

    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(FileExistsError, match="not a symopt sweep"):
        tiny_sweep(foreign, **NO_ANALYSIS, overwrite=True)
    assert (foreign / "cat.jpg").read_bytes() == b"\xff\xd8"

    empty = tmp_path / "empty"
    empty.mkdir()
    tiny_sweep(empty, **NO_ANALYSIS)
    assert len(run_files(empty)) == 12


def test_import_needs_neither_pandas_nor_dask_and_a_missing_extra_is_one_line():
    code = ("import sys\n"
            "import symopt, symopt.sweep\n"
            "assert 'pandas' not in sys.modules and 'distributed' not in sys.modules\n"
            "sys.modules['pandas'] = None\n"
            "try:\n"
            "    symopt.sweep('x**2', {'gd': symopt.optim.gd(0.1)})\n"
            "except ImportError as error:\n"
            "    print(error)\n"
            "sys.modules['pandas'] = sys.modules['distributed'] = None\n"
            "del sys.modules['pandas']\n"
            "try:\n"
            "    symopt.sweep('x**2', {'gd': symopt.optim.gd(0.1)}, executor='tcp://h:8786')\n"
            "except ImportError as error:\n"
            "    print(error)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    assert result.stdout.splitlines() == [
        'so.sweep needs pandas and pyarrow (pandas is missing): pip install "symopt[sweep]"',
        "executor='tcp://h:8786' is a Dask scheduler address, but Dask is not installed. Dask "
        'is an optional extra: pip install "symopt[dask]"']


class _Hang:
    """Unpickles by sleeping: stands for an analysis that ignores every signal."""

    def __reduce__(self):
        return (time.sleep, (120,))


def test_a_hanging_analysis_is_cut_at_its_budget_and_reported_as_a_timeout():
    from symopt.sweep.tasks import AnalysisTask, analyse
    result = analyse(AnalysisTask(0, "key", _Hang(), "hangs", 0.5))
    assert result.status == "timeout" and "stopped" in result.note
    assert result.landmarks == ()
    found = analyse(AnalysisTask(0, "key", so.Loss.parse("(x - 1)**2"), "(x - 1)**2", 30))
    assert found.status == "complete" and found.landmarks[0].coords == (1.0,)


def test_analyses_share_one_kept_child_and_a_hung_one_is_replaced_after_its_budget():
    from symopt.isolate import close_children
    from symopt.sweep.tasks import AnalysisTask, analyse
    close_children()
    losses = [(so.Loss.parse("(x - 1)**2"), 30), (_Hang(), 0.5), (so.Loss.parse("(x + 2)**2"), 30),
              (so.Loss.parse("(x - 3)**2"), 30)]
    found = [analyse(AnalysisTask(i, "key", loss, f"loss {i}", budget))
             for i, (loss, budget) in enumerate(losses)]
    assert [f.status for f in found] == ["complete", "timeout", "complete", "complete"]
    assert [f.landmarks[0].coords for f in found if f.landmarks] == [(1.0,), (-2.0,), (3.0,)]
    assert len(_children()) == 1          # the hung child was killed, its successor is kept
    close_children()
    assert _children() == []


def _children() -> list[int]:
    """Pids of this process's children that have not ended, read from /proc."""
    pids = [int(p) for task in Path(f"/proc/{os.getpid()}/task").iterdir()
            for p in (task / "children").read_text().split()]
    return [p for p in pids if Path(f"/proc/{p}/stat").exists() and
            Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
            and b"_kept_main" in _cmdline(p)]


def _cmdline(pid: int) -> bytes:
    """The command line of ``pid`` (empty once it has ended): kept analysis children run
    ``symopt.isolate._kept_main``; others (multiprocessing's resource tracker, which a Dask
    LocalCluster earlier in the session leaves running) are not counted."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


class _InOrder(__import__("concurrent.futures").futures.Executor):
    """Runs each call when it is submitted, here, and records what was submitted."""

    def __init__(self):
        self.submitted = []

    def submit(self, fn, *args, **kwargs):
        from concurrent.futures import Future

        from symopt.sweep.executors import run_batch
        assert fn is run_batch                        # tasks go out in batches: (work, items)
        self.submitted.extend(args[1])
        future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_the_hardest_analyses_are_submitted_first_and_the_table_keeps_the_given_order():
    from symopt.sweep.tasks import AnalysisTask
    executor = _InOrder()
    losses = ["(x - 1)**2", "x**2 + y**2 + z**4", "(x - 2)**2 + y**6"]
    table = so.sweep(losses, {"gd": optim.gd(0.1)}, starts=2, steps=3, seed=0,
                     executor=executor, progress=False, analysis_budget=30)
    analysed = [t.label for t in executor.submitted if isinstance(t, AnalysisTask)]
    # by parameters, then total degree: three parameters, then degree 6, then degree 2
    assert analysed == ["x**2 + y**2 + z**4", "(x - 2)**2 + y**6", "(x - 1)**2"]
    assert list(dict.fromkeys(table.loss)) == losses
    assert set(table.analysis) == {"complete"}
