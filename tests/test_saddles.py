"""Escape from saddles, measured against the linearisation (LECTURE.md section 2).

Expected numbers are derived by hand: at the lecture's saddle (0, 0) of (1 - w1*w2)**2 the
Hessian is [[0, -2], [-2, 0]], lambda_min = -2 with u = (1, 1)/sqrt(2).  Plain GD with
lr = 0.1 multiplies the u-component by 1 + 0.1*2 = 1.2 per step, so from a component d0
it reaches radius 0.1 after ceil(ln(0.1/|d0|)/ln 1.2) steps.  Heavy-ball momentum mu = 0.9
grows by the largest root of r**2 - (1 + 0.9 + 0.2) r + 0.9 = 0, r = 1.5.
"""

import math

import numpy as np
import pytest

import symopt as so
from symopt import optim
from symopt.attraction import basins
from symopt.escaping import escape, growth_factor
from symopt.optim.second_order import negative_curvature_descent, perturbed_gd, saddle_free_newton

LECTURE = "(1 - w1*w2)**2"
U = np.array([1.0, 1.0]) / math.sqrt(2)


@pytest.fixture(scope="module")
def lecture():
    loss = so.Loss.parse(LECTURE)
    return loss, so.compile(loss)


def hand_prediction(d0, rate=1.2, radius=0.1):
    return math.ceil(math.log(radius / abs(d0)) / math.log(rate))


@pytest.mark.parametrize("delta", [1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12])
@pytest.mark.parametrize("direction", ["eigen", "random"])
def test_gd_leaves_the_lecture_saddle_when_the_linearisation_says(delta, direction, lecture):
    loss, f = lecture
    report = escape(loss, [0, 0], optim.gd(0.1), delta=delta, radius=0.1, direction=direction, f=f)
    assert report.escaped and report.strict
    assert report.growth_factor == pytest.approx(1.2)
    assert abs(report.steps - hand_prediction(report.d0)) <= 2
    assert abs(report.steps - report.predicted_steps) <= 2
    assert report.cosine > 0.999
    assert abs(report.exit_direction @ U) > 0.999
    # the loss fell, as the second-order term lambda*|v|^2/2 says (to 1 %)
    assert report.loss_drop < 0
    assert report.loss_drop == pytest.approx(report.predicted_loss_drop, rel=0.01)


def test_growth_factor_of_heavy_ball_momentum():
    # r**2 - 2.1 r + 0.9 = 0 -> r = (2.1 + sqrt(4.41 - 3.6)) / 2 = 1.5
    assert growth_factor(0.1, -2.0, 0.9) == pytest.approx(1.5)
    assert growth_factor(0.1, -2.0) == pytest.approx(1.2)


@pytest.mark.parametrize("delta", [1e-2, 1e-6, 1e-10])
@pytest.mark.parametrize("make", [lambda: optim.momentum(0.1, 0.9), lambda: optim.sgd(0.1, momentum=0.9)],
                         ids=["lecture-momentum", "pytorch-sgd-momentum"])
def test_heavy_ball_momentum_leaves_faster_matching_its_own_prediction(delta, make, lecture):
    loss, f = lecture
    plain = escape(loss, [0, 0], optim.gd(0.1), delta=delta, direction="eigen", f=f)
    heavy = escape(loss, [0, 0], make(), delta=delta, direction="eigen", f=f)
    assert heavy.escaped and heavy.steps < plain.steps
    assert heavy.growth_factor == pytest.approx(1.5)
    assert abs(heavy.steps - heavy.predicted_steps) <= 3


def test_a_start_on_the_stable_direction_does_not_escape_in_the_same_number_of_steps(lecture):
    loss, f = lecture
    along = escape(loss, [0, 0], optim.gd(0.1), delta=1e-6, direction="random", f=f)
    stable = escape(loss, [0, 0], optim.gd(0.1), delta=1e-6, direction="stable",
                    steps=along.steps, f=f)
    assert not stable.escaped
    assert stable.distances.max() < 0.1


def test_starting_exactly_at_the_saddle_is_stuck_not_an_error(lecture):
    loss, f = lecture
    report = escape(loss, [0, 0], optim.gd(0.1), delta=0, f=f)
    assert report.status == "stuck" and not report.escaped
    assert "gradient is zero" in report.prediction


