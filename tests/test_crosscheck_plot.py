"""The cross-check figure: the matching class along the bottom, a rejected one far above."""

from __future__ import annotations

import numpy as np
import pytest

import symopt as so

pytest.importorskip("matplotlib")


def momentum_step(params, grad, state, t):
    buffer = grad if state is None else 0.9 * state + grad
    return params - 0.01 * buffer, buffer


def test_deviation_figure_draws_classes_tolerance_and_saves(tmp_path):
    report = so.crosscheck(momentum_step, "sgd", hyperparams={"lr": 0.01, "momentum": 0.9},
                           losses={"lecture": "(1 - w1*w2)**2"}, starts=[[0.3, -1.2]], steps=15)
    path = tmp_path / "deviation.png"
    fig = so.plot.crosscheck(report, classes=2, path=str(path))
    assert path.stat().st_size > 10_000
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    best, second = ax.lines[0], ax.lines[1]
    assert "sgd:momentum" in best.get_label()
    # the match stays under the tolerance line, the next class is at least 1e6 ulp away
    assert np.max(best.get_ydata()) <= report.tolerance_ulps
    assert np.max(second.get_ydata()) >= 1e6
    tolerance = ax.lines[2]
    assert list(tolerance.get_ydata()) == [report.tolerance_ulps] * 2
