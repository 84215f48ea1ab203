"""symopt.plot.sweep: what the panels show, checked against numbers worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from symopt import plot  # noqa: E402


def hand_table(lr_values=(0.01, 0.1)) -> "pd.DataFrame":
    # two optimizers x two learning rates x four runs, on one loss
    rows = []
    finals = {("gd", 0): [1.0, 2.0, 3.0, 100.0], ("gd", 1): [0.5, 0.5, 7.0, 9.0],
              ("adam", 0): [4.0, 4.0, 4.0, 4.0], ("adam", 1): [1e-3, 2e-3, 3e-3, 1e3]}
    statuses = {("gd", 0): ["converged", "max_steps", "max_steps", "max_steps"],
                ("gd", 1): ["converged", "converged", "diverged", "diverged"],
                ("adam", 0): ["max_steps"] * 4,
                ("adam", 1): ["converged", "converged", "converged", "diverged"]}
    basins = {("gd", 0): ["(0, 0)", "(0, 0)", "(1, 1)", "elsewhere"],
              ("gd", 1): ["(1, 1)", "(1, 1)", "diverged", "diverged"],
              ("adam", 0): ["elsewhere"] * 4,
              ("adam", 1): ["(0, 0)", "(0, 0)", "(0, 0)", "diverged"]}
    for name in ("gd", "adam"):
        for i, lr in enumerate(lr_values):
            for start in range(4):
                rows.append({"loss": "x**2", "optimizer": name, "lr": lr, "start": start,
                             "final_loss": finals[name, i][start],
                             "status": statuses[name, i][start],
                             "basin": basins[name, i][start]})
    return pd.DataFrame(rows)


def lines(ax):
    return {line.get_label(): (list(line.get_xdata()), list(line.get_ydata()))
            for line in ax.get_lines()}


def test_median_final_loss_of_runs_that_did_not_diverge():
    fig = plot.sweep(hand_table())
    left = fig.axes[0]
    shown = lines(left)
    # gd: median(1, 2, 3, 100) = 2.5; at 0.1 the two diverged runs are left out: 0.5
    assert shown["gd"] == ([0.01, 0.1], [2.5, 0.5])
    # adam: 4; median(1e-3, 2e-3, 3e-3) = 2e-3
    assert shown["adam"][1] == pytest.approx([4.0, 2e-3])
    assert left.get_xscale() == "log" and left.get_yscale() == "log"
    colours = {line.get_label(): line.get_color() for line in left.get_lines()}
    assert colours["gd"] != colours["adam"]


def test_converged_fraction():
    fig = plot.sweep(hand_table(), metric="converged")
    shown = lines(fig.axes[0])
    assert shown["gd"][1] == [0.25, 0.5] and shown["adam"][1] == [0.0, 0.75]


def test_basin_fractions_stack_to_what_each_configuration_reached():
    fig = plot.sweep(hand_table())
    right = fig.axes[1]
    at = {round(y): t.get_text() for y, t in zip(right.get_yticks(), right.get_yticklabels())}
    widths: dict[str, dict[str, float]] = {}
    for container in right.containers:
        for bar in container.patches:
            label = at[round(bar.get_y() + bar.get_height() / 2)]
            widths.setdefault(label, {})[container.get_label()] = bar.get_width()
    assert list(at[y] for y in sorted(at, reverse=True)) == [
        "gd lr=0.01", "gd lr=0.1", "adam lr=0.01", "adam lr=0.1"]     # top to bottom
    assert widths["gd lr=0.01"] == pytest.approx({"(0, 0)": 0.5, "(1, 1)": 0.25,
                                                  "elsewhere": 0.25, "diverged": 0.0})
    assert widths["adam lr=0.1"] == pytest.approx({"(0, 0)": 0.75, "(1, 1)": 0.0,
                                                   "elsewhere": 0.0, "diverged": 0.25})
    for label, shares in widths.items():
        assert sum(shares.values()) == pytest.approx(1.0)


def test_schedules_make_a_categorical_axis():
    table = hand_table(lr_values=("0.01", "cosine(lr=0.1, total_steps=100, min_lr=0.0)"))
    fig = plot.sweep(table, metric="converged")
    left = fig.axes[0]
    assert left.get_xscale() == "linear"
    assert [t.get_text() for t in left.get_xticklabels()] == ["0.01", "cosine(lr=0.1,\ntotal_steps=100,\nmin_lr=0.0)"]
    assert lines(left)["adam"] == ([0.0, 1.0], [0.0, 0.75])


def test_a_table_without_the_columns_is_refused_in_one_line():
    with pytest.raises(TypeError, match="lacks the column.*basin.*symopt.sweep"):
        plot.sweep(hand_table().drop(columns=["basin"]))
    with pytest.raises(ValueError, match="metric='loss'; choose one of final_loss, converged"):
        plot.sweep(hand_table(), metric="loss")
