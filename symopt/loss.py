"""The Loss: an expression, its ordered real parameters, and (optionally) its dataset.

A :class:`Loss` is built from text (parsed safely), from a SymPy expression, or from
a model expression and a dataset.  Its exact gradient and Hessian are computed once,
on first use.

Data losses keep the data as data: one per-sample expression plus the data arrays.
Derivatives are taken of the per-sample expression, never of an N-term sum.  Small
exact datasets are substituted (so derivations show the steps a lecture shows); a
model polynomial in its parameters is summed by parameter monomials, so the size of
the exact loss does not grow with the number of samples.
"""

from __future__ import annotations

import importlib
import numbers
import warnings
from functools import cached_property
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from .errors import ParseError, ParseNote
from .dataset import SMALL_DATA, Dataset, exact_number, exact_values, read_columns
from .functions import cross_entropy
from .parse import natural_key, parse_expression
from .parse.display import Written, as_written, evaluated

__all__ = ["Loss", "Dataset", "SMALL_DATA", "as_loss"]

_LOSS_KINDS = ("mse", "cross_entropy")
_REDUCTIONS = ("mean", "sum")


def _realify(expr: sp.Expr) -> sp.Expr:
    """Replace every free symbol by a real symbol of the same name."""
    mapping = {s: sp.Symbol(s.name, real=True) for s in expr.free_symbols
               if isinstance(s, sp.Symbol) and s.is_real is not True}
    return expr.xreplace(mapping) if mapping else expr


def _exact_constants(expr: sp.Expr) -> sp.Expr:
    """Turn floating-point constants into the exact rationals they were written as."""
    floats = expr.atoms(sp.Float)
    if not floats:
        return expr
    return expr.xreplace({f: _exact_number(float(f)) for f in floats})


_exact_number = exact_number


def _to_symbol(p: Any) -> sp.Symbol:
    if isinstance(p, sp.Symbol):
        return sp.Symbol(p.name, real=True)
    if isinstance(p, str):
        name = p.strip()
        if not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"parameter name {p!r} is not a valid name; use names such as w1, w2")
        return sp.Symbol(name, real=True)
    raise TypeError(f"parameter {p!r} must be a name (str) or a sympy Symbol")


def _normalise_params(params: Any) -> list[sp.Symbol] | None:
    if params is None:
        return None
    if isinstance(params, str):
        params = [part for part in params.split(",") if part.strip()]
    symbols = [_to_symbol(p) for p in params]
    names = [s.name for s in symbols]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"parameter {duplicates[0]!r} is listed twice; list each parameter once")
    if not symbols:
        raise ValueError("no parameters given; name at least one, e.g. params=['w1', 'w2']")
    return symbols


def _sorted_symbols(symbols: Iterable[sp.Symbol]) -> tuple[sp.Symbol, ...]:
    return tuple(sorted(symbols, key=lambda s: natural_key(s.name)))


