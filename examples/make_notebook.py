"""Write examples/lecture_week2.ipynb: the week-2 lecture on training, worked with symopt.

The notebook is generated from the cells below so that changes stay reviewable as plain
Python; it is stored without outputs.  Run it with Jupyter (or nbclient); it writes its
figures into ``out/`` next to where it runs.

Usage: python examples/make_notebook.py [NOTEBOOK_PATH]
       (default: lecture_week2.ipynb beside this script)
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS: list[tuple[str, str]] = []


def md(text: str) -> None:
    CELLS.append(("markdown", textwrap.dedent(text).strip()))


def code(text: str) -> None:
    CELLS.append(("code", textwrap.dedent(text).strip()))


# --------------------------------------------------------------------------------- title
md("""
# Week 2: a guide to training, worked exactly with symopt

The lecture in six parts: what to do when the training loss is large, critical points and
saddles (and how to leave a saddle), batch size and momentum, learning rates and
schedules, classification, and batch normalization.  Every derivation below is computed
by symopt, exactly where the lecture's algebra is exact, and the places where the lecture
notes contain a mistake (**erratum**) are checked by an `assert`.

Figures are saved into `out/` beside the notebook.
""")
code("""
%matplotlib inline
from pathlib import Path

import numpy as np
import sympy as sp

import symopt as so
from symopt import ml, optim, plot
from symopt.attraction import basins
from symopt.escaping import escape, growth_factor

OUT = Path("out")
OUT.mkdir(exist_ok=True)
""")

# --------------------------------------------------------------------------------- 1
md("""
## 1. When the training loss is large

The lecture's procedure: compare models of different sizes.  If a **bigger** model reaches
a **higher** training loss than a smaller one, the optimizer failed (an optimization
issue: the bigger model could at least copy the smaller one).  Otherwise a large training
loss means the model is too simple (model bias).  A small training loss with a much
larger validation loss is overfitting; a good validation loss with a much worse test loss
on differently distributed data is a mismatch.  `symopt.ml.diagnose` applies these rules.
""")
code("""
print(ml.diagnose([{"model": "20 layers", "size": 20, "train_loss": 0.2},
                   {"model": "56 layers", "size": 56, "train_loss": 0.4}], large_loss=0.1))
""")
md("""
Model bias, exactly: fit a line and a parabola to data that lie on a parabola.  The
exact minimum of each training loss comes from its critical points, so the comparison
is not blurred by an optimizer.
""")
code("""
data = {"x": [-2, -1, 0, 1, 2], "y": [4, 1, 0, 1, 4]}          # y = x**2
line = so.Loss.from_model("w*x + b", data=data)
parabola = so.Loss.from_model("a*x**2 + w*x + b", data=data)
best = {name: so.critical_points(loss).minima[0].value for name, loss in
        [("line", line), ("parabola", parabola)]}
print(best)                                                     # exact training losses
assert best["line"] == sp.Rational(14, 5) and best["parabola"] == 0
line_only = ml.diagnose([{"model": "line", "size": 2, "train_loss": float(best["line"])}],
                        large_loss=0.1)
print(line_only)
both = ml.diagnose([{"model": "line", "size": 2, "train_loss": float(best["line"])},
                    {"model": "parabola", "size": 3, "train_loss": float(best["parabola"])}],
                   large_loss=0.1)
print(both.verdict)
assert (line_only.verdict, both.verdict) == ("model bias", "no problem found")
""")
code("""
print(ml.diagnose([{"model": "net", "size": 1e4, "train_loss": 0.01, "val_loss": 0.5}]).verdict)
""")

# --------------------------------------------------------------------------------- 2
md("""
## 2. Critical points: local minima and saddle points

