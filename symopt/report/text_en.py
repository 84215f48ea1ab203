"""The English sentences of derivations: one template per key, ``{name}`` marks inline math.

Templates hold plain text only; every ``{field}`` is filled with a SymPy object (typeset as
inline math) or a short plain string.  :mod:`symopt.report.text_zh` has the same keys.
"""

from __future__ import annotations

TEXT: dict[str, str] = {
    # derivation of a loss
    "title": "Derivation: the critical points of {loss}",
    "h_loss": "The loss",
    "loss_text": "The loss is a function of the parameters {params}.",
    "h_model": "Model, data and loss",
    "model_text": ("The model's output is compared with the target {target} of each of the "
                   "{n} sample(s) by the squared error; substituting the data gives the loss."),
    "model_text_many": ("The loss is the mean squared error over {n} samples; each sample "
                        "contributes {sample}."),
    "h_first": "First partial derivatives",
    "first_text": "Differentiate the loss with respect to each parameter (chain rule).",
    "h_second": "Second partial derivatives",
    "second_text": ("Differentiate each first derivative again; the mixed derivatives agree, "
                    "so the Hessian is symmetric."),
    "h_gradient": "Gradient",
    "gradient_text": "The gradient g collects the first derivatives.",
    "h_hessian": "Hessian",
    "hessian_text": "The Hessian H collects the second derivatives.",
    "h_solve": "Solving the gradient equal to zero",
    "solve_text": ("Each component of the gradient is factored: it vanishes exactly when one of "
                   "its factors does. Choosing one vanishing factor per component gives {count} "
                   "case(s), those implied by a smaller one left out:"),
    "solve_many": ("Each component of the gradient is factored; the {count} combinations of "
                   "factors are too many to list, so the critical points below are the result."),
    "solve_numeric": ("The gradient does not factor usefully; the critical points below come "
                      "from the analysis ({method}) and are verified."),
    "solve_none": "A component of the gradient never vanishes: there is no critical point.",
    "everywhere": "everywhere",
    "or": "or",
    "family": "a set of critical points",
    "no_solution": "no solution (the equations are inconsistent)",
    "no_new_solution": "no further critical points",
    "h_critical": "Critical points",
    "critical_text": ("{points} isolated critical point(s) and {families} set(s) of critical "
                      "points; {complete}."),
    "complete": "the list is proven complete",
    "incomplete": "the list is not proven complete",
    # one point
    "h_point_hessian": "Point {i}: the Hessian at {point}",
    "point_hessian_text": "Substitute the point into the Hessian.",
    "point_hessian_approx": ("Substitute the point into the Hessian; the coordinates are roots "
                             "of polynomials, shown to 8 digits."),
    "h_charpoly": "Characteristic polynomial",
    "charpoly_text": "The eigenvalues of H are the roots of its characteristic polynomial.",
    "h_eigen": "Eigenvalues and eigenvectors",
    "eigen_text": "Each eigenvalue with its eigenvectors {v}, the solutions of {system}.",
    "h_kind": "Classification: {kind}",
    "kind_min": ("All eigenvalues are positive: H is positive definite, so the point is a local "
                 "minimum."),
    "kind_max": ("All eigenvalues are negative: H is negative definite, so the point is a local "
                 "maximum."),
    "kind_saddle": ("H has {pos} positive and {neg} negative eigenvalue(s): it is indefinite, so "
                    "the point is a saddle point."),
    "kind_singular": ("H is singular ({zero} zero eigenvalue(s)) and has no eigenvalues of "
                      "opposite signs, so the second-order test cannot decide; higher-order "
                      "terms do."),
    "ho_min": ("Along the null directions (coordinates s) the loss changes by the form below, of "
               "order {order}, which is positive definite: a local minimum."),
    "ho_max": ("Along the null directions (coordinates s) the loss changes by the form below, of "
               "order {order}, which is negative definite: a local maximum."),
    "ho_saddle_odd": ("Along the null directions (coordinates s) the loss changes by the form "
                      "below, of odd order {order}, which takes both signs: a saddle point."),
    "ho_saddle": ("Along the null directions (coordinates s) the loss changes by the form below, "
                  "of order {order}, which falls in some direction: a saddle point."),
    "ho_none": "The higher-order test does not decide ({reason}).",
    "numeric_note": ("The point was located numerically; its eigenvalue signs are clear of "
                     "rounding error."),
    "word_minimum": "local minimum",
    "word_maximum": "local maximum",
    "word_saddle": "saddle point",
    "word_inconclusive": "inconclusive",
    "h_escape": "Escaping the saddle",
    "escape_text": ("Take an eigenvector {u} of an eigenvalue {lam}: then {curvature}, so "
                    "stepping from {p} along {u} lowers the loss; checked exactly at {step}."),
    "escape_text_approx": ("Take an eigenvector {u} of an eigenvalue {lam}: then {curvature}, "
                           "so stepping from {p} along {u} lowers the loss; the point is known "
                           "to digits, so this is checked in 40-digit arithmetic at {step}."),
    "escape_curve": ("H has no negative eigenvalue, so no straight direction lowers the loss to "
                     "second order; the loss falls along the curve below instead."),
    "escape_none": "No descent direction was found for this saddle.",
    "h_family": "Set {i} of critical points (dimension {dim})",
    "family_global": ("On this set the loss equals {value}, and the loss is nowhere smaller: every "
                      "point of it is a global minimum."),
    "family_kind": ("At sample points the Hessian has {dim} zero eigenvalue(s), along the set, "
                    "and the others make it a {kind}."),
    "family_unknown": "The kind of this set is not decided ({reason}).",
    # optimizer rules
    "h_rules": "Update rules of the optimizers and learning-rate schedules",
    "rules_text": ("{t} counts updates, {g} is the gradient and {eta} the learning rate of "
                   "step {t}; operations are elementwise."),
    "rule_optimizer": "The optimizer {name}:",
    "rule_schedule": "The learning-rate schedule {name}:",
    "rule_transform": "The transform {name}:",
    # the week-2 lecture
    "lec_title": ("Week 2: critical points, optimizers and classification (with the errata "
                  "corrected)"),
    "lec_s_theory": "Critical points: local minima and saddle points",
    "lec_h_taylor": "The loss near a point",
    "lec_taylor": ("Near a point {p}, the loss is approximated by its Taylor polynomial of "
                   "order two, with the gradient {g} and the Hessian {H} at {p}."),
    "lec_h_critical_taylor": "At a critical point",
    "lec_critical_taylor": ("At a critical point {g}, so with {v} only the Hessian term is left; "
                            "its sign decides what kind of point it is."),
    "lec_h_definiteness": "The kind of a critical point",
    "lec_definiteness": ("H positive definite (all eigenvalues positive): local minimum; negative "
                         "definite: local maximum; eigenvalues of both signs: saddle point. With "
                         "zero eigenvalues the second-order test cannot decide and higher-order "
                         "terms do, as in these two losses at the origin:"),
    "lec_h_escape": "Escaping a saddle point",
    "lec_escape": ("For an eigenvector {u} of H with eigenvalue {lam}, {uhu} is negative, so "
                   "moving from {p} to {pu} lowers the loss. It is rarely done in practice: "
                   "second derivatives are expensive."),
    "lec_s_example": "Worked example",
    "lec_example": ("The model {model} on the training set {data} with the squared error gives "
                    "the loss {loss}."),
    "lec_h_example_quadratic": "The quadratic approximation at the origin",
    "lec_example_quadratic": ("The gradient vanishes at the origin, so near it the loss is "
                              "L(0, 0) plus the Hessian term:"),
    "lec_s_softmax": "Classification: softmax and cross-entropy",
    "lec_h_softmax": "Softmax",
    "lec_softmax": ("Softmax turns any outputs y into values strictly between 0 and 1 that sum "
                    "to 1; the sum in the denominator runs over all classes j."),
    "lec_h_sigmoid": "Two classes",
    "lec_sigmoid": "With two classes softmax is the sigmoid of the difference of the outputs.",
    "lec_h_cross_entropy": "Cross-entropy",
    "lec_cross_entropy": ("The loss of one sample is the cross-entropy with the one-hot target; "
                          "minimising it maximises the likelihood, and its derivative is simple."),
}