class Loss:
    """A loss function of ordered real parameters.

    Parameters
    ----------
    expr : sympy.Expr
        The loss.  Floating-point constants are made exact rationals; symbols are real.
    params : sequence of str or Symbol, optional
        The parameters, in order.  Default: every free symbol, in natural name order
        (``w2`` before ``w10``).

    Examples
    --------
    >>> loss = Loss.parse("(1 - w1*w2)**2")
    >>> loss.params
    (w1, w2)
    >>> loss.hessian.subs({w: 0 for w in loss.params})
    Matrix([
    [ 0, -2],
    [-2,  0]])
    """

    def __init__(self, expr: Any, params: Any = None, dataset: Dataset | None = None):
        self._data = dataset
        self._notes: tuple[str, ...] = ()
        self._written: Written | None = None
        if dataset is not None and not dataset.substituted and expr is None:
            # a loss over data: the per-sample loss is dataset.sample_expr; the whole
            # expression is built only on request (see expr)
            self._params = self._data_params(params, dataset)
            self._expr = None
            return
        if isinstance(expr, str):
            raise TypeError("Loss(...) takes a sympy expression; for text use Loss.parse(text)")
        if not isinstance(expr, sp.Expr) or isinstance(expr, sp.MatrixBase):
            raise TypeError(
                f"a loss must be a scalar sympy expression, got {type(expr).__name__}; "
                "for text use Loss.parse(text)")
        if expr.has(sp.I) or expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise ValueError(f"the loss {expr} is not a real finite expression")
        undefined = sorted(expr.atoms(AppliedUndef), key=str)
        if undefined:
            raise ValueError(f"the loss holds the undefined function {undefined[0]}; write its "
                             "formula instead (symopt differentiates and evaluates formulas)")
        expr = _exact_constants(_realify(sp.sympify(expr)))
        given = _normalise_params(params)
        data_names = set(dataset.columns) if dataset is not None else set()
        free = {s for s in expr.free_symbols if s.name not in data_names}
        if given is None:
            if not free:
                raise ValueError(f"the loss {expr} has no parameters (no free symbols)")
            self._params = _sorted_symbols(free)
        else:
            extra = sorted((s.name for s in free if s not in given), key=natural_key)
            if extra:
                raise ValueError(
                    f"the loss uses {', '.join(extra)} which is not a parameter; add it to "
                    f"params ({', '.join(s.name for s in given)}) or substitute a number for it")
            self._params = tuple(given)
        self._expr = expr

    @staticmethod
    def _data_params(params: Any, dataset: Dataset) -> tuple[sp.Symbol, ...]:
        """The parameters of a loss over ``dataset``: given, or the model's other symbols."""
        given = _normalise_params(params)
        columns = set(dataset.columns)
        model = dataset.model
        if given is not None:
            both = [s.name for s in given if s.name in columns]
            if both:
                raise ValueError(f"{both[0]!r} is both a parameter and a data column; rename one")
        candidate = _sorted_symbols({s for s in model.free_symbols if s.name not in columns})
        param_symbols = tuple(given) if given is not None else candidate
        if not param_symbols:
            raise ValueError(f"the model {model} has no parameters")
        extra = [s.name for s in model.free_symbols
                 if s.name not in columns and s not in param_symbols]
        if extra:
            raise ValueError(f"the model uses {', '.join(sorted(extra))} which is neither a "
                             "parameter nor a data column; add it to params or to the data")
        return param_symbols

    # -- construction -------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, params: Any = None, *, limits: Any = None,
              strict: bool = False) -> "Loss":
        """Build a loss from text, parsed by symopt's safe parser (never eval).

        ``limits`` raises the parser's limits by name, e.g. ``{"max_degree": 5000}``
        (see :class:`symopt.parse.Limits`).

        Text that may be misread is noted, one line each, as a :class:`~symopt.errors.ParseNote`
        warning and on :attr:`notes`: a name that runs other names together (``w1w2`` beside
        ``w1`` and ``w2``, or a run of letter-digit groups), and, when ``params`` is not
        given, a name that usually holds data (``x``, ``y``, ...) taken as a parameter.
        With ``strict=True`` the first note is a :class:`~symopt.errors.ParseError` instead.

        Examples
        --------
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     loss = Loss.parse("(1 - w1w2)**2")
        >>> loss.notes
        ("'w1w2' is read as one name; if you meant a product, write w1*w2",)
        >>> [type(w.message).__name__ for w in caught]
        ['ParseNote']
        >>> Loss.parse("(1 - w1*w2*x)**2", params="w1, w2, x").notes
        ()
        """
        from .parse.ambiguity import misreadings

        expr = parse_expression(text, limits=limits)
        notes = misreadings((s.name for s in expr.free_symbols), params_given=params is not None)
        if notes and strict:
            raise ParseError(f"{notes[0]} (strict=True)")
        loss = cls(expr, params)
        loss._notes = notes
        loss._written = _written_form(text, loss.expr)
        for note in notes:
            warnings.warn(note, ParseNote, stacklevel=2)
        return loss

    @property
    def written(self) -> Written | None:
        """The loss as its text was written, for display: the writer's own form and term
        order (``(1 - w1*w2)**2`` stays so; SymPy's ``expr`` prints ``(-w1*w2 + 1)**2``).
        None when the loss was not parsed from text.  Never used for computing."""
        return self._written

    @property
    def notes(self) -> tuple[str, ...]:
        """One line for each way the text may have been misread (see :meth:`parse`)."""
        return self._notes

    @classmethod
    def from_model(cls, model: Any, data: Mapping[str, Sequence[Any]], target: str = "y",
                   loss: str = "mse", reduction: str = "mean", params: Any = None) -> "Loss":
        """A loss from a model expression and a dataset.

        Parameters
        ----------
        model : str or sympy.Expr, or a sequence of them for ``loss="cross_entropy"``
            The model's output in its parameters and the data's feature names; for
            classification, one logit per class.
        data : mapping of column name to a sequence of numbers
            Feature columns and the target column, all of one length N.  For
            cross-entropy the target column holds integer class labels 0..K-1, or one
            row of K class probabilities (one-hot) per sample.
        target : str
            The column holding the targets (default ``"y"``).
        loss : {"mse", "cross_entropy"}
            Squared error per sample ``(target - model)**2``, or the cross-entropy
            ``-sum_i yhat_i log softmax(y)_i`` of the logits ``y`` against the one-hot
            labels ``yhat`` (written with :class:`~symopt.functions.LogSumExp`).
        reduction : {"mean", "sum"}
            How per-sample losses combine.
        params : optional
            The parameters; default: the model's free symbols that are not data columns.

        Notes
        -----
        Small exact datasets (at most ``SMALL_DATA`` samples of exact numbers) are
        substituted; larger ones keep one per-sample expression plus the data arrays.

        Examples
        --------
        >>> Loss.from_model("w1*w2*x", data={"x": [1], "y": [1]}).expr
        (-w1*w2 + 1)**2
        """
        # 1. the options and the shape of the data
        if loss not in _LOSS_KINDS:
            raise ValueError(f"loss={loss!r} is not known; use one of {', '.join(_LOSS_KINDS)}")
        if reduction not in _REDUCTIONS:
            raise ValueError(f"reduction={reduction!r} is not known; use 'mean' or 'sum'")
        if not isinstance(data, Mapping) or not data:
            raise TypeError("data must be a mapping of column name to values, "
                            "e.g. {'x': [1, 2], 'y': [1, 3]}")
        if target not in data:
            raise ValueError(f"the target column {target!r} is not in the data "
                             f"(columns: {', '.join(map(str, data))}); pass target='...'")
        # 2. validate the numbers before any symbolic work (dataset.py states the policy)
        raw: dict[str, Any] = {str(k): v for k, v in data.items()}
        labels = raw.pop(target) if loss == "cross_entropy" else None
        arrays = read_columns(raw, tuple(raw))
        # 3. the per-sample loss
        if loss == "cross_entropy":
            outputs = _model_outputs(model)
            onehot, target_names = _expand_labels(labels, target, len(outputs), raw)
            arrays.update(read_columns(onehot, tuple(onehot)))
            raw.update(onehot)
            sample_expr = cross_entropy(outputs, [sp.Symbol(n, real=True) for n in target_names])
            model_expr: sp.Basic = sp.Tuple(*outputs)
        else:
            if isinstance(model, (list, tuple)):
                raise TypeError(f"loss={loss!r} takes one model expression; a list of logits "
                                "needs loss='cross_entropy'")
            model_expr = _model_outputs(model)[0]
            target_names = [target]
            sample_expr = (sp.Symbol(target, real=True) - model_expr) ** 2
        # 4. columns: equal lengths, each used
        lengths = {k: len(v) for k, v in arrays.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError("data columns differ in length: "
                             + ", ".join(f"{k}: {n}" for k, n in lengths.items()))
        n_samples = next(iter(lengths.values()))
        if n_samples == 0:
            raise ValueError("the dataset is empty; give at least one sample")
        model_names = {s.name for s in model_expr.free_symbols}
        clash = [name for name in target_names if name in model_names]
        if clash:
            raise ValueError(f"the model uses the target {clash[0]!r} itself; the model may use "
                             "features and parameters only")
        columns = [k for k in arrays if k in target_names or k in model_names]
        unused = [k for k in arrays if k not in columns]
        if unused:
            raise ValueError(f"data column(s) {', '.join(unused)} are not used by the model "
                             f"{model_expr}; remove them or use them in the model")
        # 5. the record; small exact data are substituted sample by sample
        exact = exact_values(raw, columns, n_samples)
        dataset = Dataset(
            arrays={k: arrays[k] for k in columns}, columns=tuple(columns),
            n_samples=n_samples, reduction=reduction, kind=loss, model=model_expr,
            sample_expr=sample_expr, target=sp.Symbol(target, real=True),
            targets=tuple(target_names),
            features=tuple(sorted((k for k in columns if k not in target_names),
                                  key=natural_key)),
            substituted=exact is not None, exact=exact)
        if exact is None:
            return cls(None, params, dataset)
        Loss._data_params(params, dataset)          # the same checks as for large data
        scale = sp.Rational(1, n_samples) if reduction == "mean" else sp.Integer(1)
        symbols = dataset.symbols()
        terms = [sample_expr.xreplace({s: exact[k][i] for s, k in zip(symbols, columns)})
                 for i in range(n_samples)]
        expr = scale * sp.Add(*terms) if n_samples > 1 else terms[0]
        return cls(expr, params, dataset)

    # -- facts ----------------------------------------------------------------------
    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        """The parameters, in order."""
        return self._params

    @property
    def n_params(self) -> int:
        return len(self._params)

    @property
    def is_data_loss(self) -> bool:
        """True when the loss keeps a per-sample expression plus data arrays."""
        return self._data is not None and not self._data.substituted

    @property
    def model(self) -> sp.Expr | None:
        return self._data.model if self._data else None

    @property
    def sample_expr(self) -> sp.Expr | None:
        """The per-sample loss in the parameters and the data symbols (data losses)."""
        return self._data.sample_expr if self._data else None

    @property
    def data(self) -> dict[str, np.ndarray] | None:
        """The data columns as read-only float arrays (None for a plain expression)."""
        return dict(self._data.arrays) if self._data else None

    @property
    def data_symbols(self) -> tuple[sp.Symbol, ...]:
        """The symbols of the per-sample expression that the data columns feed."""
        if not self._data:
            return ()
        return self._data.symbols()

    @property
    def n_samples(self) -> int | None:
        return self._data.n_samples if self._data else None

    @property
    def dataset(self) -> Dataset | None:
        """The frozen :class:`~symopt.dataset.Dataset` record of a loss over data, else None."""
        return self._data

    @property
    def reduction(self) -> str | None:
        return self._data.reduction if self._data else None

    @property
    def expr(self) -> sp.Expr:
        """The whole loss as one exact expression.

        For a data loss polynomial in its parameters it is summed by parameter
        monomials (its size does not grow with N); otherwise it is the explicit sum
        over samples, built only when asked for.
        """
        if self._expr is None:
            self._expr = self._build_data_expr()
        return self._expr

    @cached_property
    def gradient(self) -> sp.Matrix:
        """The exact gradient, an n x 1 SymPy matrix."""
        if self.is_data_loss and not self._is_monomial_summable():
            return self._mean_over_samples(self.sample_gradient)
        expr = self.expr
        return sp.Matrix([sp.diff(expr, p) for p in self._params])

    @cached_property
    def hessian(self) -> sp.Matrix:
        """The exact Hessian, an n x n symmetric SymPy matrix."""
        if self.is_data_loss and not self._is_monomial_summable():
            return self._mean_over_samples(self.sample_hessian)
        return _jacobian_symmetric(self.gradient, self._params)

    @cached_property
    def sample_gradient(self) -> sp.Matrix | None:
        """Gradient of the per-sample expression (data losses), else None."""
        if self.sample_expr is None:
            return None
        return sp.Matrix([sp.diff(self.sample_expr, p) for p in self._params])

    @cached_property
    def sample_hessian(self) -> sp.Matrix | None:
        """Hessian of the per-sample expression (data losses), else None."""
        grad = self.sample_gradient
        return None if grad is None else _jacobian_symmetric(grad, self._params)

    def value_at(self, point: Sequence[Any]) -> sp.Expr:
        """The exact loss at a point given in parameter order."""
        return sp.simplify(self.expr.xreplace(self._point_map(point)))

    def _point_map(self, point: Sequence[Any]) -> dict:
        if len(point) != len(self._params):
            raise ValueError(f"a point needs {len(self._params)} coordinates "
                             f"({', '.join(p.name for p in self._params)}), got {len(point)}")
        return {p: sp.sympify(_exact_number(v)) if not isinstance(v, sp.Basic) else v
                for p, v in zip(self._params, point)}

    # -- data losses ----------------------------------------------------------------
    def _is_monomial_summable(self) -> bool:
        if self._data.kind != "mse":
            return False
        try:
            sp.Poly(self._data.model, *self._params)
        except sp.PolynomialError:
            return False
        return True

    def _mean_over_samples(self, matrix: sp.Matrix) -> sp.Matrix:
        """The exact mean (or sum) of a per-sample matrix: O(N) symbolic work, on request."""
        info = self._data
        values = info.exact_columns()
        symbols = info.symbols()
        total = sp.zeros(*matrix.shape)
        for i in range(info.n_samples):
            total += matrix.xreplace({s: values[k][i] for s, k in zip(symbols, info.columns)})
        scale = sp.Rational(1, info.n_samples) if info.reduction == "mean" else 1
        return total * scale

    def _build_data_expr(self) -> sp.Expr:
        info = self._data
        columns = info.columns
        n = info.n_samples
        scale = sp.Rational(1, n) if info.reduction == "mean" else sp.Integer(1)
        values = info.exact_columns()
        if not self._is_monomial_summable():
            symbols = info.symbols()
            terms = [info.sample_expr.xreplace({s: values[k][i] for s, k in zip(symbols, columns)})
                     for i in range(n)]
            return scale * sp.Add(*terms)
        # residual r = y - sum_a c_a(x) w^a; sum_n r_n^2 by parameter monomials:
        # sum y^2 - 2 sum_a (sum_n y_n c_a(x_n)) w^a + sum_{a,b} (sum_n c_a c_b) w^(a+b)
        poly = sp.Poly(info.model, *self._params)
        monomials = poly.monoms()
        coeff_funcs = []
        feature_symbols = [sp.Symbol(k, real=True) for k in info.features]
        for coeff in poly.coeffs():
            coeff_funcs.append(sp.lambdify(feature_symbols, coeff, modules=[{}, "math"]))
        target = info.target.name
        ys = values[target]
        feats = [values[k] for k in info.features]
        c_values = [[f(*[col[i] for col in feats]) for i in range(n)] for f in coeff_funcs]
        c_values = [[_as_rational(v) for v in row] for row in c_values]
        ys = [_as_rational(v) for v in ys]
        wmono = [sp.Mul(*[p ** e for p, e in zip(self._params, m)]) for m in monomials]
        total = sp.Add(*[y * y for y in ys])
        for a in range(len(monomials)):
            total -= 2 * sp.Add(*[ys[i] * c_values[a][i] for i in range(n)]) * wmono[a]
            for b in range(len(monomials)):
                total += sp.Add(*[c_values[a][i] * c_values[b][i] for i in range(n)]) * wmono[a] * wmono[b]
        return sp.expand(scale * total)

    # -- display --------------------------------------------------------------------
    def __repr__(self) -> str:
        names = ", ".join(p.name for p in self._params)
        if self.is_data_loss and self._expr is None:
            return (f"Loss(per-sample {self.sample_expr}, {self.n_samples} samples, "
                    f"{self.reduction}; params=({names}))")
        return f"Loss({self._written or self.expr}; params=({names}))"

    def _repr_latex_(self) -> str:
        # display only: the renderer sits above the core and is reached by name
        return importlib.import_module("symopt.report.display").render(self, "latex")

    def _repr_markdown_(self) -> str:
        return importlib.import_module("symopt.report.display").render(self, "markdown")


#: Seconds for building the written form of a parsed loss (a display nicety: skipped if slow).
WRITTEN_SECONDS = 1.0


def _written_form(text: str, expr: sp.Expr) -> Written | None:
    """``text`` in its own form and order, when that is provably ``expr`` (the same value,
    built the same way), in time; else None (displays fall back to ``expr``)."""
    from .budget import bounded_call

    def build() -> Written | None:
        written = as_written(text)
        return written if evaluated(written) == expr else None

    try:
        return bounded_call(build, WRITTEN_SECONDS, "the written form")
    except (Exception, RecursionError):  # a display nicety never stops a parse
        return None


def _jacobian_symmetric(gradient: sp.Matrix, params: Sequence[sp.Symbol]) -> sp.Matrix:
    """The Hessian from a gradient: each mixed derivative is taken once (upper triangle)."""
    n = len(params)
    rows: list[list[Any]] = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            rows[i][j] = rows[j][i] = sp.diff(gradient[i], params[j])
    return sp.Matrix(rows)


def _model_outputs(model: Any) -> list[sp.Expr]:
    items = list(model) if isinstance(model, (list, tuple)) else [model]
    if not items:
        raise ValueError("the model has no outputs; give one expression per class")
    outputs = []
    for item in items:
        if isinstance(item, str):
            outputs.append(parse_expression(item))
        elif isinstance(item, (sp.Expr, int, float)):
            outputs.append(_exact_constants(_realify(sp.sympify(item))))
        else:
            raise TypeError(f"a model output must be text or a sympy expression, got {item!r}")
    return outputs


def _expand_labels(labels: Any, target: str, n_classes: int,
                   features: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The target column as one column per class (one-hot): labels 0..K-1 or rows of K."""
    if n_classes < 2:
        raise ValueError("cross-entropy needs at least two classes (one logit per class)")
    names = [f"{target}hat{i + 1}" for i in range(n_classes)]
    clash = [n for n in names if n in features]
    if clash:
        raise ValueError(f"column {clash[0]!r} clashes with the one-hot columns symopt makes "
                         f"from {target!r}; rename it")
    if isinstance(labels, np.ndarray) and labels.ndim == 1 and labels.dtype.kind in "iu":
        bad = (labels < 0) | (labels >= n_classes)
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(f"target {labels[row].item()!r} in row {row} is not a class label "
                             f"0..{n_classes - 1}")
        return {name: (labels == c).astype(int) for c, name in enumerate(names)}, names
    rows = labels.tolist() if isinstance(labels, np.ndarray) else list(labels)
    onehot: list[list[Any]] = [[] for _ in range(n_classes)]
    for i, row in enumerate(rows):
        if isinstance(row, (list, tuple)):
            if len(row) != n_classes:
                raise ValueError(f"target row {i} has {len(row)} entries; the model has "
                                 f"{n_classes} classes")
            for c in range(n_classes):
                onehot[c].append(row[c])
            continue
        if not _is_class_label(row, n_classes):
            raise ValueError(f"target {row!r} in row {i} is not a class label "
                             f"0..{n_classes - 1}")
        for c in range(n_classes):
            onehot[c].append(1 if c == int(row) else 0)
    return dict(zip(names, onehot)), names


def _is_class_label(value: Any, n_classes: int) -> bool:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, str)):
        return False
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return False
    return number.is_integer() and 0 <= number < n_classes


def _as_rational(value: Any) -> sp.Expr:
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, numbers.Real):
        return _exact_number(float(value))
    return sp.sympify(value)


def as_loss(loss: Any, who: str) -> "Loss":
    """``loss`` itself, or the Loss its text describes; TypeError naming ``who`` otherwise."""
    if isinstance(loss, str):
        return Loss.parse(loss)
    if not isinstance(loss, Loss):
        raise TypeError(f"{who} takes a Loss or text, got {type(loss).__name__}; "
                        "write the loss as text such as '(1 - w1*w2)**2' or build it with "
                        "Loss.parse")
    return loss