Near $\\theta'$, $L(\\theta) \\approx L(\\theta') + (\\theta-\\theta')^T g + \\tfrac12
(\\theta-\\theta')^T H (\\theta-\\theta')$.  At a critical point $g = 0$, so
$L(\\theta' + v) \\approx L(\\theta') + \\tfrac12 v^T H v$: **with** the Hessian $H$
(**erratum**: the notes drop $H$).  The lecture's example: the model $y = w_1 w_2 x$ on
the one sample $(x, \\hat y) = (1, 1)$.
""")
code("""
loss = so.Loss.from_model("w1*w2*x", data={"x": [1], "y": [1]})
w1, w2 = loss.params
loss
""")
code("""
gradient = loss.gradient
hessian = loss.hessian
print("gradient:", [sp.factor(g) for g in gradient])
print("Hessian: ", hessian.tolist())
# erratum: the gradient is not [w1, w2]
assert sp.simplify(gradient[0] - (-2 * w2 * (1 - w1 * w2))) == 0
assert sp.simplify(gradient[1] - (-2 * w1 * (1 - w1 * w2))) == 0
# erratum: d2L/dw1^2 = 2*w2**2 is zero at the origin, not everywhere
assert hessian[0, 0] == 2 * w2**2
assert sp.expand(hessian[0, 1]) == 4 * w1 * w2 - 2
""")
code("""
analysis = so.critical_points(loss)
analysis
""")
code("""
saddle = analysis.saddles[0]
family = analysis.families[0]
print("saddle at", saddle.coords, "eigenvalues", saddle.eigenvalues)
print("escape direction", saddle.escape_directions[0], "for eigenvalue", saddle.negative_eigenvalues[0])
print("family:", family.equations, family.kind.value, "global minimum:", family.global_minimum)
# erratum: u = (1, 1) belongs to the eigenvalue -2, not 2
assert saddle.negative_eigenvalues == (-2,)
assert saddle.escape_directions[0] == (sp.sqrt(2) / 2, sp.sqrt(2) / 2)
assert hessian.subs({w1: 0, w2: 0}) == sp.Matrix([[0, -2], [-2, 0]])
""")
md("""
The second-order model with $H$ matches the loss near the saddle; without $H$ it does not.
""")
code("""
f = so.compile(loss)
H = f.hess([0.0, 0.0])
v = np.array([1e-3, 2e-3])
actual = f.value(v) - f.value([0.0, 0.0])
print(f"L(v) - L(0) = {actual:.6e}, v^T H v / 2 = {v @ H @ v / 2:.6e}, v^T v / 2 = {v @ v / 2:.6e}")
assert abs(actual - v @ H @ v / 2) < 1e-8
""")
code("""
fig = plot.landscape(loss, analysis=analysis)
fig.savefig(OUT / "landscape.png", dpi=120)
fig
""")
md("""
Beyond the notes: with a zero eigenvalue the second-order test says nothing and
higher-order terms decide.  symopt reads them off.
""")
code("""
for text in ["x**4 + y**4", "x**2 - y**4"]:
    point = so.critical_points(text).points[0]
    print(f"{text:12s} {point.kind.value:8s} degenerate={point.degenerate}: {point.reason}")
""")

# --------------------------------------------------------------------------------- escape
md("""
### Escaping the saddle

Along an eigenvector $u$ of $\\lambda < 0$, $u^T H u = \\lambda \\|u\\|^2 < 0$: stepping
along $u$ lowers the loss.  Gradient descent does it by itself from any start with a
component along $u$, which grows by $1 + \\eta|\\lambda|$ per step (momentum: faster).
""")
code("""
for name, optimizer in [("gd", optim.gd(0.1)), ("momentum", optim.momentum(0.1, decay=0.9))]:
    report = escape(loss, saddle, optimizer, delta=1e-6, radius=0.1, seed=0)
    print(report)
    assert report.steps == report.predicted_steps
""")
code("""
start = np.array([0.3, -0.25])
optimizers = {"gd": optim.gd(0.1), "momentum": optim.momentum(0.05, decay=0.9),
              "adagrad": optim.adagrad(0.2), "rmsprop": optim.rmsprop(0.01),
              "adam": optim.adam(0.05)}
runs = {name: so.run(loss, opt, start, steps=150) for name, opt in optimizers.items()}
for name, run in runs.items():
    print(f"{name:9s} ends at {np.round(run.x, 4)}, loss {run.fun:.2e}")
fig = plot.path_panels(loss, runs, analysis=analysis, columns=3)   # one panel each
fig.savefig(OUT / "paths.png", dpi=120)
fig
""")
code("""
# every start on the lecture's loss ends on its one curve of minima, so the basins are shown
# on Himmelblau's function, with four minima: one colour per basin
himmelblau = so.Loss.parse("(x**2 + y - 11)**2 + (x + y**2 - 7)**2")
report = basins(himmelblau, optim.gd(0.01), starts=300, steps=300, box=5.0,
                analysis=so.critical_points(himmelblau))
print(report)
fig = plot.basin_map(report)
fig.savefig(OUT / "basins.png", dpi=120)
fig
""")

# --------------------------------------------------------------------------------- 3
md("""
## 3. Batch size and momentum

A mini-batch of $B$ of the $N$ samples gives an unbiased but noisy gradient; its exact
covariance shrinks as $B$ grows and vanishes at $B = N$.  Per update a small batch is
cheaper; per epoch, with parallel hardware, the large batch needs fewer updates.
""")
code("""
x = np.linspace(-1, 1, 64)
regression = so.Loss.from_model("w*x + b", data={"x": x, "y": 2 * x + 0.3 * np.sin(7 * x)})
for batch in (1, 4, 16, 64):
    moments = ml.minibatch_gradient_moments(regression, [0.0, 0.0], batch_size=batch)
    print(f"B = {batch:2d}: {ml.updates_per_epoch(64, batch):2d} updates/epoch, "
          f"gradient noise (trace of the covariance) {moments.noise:.4f}")
""")
code("""
print(ml.batch_size_table(regression, [0.0, 0.0], 0.2, timing_budget=0.01, repeats=1))
""")
code("""
small = so.run(regression, optim.gd(0.05), [1.0, -1.0], batch_size=1, epochs=4, seed=0)
full = so.run(regression, optim.gd(0.05), [1.0, -1.0], steps=small.nit)
fig = plot.trajectories(regression, {"batch size 1": small, "full batch": full})
fig.savefig(OUT / "batch_size.png", dpi=120)
fig
""")
md("""
Momentum: $m^0 = 0$, $m^t = \\lambda m^{t-1} - \\eta g^{t-1}$, $\\theta^t = \\theta^{t-1} + m^t$.
On a narrow valley the small, steady gradient along the floor accumulates.
""")
code("""
valley = so.Loss.parse("x**2/100 + 2*y**2")
valley_runs = {"gd": so.run(valley, optim.gd(0.25), [-8.0, 1.5], steps=300),
               "momentum": so.run(valley, optim.momentum(0.25, decay=0.9), [-8.0, 1.5], steps=300)}
for name, run in valley_runs.items():
    print(f"{name:9s} loss after 300 steps {run.fun:.3e}")
fig = plot.trajectories(valley, valley_runs)
fig.savefig(OUT / "momentum.png", dpi=120)
fig
""")
code("""
fig = plot.loss_curves(valley_runs, loss=valley)
fig.savefig(OUT / "momentum_losses.png", dpi=120)
fig
""")

# --------------------------------------------------------------------------------- 4
md("""
## 4. Learning rates

On the valley no constant learning rate suits both directions: $\\eta = 2/\\lambda_{max}$
makes $y$ bounce between the walls with a large gradient (the loss stalls), a small
$\\eta$ crawls along $x$.  Adagrad, RMSProp and Adam scale each parameter by its own
$\\sigma_i$.  Their exact rules:
""")
code("""
from IPython.display import Markdown
from symopt.report.handout import RULE_NAMES
Markdown("\\n\\n".join(f"**{RULE_NAMES['en'][name]}**: $${optim.RULES[name]}$$"
                       for name in ("adagrad_lecture", "rmsprop_lecture", "adam")))
""")
code("""
rate_runs = {"gd, lr 0.5": optim.gd(0.5), "gd, lr 0.01": optim.gd(0.01),
             "adagrad": optim.adagrad(1.0), "rmsprop": optim.rmsprop(0.1),
             "adam": optim.adam(0.3)}
rate_runs = {name: so.run(valley, opt, [-8.0, 1.5], steps=300) for name, opt in rate_runs.items()}
for name, run in rate_runs.items():
    print(f"{name:12s} loss {run.fun:.3e}, gradient norm {run.grad_norm:.3e}")
assert rate_runs["gd, lr 0.5"].grad_norm > 1 and rate_runs["adam"].fun < 1e-6
fig = plot.loss_curves(rate_runs, loss=valley)
fig.savefig(OUT / "learning_rates.png", dpi=120)
fig
""")
md("""
Schedules change $\\eta^t$: decay shrinks it over training; warm-up first grows it, as in
the Transformer schedule $\\eta^t = d^{-1/2} \\min(t^{-1/2}, t \\cdot w^{-3/2})$.
""")
code("""
schedules = {"step decay": optim.step_decay(0.1, step_size=75, gamma=0.5),
             "cosine": optim.cosine(0.1, total_steps=300),
             "warm-up + cosine": optim.warmup_cosine(0.1, warmup_steps=30, total_steps=300),
             "transformer": optim.transformer(64, warmup_steps=30)}
fig = plot.schedule(schedules, 300)
fig.savefig(OUT / "schedules.png", dpi=120)
fig
""")

# --------------------------------------------------------------------------------- 5
md("""
## 5. Classification

$y' = \\mathrm{softmax}(y)$, $y'_i = \\exp(y_i) / \\sum_j \\exp(y_j)$ (**erratum**: the
notes write $\\exp(y_i)$ in the denominator's sum), so $0 < y'_i < 1$ and
$\\sum_i y'_i = 1$ (**erratum**: not $\\sum_i y_i = 1$).  With cross-entropy
$e = -\\sum_i \\hat y_i \\ln y'_i$, $\\partial e / \\partial y_i = y'_i - \\hat y_i$.
""")
code("""
y = ml.logit_symbols(3)
soft = ml.softmax(3)
print(soft)
assert sp.simplify(sum(soft).rewrite(sp.log)) == 1
gradient_e = ml.cross_entropy_gradient(3)
yhat = ml.target_symbols(3)
print(gradient_e)
# with sum(yhat) = 1 the derivative is softmax - yhat
assert all(sp.simplify(g - (s - t)) == 0 for g, s, t in
           zip(gradient_e[:2], soft[:2], yhat[:2]))
# two classes: softmax is the sigmoid of the difference of the logits
two = ml.softmax(2)
y1, y2 = ml.logit_symbols(2)
assert sp.simplify((two[0] - ml.sigmoid(y1 - y2)).rewrite(sp.log)) == 0
""")
code("""
points = {"x": [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0], "y": [0, 0, 1, 0, 1, 1]}
classifier = so.Loss.from_model(["w*x + b", "0"], points, loss="cross_entropy",
                                params=["w", "b"])
classes = so.critical_points(classifier, timeout=3, starts=64)
print([(np.round(p.numeric, 6), p.kind.value) for p in classes.points], classes.method)
fitted = so.run(classifier, optim.adam(0.1), [2.0, 1.5], steps=300)
print("adam ends at", np.round(fitted.x, 4), "loss", round(float(fitted.fun), 6))
fig = plot.trajectories(classifier, {"adam": fitted}, analysis=classes)
fig.savefig(OUT / "classification.png", dpi=120)
fig
""")
md("""
Why cross-entropy rather than squared error for a classifier: where the model is
confidently wrong, the squared error of the softmax output is flat (its gradient
vanishes), while the cross-entropy keeps a gradient.
""")
code("""
print(ml.compare_mse_cross_entropy())
""")

# --------------------------------------------------------------------------------- 6
md("""
## 6. Feature scaling and batch normalization

With $x_1$ in 1..10 and $x_2$ in 1000..10000 the error surface of $y = w_1 x_1 + w_2 x_2 + b$
is steep in one direction and flat in the other: its Hessian's condition number is huge,
so one learning rate cannot fit.  Standardising each feature, $(x - \\mu) / \\sigma$, makes
it close to 1.
""")
code("""
experiment = ml.feature_scaling_experiment(ml.lecture_data(100))
print(experiment)
assert experiment.kappa_raw > 1e6 and experiment.kappa_scaled < 2
""")
code("""
raw_data = ml.lecture_data(100)
scaled_features, stats = ml.standardize({"x1": raw_data["x1"], "x2": raw_data["x2"]})
raw = so.Loss.from_model("w1*x1 + w2*x2", data=raw_data, params=["w1", "w2"])
# standardised features have mean 0, so the best bias is the mean of y whatever w1, w2 are:
# the loss over (w1, w2) at that bias is the loss of the centred targets
centred = raw_data["y"] - raw_data["y"].mean()
scaled = so.Loss.from_model("w1*x1 + w2*x2", data={**scaled_features, "y": centred},
                            params=["w1", "w2"])
import matplotlib.pyplot as plt
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5), layout="constrained")
minimum = so.critical_points(raw).points[0].numeric
# equal extents and equal axes: the true shape of the error surface around each minimum
plot.landscape(raw, (minimum[0] - 3, minimum[0] + 3, minimum[1] - 3, minimum[1] + 3), ax=left)
best = so.critical_points(scaled).points[0].numeric
plot.landscape(scaled, (best[0] - 3, best[0] + 3, best[1] - 3, best[1] + 3), ax=right)
for ax in (left, right):
    ax.set_aspect("equal")
