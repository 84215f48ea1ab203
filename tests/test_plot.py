"""symopt.plot: the plotted data, read back from the matplotlib artists (never pixels)."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symopt as so
from symopt import optim

ROOT = Path(__file__).resolve().parents[1]

if importlib.util.find_spec("matplotlib") is None:  # pragma: no cover - depends on the machine
    if os.environ.get("CI"):
        pytest.fail('matplotlib is not installed but CI is set: install "symopt[plot]"',
                    pytrace=False)
    pytest.skip('matplotlib is not installed (pip install "symopt[plot]")',
                allow_module_level=True)

from symopt import plot  # noqa: E402
from symopt.cli import main  # noqa: E402

LECTURE = "(1 - w1*w2)**2"


@pytest.fixture(scope="module")
def lecture() -> so.Loss:
    return so.Loss.parse(LECTURE)


@pytest.fixture(scope="module")
def analysis(lecture: so.Loss) -> so.CriticalSet:
    return so.critical_points(lecture)


@pytest.fixture(scope="module")
def lecture_figure(lecture, analysis):
    return plot.landscape(lecture, analysis=analysis)


def _run_python(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)


# -------------------------------------------------------------------------- the lecture's loss
def test_lecture_saddle_marker_is_at_origin_and_labelled_saddle(lecture_figure):
    data = plot.read(lecture_figure)
    assert set(data.points) == {"saddle"}
    np.testing.assert_array_equal(data.points["saddle"], [[0.0, 0.0]])
    assert "saddle" in data.legend
    collection = next(c for c in lecture_figure.axes[0].collections
                      if c.get_gid() == "symopt:critical:saddle")
    assert collection.get_label() == "saddle"


def test_lecture_escape_arrows_point_along_plus_minus_one_one(lecture_figure):
    data = plot.read(lecture_figure)
    assert len(data.escape) == 2
    u = np.array([1.0, 1.0]) / np.sqrt(2)
    directions = sorted((d.tolist() for _, d in data.escape), reverse=True)
    np.testing.assert_allclose(directions, [u, -u], atol=1e-12)
    for base, _ in data.escape:
        np.testing.assert_array_equal(base, [0.0, 0.0])
    assert "escape direction" in data.legend


def test_lecture_family_curve_lies_on_w1_w2_equal_one(lecture_figure):
    data = plot.read(lecture_figure)
    assert list(data.families) == ["family: $w_{1} w_{2} - 1 = 0$"]
    assert "family: $w_{1} w_{2} - 1 = 0$" in data.legend
    curve = data.families["family: $w_{1} w_{2} - 1 = 0$"]
    points = curve[np.isfinite(curve).all(axis=1)]
    assert len(points) > 100
    # both branches of the hyperbola, each point on it to within the grid's interpolation
    assert (points[:, 0] > 0).any() and (points[:, 0] < 0).any()
    np.testing.assert_allclose(points[:, 0] * points[:, 1], 1.0, atol=2e-3)


def test_lecture_default_region_is_the_box_around_the_saddle(lecture_figure):
    assert plot.read(lecture_figure).region == (-2.0, 2.0, -2.0, 2.0)


def test_log_spaced_levels_for_the_lecture_and_linear_for_a_bowl(lecture_figure):
    levels = plot.read(lecture_figure).levels
    steps = np.diff(levels)
    assert steps[-1] > 20 * steps[1]                      # geometric, not equal
    assert "log-spaced" in lecture_figure.axes[1].get_ylabel()
    bowl = plot.read(plot.landscape("x**2 + y**2")).levels
    np.testing.assert_allclose(np.diff(bowl), np.diff(bowl)[0])


def test_contour_levels_rule():
    levels, log = plot.contour_levels(np.array([0.0, 0.001, 0.002, 0.003, 100.0]), 5)
    assert log and levels[0] == 0.0 and levels[-1] == 100.0
    levels, log = plot.contour_levels(np.linspace(0.0, 10.0, 50), 11)
    assert not log and levels.tolist() == [float(v) for v in range(11)]


def test_trajectories_line_data_equal_the_paths(lecture, analysis):
    start = plot.start_near_saddle(analysis)
    runs = {"gd": so.run(lecture, optim.gd(0.1), start, steps=60),
            "momentum": so.run(lecture, optim.momentum(0.05, 0.9), start, steps=60),
            "adam": so.run(lecture, optim.adam(0.05), start, steps=60)}
    array_path = np.array([[0.5, -0.5], [0.4, -0.3], [0.2, 0.1]])
    fig = plot.trajectories(lecture, {**runs, "by hand": array_path}, analysis=analysis)
    data = plot.read(fig)
    for name, trajectory in runs.items():
        np.testing.assert_array_equal(data.paths[name], trajectory.path)
        np.testing.assert_array_equal(data.starts[name], [start])
        np.testing.assert_array_equal(data.ends[name], [trajectory.x])
        assert name in data.legend
    np.testing.assert_array_equal(data.paths["by hand"], array_path)
    assert "start" in data.legend


def test_trajectories_of_several_starts_are_one_line_split_by_nan(lecture, analysis):
    starts = np.array([[0.1, 0.05], [-0.1, -0.05]])
    trajectory = so.run(lecture, optim.gd(0.1), starts, steps=30)
    data = plot.read(plot.trajectories(lecture, {"gd": trajectory}, analysis=analysis))
    line = data.paths["gd"]
    records = len(trajectory.path)
    assert line.shape == (2 * records + 1, 2)
    np.testing.assert_array_equal(line[:records], trajectory.path[:, 0])
    assert np.isnan(line[records]).all()
    np.testing.assert_array_equal(line[records + 1:], trajectory.path[:, 1])


def test_default_region_contains_every_critical_point():
    himmelblau = so.Loss.parse("(x**2 + y - 11)**2 + (x + y**2 - 7)**2")
    cs = so.critical_points(himmelblau)
    assert len(cs.points) == 9
    data = plot.read(plot.landscape(himmelblau, analysis=cs, resolution=60))
    xmin, xmax, ymin, ymax = data.region
    drawn = np.concatenate(list(data.points.values()))
    assert len(drawn) == 9
    for p in cs.points:
        x, y = p.numeric
        assert xmin < x < xmax and ymin < y < ymax
    assert {k: len(v) for k, v in data.points.items()} == {"minimum": 4, "maximum": 1,
                                                           "saddle": 4}


def test_kinds_have_distinct_markers_and_the_legend_names_them():
    cs = so.critical_points("x**4 - 2*x**2 + y**2 - y**4 / 4")
    fig = plot.landscape(cs.loss, analysis=cs, resolution=60)
    data = plot.read(fig)
    assert set(data.points) == {"minimum", "maximum", "saddle"}
    assert {"minimum", "maximum", "saddle"} <= set(data.legend)
    markers = {kind: style["marker"] for kind, style in plot.KIND_STYLES.items()}
    assert len(set(markers.values())) == 4
    assert markers["minimum"] == "o" and markers["saddle"] == "X"


def test_three_parameters_give_a_slice_along_the_strongest_eigenvectors():
    loss = so.Loss.parse("x**2 + 5*y**2 - 10*z**2")
    fig = plot.landscape(loss, resolution=60)
    data = plot.read(fig)
    assert "slice (x, y, z) = p + a*d1 + b*d2, p = (0, 0, 0)" in data.title
    assert "d1 = (0, 0, 1), d2 = (0, 1, 0)" in data.title          # |-20| > |10| > |2|
    np.testing.assert_array_equal(data.points["saddle"], [[0.0, 0.0]])
    directions = sorted(d.tolist() for _, d in data.escape)
    np.testing.assert_allclose(directions, [[-1.0, 0.0], [1.0, 0.0]], atol=1e-12)


def test_families_on_a_slice_are_drawn_only_where_they_lie_in_it():
    loss = so.Loss.parse("(1 - w1*w2*w3)**2")
    cs = so.critical_points(loss)
    # through the origin along w1 and w2 (the Hessian is zero there): the w1 and w2 axes lie
    # in the slice, the w3 axis only crosses it and the surface w1*w2*w3 = 1 misses it
    data = plot.read(plot.landscape(loss, analysis=cs, point=[0, 0, 0],
                                    directions=[[1, 0, 0], [0, 1, 0]], resolution=80))
    assert sorted(data.families) == ["family: $w_{1} = 0$, $w_{3} = 0$",
                                     "family: $w_{2} = 0$, $w_{3} = 0$"]
    w1_axis = data.families["family: $w_{2} = 0$, $w_{3} = 0$"]
    assert np.nanmax(np.abs(w1_axis[:, 1])) < 1e-12 and np.nanmax(w1_axis[:, 0]) > 1.9
    # through (1, 1, 1): only the surface of minima
    data = plot.read(plot.landscape(loss, analysis=cs, point=[1, 1, 1], resolution=80))
    assert list(data.families) == ["family: $w_{1} w_{2} w_{3} - 1 = 0$"]
    curve = data.families["family: $w_{1} w_{2} w_{3} - 1 = 0$"]
    # the default directions: the Hessian's two most curved eigenvectors at (1, 1, 1)
    view = plot.plane_view(["w1", "w2", "w3"], [1, 1, 1],
                           hessian=so.compile(loss).hess([1.0, 1.0, 1.0]))
    points = view.lift(curve[np.isfinite(curve).all(axis=1)])
    np.testing.assert_allclose(points.prod(axis=1), 1.0, atol=5e-3)   # a grid of 80 x 80


def test_slice_through_a_given_point_and_directions_projects_paths():
    loss = so.Loss.parse("x**2 + y**2 + z**2")
    path = np.array([[1.0, 2.0, 3.0], [0.5, 1.0, 1.5]])
    fig = plot.trajectories(loss, {"p": path}, point=[0, 0, 0],
                            directions=[[1, 0, 0], [1, 1, 0]], resolution=40)
    data = plot.read(fig)
    assert "d1 = (1, 0, 0), d2 = (0, 1, 0)" in data.title               # orthonormalised
    np.testing.assert_allclose(data.paths["p"], path[:, :2])


def test_one_parameter_is_a_line_with_its_critical_points():
    fig = plot.landscape("x**4 - 2*x**2")
    data = plot.read(fig)
    xs, ys = data.curves["loss"].T
    np.testing.assert_allclose(ys, xs**4 - 2 * xs**2)
    np.testing.assert_allclose(data.points["minimum"], [[-1.0, -1.0], [1.0, -1.0]])
    np.testing.assert_allclose(data.points["maximum"], [[0.0, 0.0]])


def test_schedule_line_data_equal_the_schedule():
    s = optim.warmup_cosine(0.1, warmup_steps=10, total_steps=100)
    data = plot.read(plot.schedule(s, 100))
    (label, curve), = data.curves.items()
    assert label == repr(s)
    np.testing.assert_array_equal(curve[:, 0], np.arange(100))
    np.testing.assert_array_equal(curve[:, 1], [s(t) for t in range(100)])
    several = plot.read(plot.schedule({"step": optim.step_decay(0.1, 10, 0.5),
                                       "transformer": optim.transformer(64, 20)}, 50))
    assert set(several.curves) == {"step", "transformer"}
    assert several.legend == ["step", "transformer"]


def test_loss_curves_are_on_a_log_scale_and_equal_the_losses(lecture, analysis):
    start = plot.start_near_saddle(analysis)
    gd = so.run(lecture, optim.gd(0.1), start, steps=40, record_every=5)
    fig = plot.loss_curves({"gd": gd, "given": [1.0, 0.1, 0.01]})
    data = plot.read(fig)
    np.testing.assert_array_equal(data.curves["gd"][:, 0], gd.recorded_steps)
    np.testing.assert_array_equal(data.curves["gd"][:, 1], gd.losses)
    assert fig.axes[0].get_yscale() == "log"
    assert data.legend == ["gd", "given"]
    negative = plot.loss_curves({"saddle": [1.0, 0.0, -3.0]})
    assert negative.axes[0].get_yscale() == "symlog"


def test_basin_map_colours_starts_by_where_they_end():
    from symopt.attraction import basins

    report = basins("x**4 - 2*x**2 + y**2", optim.gd(0.05), starts=60, steps=400, seed=1)
    data = plot.read(plot.basin_map(report))
    assert sum(len(v) for v in data.basins.values()) == 60
    for label, count in report.counts.items():
        assert f"{label} ({count})" in data.legend
        np.testing.assert_array_equal(
            data.basins[label], report.starts[np.array(report.labels) == label])


def test_drawing_on_a_given_axes_returns_its_figure(lecture, analysis):
    fig = plot.landscape(lecture, analysis=analysis, resolution=40)
    other = plot.landscape("x**2 - y**2", ax=fig.axes[0], resolution=40, colorbar=False)
    assert other is fig


def test_bad_arguments_raise_clear_errors(lecture, analysis):
    with pytest.raises(ValueError, match="xmin, xmax, ymin, ymax"):
        plot.landscape(lecture, (0, 1, 2), analysis=analysis)
    with pytest.raises(ValueError, match="below its maximum"):
        plot.landscape(lecture, (1, 0, 0, 1), analysis=analysis)
    with pytest.raises(ValueError, match="drop point"):
        plot.landscape(lecture, analysis=analysis, point=[0, 0])
    with pytest.raises(ValueError, match="shape"):
        plot.trajectories(lecture, {"bad": np.zeros((5, 3))}, analysis=analysis)
    with pytest.raises(TypeError, match="mapping"):
        plot.trajectories(lecture, [np.zeros((5, 2))], analysis=analysis)
    with pytest.raises(ValueError, match="parallel"):
        plot.landscape("x**2 + y**2 + z**2", directions=[[1, 0, 0], [2, 0, 0]])


def test_figure_saves_as_png(tmp_path, lecture_figure):
    target = tmp_path / "landscape.png"
    lecture_figure.savefig(target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", ["symopt.plot", "symopt.plotting.geometry",
                                  "symopt.plotting.landscape", "symopt.plotting.charts",
                                  "symopt.plotting.readback"])
def test_module_doctests_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


# -------------------------------------------------------------------------- lazy import
def test_importing_symopt_and_symopt_plot_does_not_import_matplotlib():
    result = _run_python("import sys, symopt, symopt.plot\n"
                         "from symopt import plot\n"
                         "print('matplotlib' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_plotting_without_show_never_touches_pyplot():
    result = _run_python("import sys\nfrom symopt import plot\n"
                         "plot.landscape('x**2 - y**2', resolution=20)\n"
                         "print('matplotlib.pyplot' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_missing_matplotlib_names_the_extra_to_install():
    result = _run_python("import sys\nsys.modules['matplotlib'] = None\n"
                         "from symopt import plot\n"
                         "try:\n    plot.landscape('x**2')\n"
                         "except ImportError as e:\n    print(e)\n")
    assert result.returncode == 0, result.stderr
    assert 'pip install "symopt[plot]"' in result.stdout


# -------------------------------------------------------------------------- the command line
def test_cli_plot_writes_the_image_and_names_the_runs(tmp_path, capsys):
    target = tmp_path / "out.png"
    code = main(["plot", LECTURE, "--optimizers", "gd,momentum,adam", "--lr", "0.05",
                 "--steps", "50", "-o", str(target)])
    out = capsys.readouterr().out
    assert code == 0
    assert target.read_bytes()[:4] == b"\x89PNG"
    assert "1 saddle, 1 family" in out
    assert "gd: 50 steps from (0.0474342, 0.0158114)" in out


def test_cli_plot_accepts_start_region_and_params(tmp_path, capsys):
    target = tmp_path / "out.png"
    code = main(["plot", "x**2 - y**2", "--params", "y,x", "--optimizers", "adam",
                 "--start", "0.1, 0.2", "--region=-1,1,-2,2", "--steps", "5",
                 "-o", str(target)])
    assert code == 0 and target.exists()
    assert "adam: 5 steps from (0.1, 0.2)" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--optimizers", "newton"], "unknown optimizer 'newton'"),
    (["--region", "1,2,3"], "expected 4 coordinates"),
    (["--optimizers", "gd", "--start", "1"], "expected 2 coordinates"),
])
def test_cli_plot_bad_options_give_one_line_and_exit_2(tmp_path, capsys, argv, message):
    code = main(["plot", "x*y", *argv, "-o", str(tmp_path / "x.png")])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


# -- the style registry, titles in mathematical notation, small multiples -------------------
def _line(fig, gid):
    return next(line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == gid)


def test_an_optimizer_has_one_colour_and_marker_in_every_figure(lecture, analysis):
    runs = {name: so.run(lecture, opt, [0.3, 0.1], steps=40)
            for name, opt in (("adam", optim.adam(0.05)), ("gd", optim.gd(0.1)),
                              ("momentum", optim.momentum(0.05, 0.9)))}
    reversed_runs = dict(reversed(list(runs.items())))      # legend order must not matter
    figures = [plot.trajectories(lecture, runs, analysis=analysis, resolution=40),
               plot.loss_curves(reversed_runs),
               plot.path_panels(lecture, runs, analysis=analysis, resolution=40)]
    for name in runs:
        expected = plot.style_for(name)
        seen = set()
        for fig, gid in zip(figures, (f"symopt:path:{name}", f"symopt:curve:{name}",
                                      f"symopt:path:{name}")):
            line = _line(fig, gid)
            seen.add((line.get_color(), line.get_marker()))
        assert seen == {(expected.color, expected.marker)}
    colours = {plot.style_for(name).color for name in runs}
    assert len(colours) == 3


def test_style_of_a_labelled_variant_is_its_optimizers():
    assert plot.style_for("gd, lr=0.5") == plot.style_for("gd") == plot.OPTIMIZER_STYLES["gd"]
    assert plot.style_for("Adam(lr=0.01)") == plot.OPTIMIZER_STYLES["adam"]
    unknown = plot.style_for("my_optimizer")
    assert unknown == plot.style_for("my_optimizer") and unknown.color.startswith("#")


@pytest.mark.parametrize("text, title", [
    ("(1 - w1*w2)**2", "$L(w_{1}, w_{2}) = \\left(1 - w_{1} w_{2}\\right)^{2}$"),
    ("100*(y - x**2)**2", "$L(x, y) = 100 \\left(y - x^{2}\\right)^{2}$"),
])
def test_titles_name_the_loss_in_mathematical_notation(text, title):
    fig = plot.landscape(text, resolution=30, colorbar=False)
    assert fig.axes[0].get_title() == title


def test_loss_curves_name_their_loss(lecture):
    fig = plot.loss_curves({"gd": np.array([1.0, 0.5])}, loss=lecture, title="from the saddle")
    assert fig.axes[0].get_title() == ("from the saddle\n"
                                       "$L(w_{1}, w_{2}) = \\left(1 - w_{1} w_{2}\\right)^{2}$")


def test_path_panels_give_one_equal_aspect_panel_per_optimizer(lecture, analysis):
    runs = {"gd": np.array([[0.3, 0.1], [0.5, 0.4]]), "adam": np.array([[0.3, 0.1], [0.2, 0.6]])}
    fig = plot.path_panels(lecture, runs, analysis=analysis, resolution=30)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["gd", "adam"]
    assert all(ax.get_aspect() == 1.0 for ax in axes)
    assert axes[0].get_xlim() == axes[1].get_xlim()
    assert np.array_equal(_line(fig, "symopt:path:adam").get_xydata(), runs["adam"])


def test_zoom_inset_magnifies_the_given_box(lecture, analysis):
    runs = {"gd": np.array([[0.3, 0.1], [0.2, 0.15], [0.1, 0.1]])}
    fig = plot.trajectories(lecture, runs, analysis=analysis, resolution=30, colorbar=False,
                            zoom=(0.0, 0.4, 0.0, 0.2))
    inset = next(child for child in fig.axes[0].child_axes if child.get_gid() == "symopt:zoom")
    assert inset.get_xlim() == (0.0, 0.4) and inset.get_ylim() == (0.0, 0.2)
    line = next(l for l in inset.get_lines() if l.get_gid() == "symopt:path:gd")
    assert np.array_equal(line.get_xydata(), runs["gd"])
    with pytest.raises(ValueError, match="zoom must be"):
        plot.trajectories(lecture, runs, analysis=analysis, resolution=30, zoom=(1, 0, 0, 1))