def test_non_strict_saddle_is_reported_without_a_linear_prediction():
    report = escape("x**2 - y**4", [0, 0], optim.gd(0.1), delta=1e-3, steps=2000)
    assert not report.strict and report.predicted_steps is None
    assert "non-strict" in report.prediction
    # measured: y_{t+1} = y_t + 0.4*y_t**3 barely moves from 1e-3 in 2000 steps
    assert not report.escaped


def test_adaptive_methods_are_measured_but_not_predicted(lecture):
    loss, f = lecture
    report = escape(loss, [0, 0], optim.adam(0.01), delta=1e-6, f=f)
    assert report.escaped and report.predicted_steps is None
    assert "not applicable" in report.prediction


def test_bad_escape_arguments(lecture):
    loss, f = lecture
    with pytest.raises(ValueError, match="not a critical point"):
        escape(loss, [1, 2], optim.gd(0.1))
    with pytest.raises(ValueError, match="radius"):
        escape(loss, [0, 0], optim.gd(0.1), delta=0.5, radius=0.1)
    with pytest.raises(ValueError, match="direction"):
        escape(loss, [0, 0], optim.gd(0.1), direction="sideways")
    with pytest.raises(ValueError, match="2 parameter"):
        escape(loss, [0], optim.gd(0.1))


@pytest.mark.parametrize("method, start", [
    ("negative-curvature step", [0.0, 0.0]),
    ("perturbed gd", [0.0, 0.0]),
    ("saddle-free newton", [1e-6, -3e-7]),  # g = 0 exactly at the saddle: start beside it
])
def test_escape_methods_reach_a_minimum_from_the_lecture_saddle(method, start, lecture):
    loss, f = lecture
    optimizer = {"negative-curvature step": lambda: negative_curvature_descent(f.hess, f.value, 0.1),
                 "perturbed gd": lambda: perturbed_gd(0.1, value=f.value),
                 "saddle-free newton": lambda: saddle_free_newton(f.hess, 1.0)}[method]()
    trajectory = so.run(f, optimizer, np.array(start), steps=500)
    w1, w2 = trajectory.x
    assert w1 * w2 == pytest.approx(1.0, abs=1e-6)  # on the curve of global minima
    assert trajectory.fun < 1e-10


def test_negative_curvature_step_decreases_the_loss_at_the_saddle(lecture):
    loss, f = lecture
    opt = negative_curvature_descent(f.hess, f.value, 0.1)
    x = np.zeros(2)
    updates, _ = opt.update(f.grad(x), opt.init(x), x)
    assert abs(updates @ U) == pytest.approx(np.linalg.norm(updates))  # along u
    assert f.value(x + updates) < f.value(x)


def test_basins_of_the_lecture_loss_never_end_at_the_saddle(lecture):
    loss, f = lecture
    report = basins(loss, optim.gd(0.05), starts=400, steps=3000, seed=3)
    assert sum(report.counts.values()) == 400
    assert not any(label.startswith("saddle") for label in report.labels)
    assert report.counts.get("family w1*w2 - 1 = 0 (minimum)", 0) == 400


def test_basins_of_himmelblau_find_the_four_minima():
    report = basins("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", optim.adam(0.05),
                    starts=200, steps=3000, seed=0)
    minima = [k for k in report.counts if k.startswith("minimum")]
    assert len(minima) == 4
    assert sum(report.counts[k] for k in minima) + report.counts.get(
        "elsewhere (not at a known critical point)", 0) == 200


def test_cli_escape(capsys):
    from symopt.cli import main
    assert main(["escape", LECTURE, "--at", "0,0", "--optimizer", "gd", "--lr", "0.1",
                 "--delta", "1e-8", "--direction", "eigen", "--json"]) == 0
    import json
    facts = json.loads(capsys.readouterr().out)
    assert facts["escaped"] and facts["steps"] == hand_prediction(1e-8)
    assert main(["escape", LECTURE, "--at", "1,2"]) == 2
    assert "not a critical point" in capsys.readouterr().err


def test_public_names_stay_functions_after_their_modules_are_imported():
    import symopt.attraction  # noqa: F401
    import symopt.escaping  # noqa: F401
    import symopt.runner  # noqa: F401

    assert callable(so.escape) and so.escape is escape
    assert callable(so.basins) and callable(so.run)