left.set_title("raw features: steep in w2, flat in w1")
right.set_title("standardised features (bias at its best)")
fig.savefig(OUT / "feature_scaling.png", dpi=120)
""")
md("""
Batch normalization standardises each layer's inputs with the batch's own mean and
variance, then applies a learnable $\\gamma, \\beta$.  Every input enters the batch
statistics, so the gradient couples the whole batch.  At test time there is no batch:
use the training set's statistics or moving averages
$\\bar\\mu \\leftarrow p \\bar\\mu + (1 - p) \\mu^t$.
""")
code("""
layer = ml.batch_norm(3, eps=0)
print("mean:", layer.mean)
print("outputs at x = (1, 2, 6), gamma = 1, beta = 0:", layer.evaluate([1.0, 2.0, 6.0], 1.0, 0.0).ravel())
gradient_bn = ml.batch_norm_gradient(layer, weights=[[1], [0], [0]])
values = gradient_bn.evaluate([0.0, 1.0, 5.0], gamma=2.0, beta=0.0)
print("d out_1 / d x:", values["inputs"].ravel(), "(sums to 0: shifting the batch changes nothing)")
""")
code("""
print(ml.batch_norm_inference((4, 64), steps=100))
""")
md("""
## Figures written

Everything above is saved in `out/`.
""")
code("""
written = sorted(p.name for p in OUT.glob("*.png"))
print(written)
assert {"landscape.png", "paths.png", "basins.png", "schedules.png",
        "classification.png", "feature_scaling.png"} <= set(written)
""")


def build() -> nbformat.NotebookNode:
    """The notebook, without outputs."""
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    for kind, text in CELLS:
        notebook.cells.append(new_markdown_cell(text) if kind == "markdown"
                              else new_code_cell(text))
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:02d}"
    return notebook


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("lecture_week2.ipynb")
    notebook = build()
    nbformat.validate(notebook)
    nbformat.write(notebook, target)
    print(f"wrote {target} ({len(notebook.cells)} cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