def test_origin_of_the_three_factor_product_is_a_non_strict_saddle_escaped_slowly():
    # (1 - w1*w2*w3)**2: the Hessian at 0 vanishes; L - 1 = -2*w1*w2*w3 + ... is odd
    loss = "(1 - w1*w2*w3)**2"
    point = so.classify_point(loss, [0, 0, 0])
    assert point.kind is so.Kind.SADDLE and point.eigenvalues == (0, 0, 0)
    assert point.escape_directions == () and point.descent_curve is not None
    slow = escape(loss, [0, 0, 0], optim.gd(0.1), delta=1e-2, steps=20_000)
    assert not slow.strict and slow.predicted_steps is None and slow.cosine is None
    # measured: it does leave, but far slower than the strict lecture saddle from 1e-2 (13 steps)
    assert slow.escaped and slow.steps > 1000
    assert slow.loss_drop < 0
    assert "n/a" in str(slow)


# -- what the point is, said truthfully (kinds decided by hand) ---------------------------------
@pytest.mark.parametrize("loss, point, words", [
    # on w1*w2 = 1: L >= 0 = L(1, 1), H = [[2, 2], [2, 2]] singular: the curve of global minima
    (LECTURE, [1, 1], "non-strict minimum on a family of critical points (w1*w2 - 1 = 0, "
                      "global minima)"),
    (LECTURE, [0, 0], "strict saddle (a negative eigenvalue)"),  # H eigenvalues -2, 2
    ("x**2 + y**2", [0, 0], "strict minimum"),  # H = 2I
    ("x**4 + y**2", [0, 0], "non-strict minimum"),  # H = diag(0, 2), x**4 >= 0
    ("-x**2 - y**2", [0, 0], "strict maximum"),  # H = -2I
    ("x**3 + y**2", [0, 0], "non-strict saddle"),  # H = diag(0, 2), x**3 changes sign
])
def test_escape_says_what_the_point_is(loss, point, words):
    report = escape(loss, point, optim.gd(0.1), delta=1e-6, steps=50)
    assert report.point_kind.startswith(words)
    assert words in str(report)


def test_escape_direction_has_its_first_nonzero_coordinate_positive(lecture):
    loss, f = lecture
    # a start along -u leaves along -u; the direction itself is still (1, 1)/sqrt(2)
    report = escape(loss, [0, 0], optim.gd(0.1), delta=1e-6, direction=-U, f=f)
    assert report.escape_direction == pytest.approx(tuple(U))
    assert report.exit_side == -1 and report.exit_direction @ U < -0.999
    assert "u = (0.707107, 0.707107)" in str(report) and "along -u" in str(report)


def test_escape_json_carries_every_fact_of_the_text(capsys):
    from symopt.cli import main
    import json

    assert main(["escape", LECTURE, "--at", "0,0", "--direction", "eigen", "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["gradient"] == ["0", "0"]
    assert facts["hessian"] == [["0", "-2"], ["-2", "0"]]  # by hand at (0, 0)
    assert facts["point_kind"] == "strict saddle (a negative eigenvalue)"
    assert facts["escape_direction"] == pytest.approx(list(U)) and facts["exit_side"] == 1
    assert facts["eigenvalues"] == pytest.approx([-2.0, 2.0])


def test_escape_report_fields_are_keyword_only():
    import dataclasses

    from symopt.escaping import EscapeReport

    assert all(f.kw_only for f in dataclasses.fields(EscapeReport))
    with pytest.raises(TypeError):
        EscapeReport((0.0, 0.0), ("0", "0"), "gd")


def test_old_saddles_module_still_works_with_a_deprecation_warning(lecture):
    import importlib
    import sys

    loss, f = lecture
    sys.modules.pop("symopt.saddles", None)
    with pytest.warns(DeprecationWarning, match="symopt.saddles is deprecated"):
        old = importlib.import_module("symopt.saddles")
    assert old.escape is escape and old.basins is basins
    step = old.negative_curvature_descent(f, 0.1)  # the old signature: a compiled loss
    x = np.zeros(2)
    updates, _ = step.update(f.grad(x), step.init(x), x)
    assert f.value(x + updates) < f.value(x)
