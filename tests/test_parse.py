"""Tests of symopt.parse: exact values, refusals with useful messages, limits and fuzzing."""

from __future__ import annotations

import ast
import builtins
import doctest
import os
import tempfile
import time
from pathlib import Path
from typing import Callable
from unittest import mock

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symopt as so
from symopt import parse as parse_module
from symopt.errors import ParseError
from symopt.parse import FUNCTIONS, natural_key, parse_expression, parse_names, parse_point

x, y, z, w1, w2 = sympy.symbols("x y z w1 w2", real=True)
R = sympy.Rational


def refused(text: str, **limits: int) -> ParseError:
    """The ParseError for ``text``, after checking the message is one clean line."""
    with pytest.raises(ParseError) as info:
        parse_expression(text, **limits)
    error = info.value
    message = str(error)
    assert message and len(message.splitlines()) == 1
    assert "Traceback" not in message
    assert isinstance(error.column, int) and message.startswith(f"column {error.column}: ")
    return error


# ------------------------------------------------------------------- values


def test_square_of_one_minus_product():
    assert parse_expression("(1 - w1*w2)**2") == (1 - w1 * w2) ** 2


def test_names_become_real_symbols():
    expr = parse_expression("w1 + longer_name_2")
    assert expr == w1 + sympy.Symbol("longer_name_2", real=True)
    assert all(s.is_real for s in expr.free_symbols)
    assert parse_expression("\u03b1 + 1") == sympy.Symbol("\u03b1", real=True) + 1


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.1", R(1, 10)),
        ("1e-3", R(1, 1000)),
        ("0.1 + 0.2", R(3, 10)),  # exact, unlike floating point
        ("2.5e2", sympy.Integer(250)),
        ("1_000", sympy.Integer(1000)),
        (".5", R(1, 2)),
        ("5.", sympy.Integer(5)),
        ("1.25E+1", R(25, 2)),
        ("0.000", sympy.Integer(0)),
        ("123456789012345678901234567890", sympy.Integer(123456789012345678901234567890)),
    ],
)
def test_number_literals_are_exact(text, value):
    result = parse_expression(text)
    assert result == value
    assert result.is_Rational and not result.has(sympy.Float)


@pytest.mark.parametrize(
    "text, value",
    [
        ("x^2 + 1", x**2 + 1),  # ^ binds tighter than +, unlike Python's xor
        ("x ^ 2 * y", x**2 * y),
        ("2^3^2", sympy.Integer(512)),  # right-associative: 2**9
        ("-x^2", -(x**2)),
        ("x^-1", 1 / x),
        ("(x + 1)^(y - 1)", (x + 1) ** (y - 1)),
        ("x**y", x**y),
        ("x - y - z", x - y - z),
        ("x / y / z", x / y / z),
        ("2*(x + 1)*y", 2 * (x + 1) * y),  # left to right, as Python builds it
        ("-(x - 1)", -(x - 1)),
        ("+x", x),
        ("--x", x),
        ("x +\n  1", x + 1),
        ("   x\t* y  ", x * y),
    ],
)
def test_arithmetic(text, value):
    assert parse_expression(text) == value


def test_constants():
    assert parse_expression("pi") is sympy.pi
    assert parse_expression("E") is sympy.E
    assert parse_expression("E**x") == sympy.exp(x)
    assert parse_expression("2*pi*x") == 2 * sympy.pi * x
    # only the capital E is Euler's number; a lowercase e is a variable
    assert parse_expression("e") == sympy.Symbol("e", real=True)


@pytest.mark.parametrize(
    "text, value",
    [
        ("exp(x)", sympy.exp(x)),
        ("log(x)", sympy.log(x)),
        ("ln(x)", sympy.log(x)),
        ("log(x, 2)", sympy.log(x) / sympy.log(2)),
        ("log(8, 2)", sympy.Integer(3)),
        ("sqrt(x)", sympy.sqrt(x)),
        ("sqrt(4)", sympy.Integer(2)),
        ("abs(x)", sympy.Abs(x)),
        ("abs(-3)", sympy.Integer(3)),
        ("sin(x) + cos(x) + tan(x)", sympy.sin(x) + sympy.cos(x) + sympy.tan(x)),
        ("tanh(x) * sinh(y) / cosh(z)", sympy.tanh(x) * sympy.sinh(y) / sympy.cosh(z)),
        ("atan(x)", sympy.atan(x)),
        ("sigmoid(x)", 1 / (1 + sympy.exp(-x))),
        ("softplus(x)", sympy.log(1 + sympy.exp(x))),
        ("relu(x)", sympy.Max(0, x)),
        ("relu(-3)", sympy.Integer(0)),
        ("relu(2)", sympy.Integer(2)),
        ("sigmoid(w1*x + w2)", 1 / (1 + sympy.exp(-(w1 * x + w2)))),
    ],
)
def test_functions(text, value):
    assert parse_expression(text) == value


def test_nested_relu_and_abs_stay_unevaluated_but_correct():
    expr = parse_expression("relu(relu(x) - 1) + abs(abs(x) - 2)")
    assert expr == sympy.Max(0, sympy.Max(0, x) - 1, evaluate=False) + sympy.Abs(
        sympy.Abs(x) - 2, evaluate=False
    )
    for value, expected in [(-5, 3), (0, 2), (1.5, 1), (4, 5)]:
        assert float(expr.subs(x, value)) == pytest.approx(expected)


def test_long_sum_and_product_are_built_quickly_and_correctly():
    names = [f"a{i}" for i in range(800)]
    symbols = sympy.symbols(names, real=True)
    total = parse_expression(" + ".join(f"2*{n}" for n in names) + " - 1", max_length=20_000)
    product = parse_expression(
        "*".join(names[:400]) + "/" + "/".join(names[400:700]), max_length=20_000
    )
    assert total == sympy.Add(*[2 * s for s in symbols]) - 1
    assert product == sympy.Mul(*symbols[:400]) / sympy.Mul(*symbols[400:700])


def test_doctests():
    assert doctest.testmod(parse_module).failed == 0


def test_examples_in_the_user_guide():
    guide = Path(__file__).resolve().parent.parent / "docs" / "parser.md"
    assert doctest.testfile(str(guide), module_relative=False).failed == 0


# --------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "text, column, piece",
    [
        ("os.system('ls')", 1, "os.system"),
        ("__import__('os').system('touch /tmp/x')", 1, "__import__('os').system"),
        ("().__class__.__bases__", 1, "().__class__.__bases__"),
        ("exp.__globals__", 1, "exp.__globals__"),
        ("x.real", 1, "x.real"),
        ("lambda: 1", 1, "lambda: 1"),
        ("[x for x in y]", 1, "[x for x in y]"),
        ("x + sum(x for x in y)", 5, "sum(x for x in y)"),
        ("'abc'", 1, "'abc'"),
        ("b'abc'", 1, "b'abc'"),
        ("f'{x}'", 1, "f'{x}'"),
        ("f(x=1)", 1, "f(x=1)"),
        ("exp(x=1)", 5, "x=1"),
        ("exp(*x)", 5, "*x"),
        ("exp(**x)", 5, "**x"),
        ("x + y[0]", 5, "y[0]"),
        ("x == 1", 1, "x == 1"),
        ("x < y", 1, "x < y"),
        ("x and y", 1, "x and y"),
        ("not x", 1, "not x"),
        ("x if y else 1", 1, "x if y else 1"),
        ("(z := 1)", 2, "z := 1"),
        ("x, y", 1, "x, y"),
        ("[x]", 1, "[x]"),
        ("{x}", 1, "{x}"),
        ("{x: 1}", 1, "{x: 1}"),
        ("x // 2", 3, "//"),
        ("x % 2", 3, "%"),
        ("x @ y", 3, "@"),
        ("x & y", 3, "&"),
        ("x | y", 3, "|"),
        ("x << 2", 3, "<<"),
        ("~x", 1, "~x"),
        ("1j", 1, "1j"),
        ("x + 2j", 5, "2j"),
        ("True", 1, "True"),
        ("None", 1, "None"),
        ("...", 1, "..."),
        ("0x1F", 1, "0x1F"),
        ("eval(x)", 1, "eval(x)"),
        ("open(x)", 1, "open(x)"),
        ("_x + 1", 1, "_x"),
        ("__builtins__", 1, "__builtins__"),
        ("exp + 1", 1, "exp"),
        ("x + 2x", 5, "2x"),
        ("2 x", 1, "2 x"),
        ("(x+1)(x-1)", 1, "(x+1)(x-1)"),
        ("2(x + 1)", 1, "2(x + 1)"),
        ("x y", 1, "x y"),
        ("import os", 1, "import"),
        ("x = 1", 3, "="),
        ("x # comment", 3, "# comment"),
        ("x \u2212 1", 3, "\u2212"),
        ("x\u200b", 2, "\\u200b"),
        ("x\x00", 2, "\\x00"),
        ("log(x, 2, 3)", 1, "log(x, 2, 3)"),
        ("exp()", 1, "exp()"),
        ("sin(x, y)", 1, "sin(x, y)"),
        ("1/0", 3, "0"),
        ("x/(y - y)", 4, "y - y"),
        ("log(0)", 1, "log(0)"),
        ("sqrt(-1)", 1, "sqrt(-1)"),
        ("(-8)^(1/3)", 1, "(-8)^(1/3)"),
        ("log(x, 1)", 8, "1"),
        ("0^(-1)", 1, "0^(-1)"),
    ],
)
def test_forbidden_constructs_name_column_and_piece(text, column, piece):
    error = refused(text)
    assert error.column == column
    assert piece in str(error)


@pytest.mark.parametrize(
    "text, advice",
    [
        ("sinn(x)", "did you mean sin"),
        ("sigmod(x)", "did you mean sigmoid"),
        ("exp + 1", "write exp(x)"),
        ("2x", "write 2*x"),
        ("x + 2 y", "write 2*y"),
        ("(x+1)(x-1)", "write (x+1)*(x-1)"),
        ("pi(2)", "write pi*(2)"),
        ("w(x + 1)", "unknown function 'w'"),
        ("max(w, 0)", "write relu(w)"),
        ("os.system('ls')", "write plain math such as (1 - w1*w2)**2"),
        ("x //2", "write / for division"),
        ("log(x, 2, 3)", "write log(x) or log(x, 2)"),
        ("(x + 1", "add the missing closing bracket"),
        ("x + 1)", "remove it"),
        ("x +", "ends too early"),
        ("x \u00d7 y", "write * instead"),
        ("x\u00b2", "write **2 instead"),
    ],
)
def test_messages_say_what_to_write_instead(text, advice):
    assert advice in str(refused(text))


def test_empty_and_non_text_input():
    for text in ["", "   ", "\n\t"]:
        assert "empty" in str(refused(text))
    for value in [None, b"x", 3, ["x"]]:
        with pytest.raises(TypeError):
            parse_expression(value)  # type: ignore[arg-type]


def test_long_pieces_are_shortened_in_messages():
    message = str(refused("[" + "x, " * 200 + "]"))
    assert len(message) < 200 and "..." in message


# ------------------------------------------------------------------ limits


# Refused by a limit, not by the time limit on building (which would say "took more than");
# how fast refusals are is measured by benchmarks, not asserted here.
def assert_refused_quickly(text: str, **limits: int) -> ParseError:
    error = refused(text, **limits)
    assert "took more than" not in str(error)
    return error


@pytest.mark.parametrize(
    "text",
    [
        "2**2**2**2**2**2",
        "2^2^2^2^2^2",
        "9**9**9**9",
        "10**10**10",
        "(2**10000*x)**100",
        "exp(log(2)*10**400)",
        "E**(10**400*log(3) + x)",
        "sqrt(10**500 + 1)",
        "(10**500 + 1)**(1/3)",
        "x**(1/10**7)",
        "2**(-10**6)",
    ],
)
def test_huge_numbers_are_refused_before_they_are_built(text):
    message = str(assert_refused_quickly(text))
    assert "too large" in message or "root" in message


def test_exponents_on_symbols_are_limited():
    assert parse_expression("x**100") == x**100
    assert parse_expression("x**-100") == x**-100
    assert "max_exponent=100" in str(assert_refused_quickly("x**101"))
    assert "max_exponent" in str(assert_refused_quickly("x**100000"))
    assert "max_exponent" in str(assert_refused_quickly("(x + 1)**(10**400)"))
    assert parse_expression("x**101", max_exponent=200) == x**101
    assert parse_expression("x**(1/3)") == x ** R(1, 3)
    assert parse_expression("x**0.5") == sympy.sqrt(x)
    assert parse_expression("2**100") == 2**100
    assert parse_expression("10**400") == sympy.Integer(10) ** 400
    assert parse_expression("2**x") == 2**x


def test_number_literal_size_is_limited():
    assert parse_expression("1e400") == sympy.Integer(10) ** 400
    assert parse_expression("1e-400") == R(1, 10**400)
    assert parse_expression("9" * 400) == sympy.Integer(int("9" * 400))
    for text in ["1e401", "1e-401", "9" * 401, "0." + "1" * 401, "1e999999999999"]:
        assert "too large or too precise" in str(assert_refused_quickly(text))


def test_nesting_is_limited():
    assert parse_expression("(" * 60 + "x" + ")" * 60) == x
    assert parse_expression("(" * 10 + "x" + ")" * 10, max_depth=10) == x
    assert assert_refused_quickly("(" * 61 + "x" + ")" * 61).column == 61
    assert_refused_quickly("(" * 1000 + "x" + ")" * 1000)
    assert_refused_quickly("(" * 2000 + "x")
    assert_refused_quickly("-" * 4999 + "x")
    assert_refused_quickly("exp(" * 80 + "x" + ")" * 80)
    assert_refused_quickly("x" + "**x" * 100)
    assert "max_depth" in str(assert_refused_quickly("sin(" * 30 + "x" + ")" * 30, max_depth=20))


def test_long_input_is_refused_without_reading_it():
    error = assert_refused_quickly("x+" * 50_000 + "x")
    assert error.column == 5001 and "max_length=5000" in str(error)
    assert assert_refused_quickly("x" * 100_000).column == 5001
    assert parse_expression("x+" * 2499 + "x") == 2500 * x
    assert "max_length=10" in str(refused("x + y + z + w", max_length=10))


def test_building_is_time_limited(monkeypatch):
    def slow(arg: sympy.Expr) -> sympy.Expr:
        time.sleep(2)
        return arg

    monkeypatch.setitem(parse_module._FUNCTIONS, "sin", (1, 1, slow, "sin(x)"))
    with pytest.raises(ParseError, match="took more than 0.2 s"):
        parse_expression("sin(x)", timeout=0.2)


# ------------------------------------------------------------ parse_point


@pytest.mark.parametrize(
    "text, point",
    [
        ("0,0", (0, 0)),
        ("1/2, -3", (R(1, 2), -3)),
        ("0.1,1e-3", (R(1, 10), R(1, 1000))),
        ("(1, 2)", (1, 2)),
        ("[1, 2, 3]", (1, 2, 3)),
        ("5", (5,)),
        ("sqrt(2)/2, log(8, 2), pi", (sympy.sqrt(2) / 2, 3, sympy.pi)),
        ("-1e-2, 2^3", (R(-1, 100), 8)),
    ],
)
def test_parse_point(text, point):
    result = parse_point(text)
    assert result == tuple(sympy.sympify(v) for v in point)
    assert all(isinstance(v, sympy.Expr) for v in result)
    assert parse_point(text, n=len(point)) == result


@pytest.mark.parametrize(
    "text, n, column, piece",
    [
        ("x, 1", None, 1, "x"),
        ("1, y + 1", None, 4, "y + 1"),
        ("1, 2", 3, None, "expected 3 coordinates, got 2"),
        ("1, 2, 3", 2, None, "expected 2 coordinates, got 3"),
        ("", None, 1, "empty"),
        ("()", None, 1, "no coordinates"),
        ("1,, 2", None, 3, ","),
        ("__import__('os').system('ls'), 1", None, 1, "__import__('os').system"),
        ("1, 1/0", None, 6, "0"),
    ],
)
def test_parse_point_refusals(text, n, column, piece):
    with pytest.raises(ParseError) as info:
        parse_point(text, n=n)
    assert info.value.column == column
    assert piece in str(info.value)
    assert len(str(info.value).splitlines()) == 1


# ------------------------------------------------------- names and sorting


def test_parse_names():
    assert parse_names("w1,w2") == ["w1", "w2"]
    assert parse_names("  b , w10,w2 ") == ["b", "w10", "w2"]
    assert parse_names("x") == ["x"]


@pytest.mark.parametrize(
    "text, column",
    [
        ("", 1),
        ("w1,,w2", 4),
        ("w1, 2w", 5),
        ("w1, _w", 5),
        ("a b", 1),
        ("lambda", 1),
        ("exp", 1),
        ("pi", 1),
        ("w1, w1", 5),
        ("w1, w-2", 5),
    ],
)
def test_parse_names_refusals(text, column):
    with pytest.raises(ParseError) as info:
        parse_names(text)
    assert info.value.column == column
    assert str(info.value).startswith(f"column {column}: ")


def test_natural_key():
    names = ["w10", "w2", "w1", "b", "a10b", "a9b", "w", "w100", "W3"]
    assert sorted(names, key=natural_key) == [
        "W3",
        "a9b",
        "a10b",
        "b",
        "w",
        "w1",
        "w2",
        "w10",
        "w100",
    ]
    assert sorted(["x1", "x01", "x001"], key=natural_key) == ["x001", "x01", "x1"]
    assert sorted(["w2_10", "w2_9", "w10_1"], key=natural_key) == ["w2_9", "w2_10", "w10_1"]
    huge = "w" + "9" * 5000  # too long for int(): compared by length, then digits
    assert sorted([huge, "w10", "w1" + "0" * 4999], key=natural_key) == [
        "w10",
        "w1" + "0" * 4999,
        huge,
    ]
    assert sorted(["", "1", "a"], key=natural_key) == ["", "1", "a"]


# ---------------------------------------------- property: hostile text is safe

SENTINEL = os.path.join(tempfile.gettempdir(), f"symopt-parse-sentinel-{os.getpid()}")
DANGEROUS_MODULES = {"os", "subprocess", "shutil", "socket", "pty", "ctypes", "importlib", "posix"}

HOSTILE_PIECES = (
    "x w1 y2 a_b exp log sqrt relu sigmoid softplus pi E __import__ __class__ __bases__ "
    "__subclasses__ __globals__ __builtins__ os system popen eval exec open getattr globals "
    "breakpoint lambda import from if else for in not and or await yield "
    "0 1 2 9 10 007 1e5 1e999 0.5 1j 0x1f 1_0 True None ... ** // := == f' b'"
).split()
HOSTILE_PIECES += list(".,:;=()[]{}'\"\\+-*/^%@&|~<>!#")
HOSTILE_PIECES += [" ", "  ", "\n", "\t", "\r", "\x00", "\u200b", "\u2028", "\u2212", "\u00d7"]
HOSTILE_PIECES += ["\u00b2", "\u03b1", "\u00e9", "\uff58", "\U0001d465"]
HOSTILE_PIECES += [
    f"'touch {SENTINEL}'",
    f"__import__('os').system('touch {SENTINEL}')",
    "().__class__.__bases__[0].__subclasses__()",
    f"open('{SENTINEL}', 'w')",
    "9**9**9",
    "2**2**2**2**2",
]

hostile_text = st.one_of(
    st.lists(st.sampled_from(HOSTILE_PIECES), max_size=40).map("".join),
    st.text(max_size=60),
)


class CodeWasRun(AssertionError):
    pass


def _guards(record: list[str], trees: list[str] | None = None) -> dict[str, Callable[..., object]]:
    """Replacements of builtins that record (and stop) any attempt to run code."""
    real_import = builtins.__import__
    real_compile = builtins.compile

    def forbidden(name: str) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            record.append(name)
            raise CodeWasRun(name)

        return call

    def guarded_import(name: str, *args: object, **kwargs: object) -> object:
        if name.split(".")[0] in DANGEROUS_MODULES:
            record.append(f"import {name}")
            raise CodeWasRun(name)
        return real_import(name, *args, **kwargs)

    def guarded_compile(
        source: object, filename: object, mode: str, flags: int = 0, *args: object, **kwargs: object
    ):
        if not flags & ast.PyCF_ONLY_AST:  # ast.parse is fine: it only builds a tree
            record.append("compile")
            raise CodeWasRun("compile")
        if trees is not None:
            trees.append(str(source))
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    return {
        "eval": forbidden("eval"),
        "exec": forbidden("exec"),
        "breakpoint": forbidden("breakpoint"),
        "open": forbidden("open"),
        "__import__": guarded_import,
        "compile": guarded_compile,
    }


def test_the_guards_catch_code_and_let_parsing_through():
    record: list[str] = []
    trees: list[str] = []
    with mock.patch.multiple(builtins, **_guards(record, trees)):
        assert parse_expression("x^2") == x**2
        with pytest.raises(CodeWasRun):
            eval("1")
        with pytest.raises(CodeWasRun):
            __import__("subprocess")
    assert trees == ["x**2"]
    assert record == ["eval", "import subprocess"]


@settings(max_examples=1000, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
def test_hostile_text_never_runs_code(text):
    record: list[str] = []
    with (
        mock.patch.multiple(builtins, **_guards(record)),
        mock.patch.object(os, "system", side_effect=CodeWasRun("os.system")),
        mock.patch.object(os, "popen", side_effect=CodeWasRun("os.popen")),
    ):
        try:
            outcome: object = parse_expression(text)
        except ParseError as error:
            outcome = error
    assert record == []
    assert not os.path.exists(SENTINEL)
    if isinstance(outcome, ParseError):
        message = str(outcome)
        assert message and len(message.splitlines()) == 1 and "Traceback" not in message
        assert message.startswith(f"column {outcome.column}: ")
    else:
        assert isinstance(outcome, sympy.Expr)
        assert all(s.is_real for s in outcome.free_symbols)


# ------------------------------- property: well-formed text equals direct SymPy

_BAD = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I)
_PIECEWISE = (sympy.Max, sympy.Abs)


def _relu(a: sympy.Expr) -> sympy.Expr:
    return sympy.Max(0, a, evaluate=not a.has(*_PIECEWISE))


def _abs(a: sympy.Expr) -> sympy.Expr:
    return sympy.Abs(a, evaluate=not a.has(*_PIECEWISE))


DIRECT: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": _abs,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "tanh": sympy.tanh,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "atan": sympy.atan,
    "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
    "softplus": lambda a: sympy.log(1 + sympy.exp(a)),
    "relu": _relu,
}
assert set(DIRECT) == set(FUNCTIONS)

# A generated expression: its text, the value built directly in SymPy, and whether some
# part of it is undefined or not real (then the parser must refuse it).
Tree = tuple[str, sympy.Expr, bool]

LEAVES: list[Tree] = [
    (text, value, False)
    for text, value in [
        ("0", sympy.Integer(0)),
        ("1", sympy.Integer(1)),
        ("2", sympy.Integer(2)),
        ("3", sympy.Integer(3)),
        ("10", sympy.Integer(10)),
        ("0.5", R(1, 2)),
        ("1.25", R(5, 4)),
        ("1e-2", R(1, 100)),
        ("2.5e1", sympy.Integer(25)),
        ("x", x),
        ("y", y),
        ("w1", w1),
        ("pi", sympy.pi),
        ("E", sympy.E),
    ]
]
EXPONENTS: list[tuple[str, sympy.Expr]] = [
    ("2", sympy.Integer(2)),
    ("3", sympy.Integer(3)),
    ("-1", sympy.Integer(-1)),
    ("0.5", R(1, 2)),
    ("y", y),
]


def _node(text: str, build: Callable[[], sympy.Expr], children_bad: bool) -> Tree:
    try:
        value = build()
    except (ValueError, TypeError, ArithmeticError):
        return text, sympy.nan, True
    return text, value, children_bad or value.has(*_BAD)


def _binary(args: tuple[str, Tree, Tree]) -> Tree:
    op, (ta, a, bad_a), (tb, b, bad_b) = args
    apply = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b}[op]
    return _node(f"({ta}) {op} ({tb})", apply, bad_a or bad_b)


def _power(args: tuple[Tree, tuple[str, sympy.Expr], str]) -> Tree:
    (ta, a, bad), (te, e), caret = args
    return _node(f"({ta}){caret}({te})", lambda: a**e, bad)


def _call(args: tuple[str, Tree]) -> Tree:
    name, (ta, a, bad) = args
    return _node(f"{name}({ta})", lambda: DIRECT[name](a), bad)


def _negate(tree: Tree) -> Tree:
    ta, a, bad = tree
    return _node(f"-({ta})", lambda: -a, bad)


def _extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.sampled_from("+-*/"), children, children).map(_binary),
        st.tuples(children, st.sampled_from(EXPONENTS), st.sampled_from(["**", "^"])).map(_power),
        st.tuples(st.sampled_from(FUNCTIONS), children).map(_call),
        children.map(_negate),
    )


trees = st.recursive(st.sampled_from(LEAVES), _extend, max_leaves=8)


@settings(max_examples=400, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_well_formed_text_equals_the_expression_built_directly(tree):
    text, value, bad = tree
    if bad:
        with pytest.raises(ParseError):
            parse_expression(text)
    else:
        assert parse_expression(text) == value


# ------------------------------------------------------ limits on values, not syntax

from symopt.parse import Limits  # noqa: E402 - next to the tests of the limits


@pytest.mark.parametrize(
    "text, limit",
    [
        # a power of a power is x**100000000 however it is written
        ("(((x**100)**100)**100)**100", "max_degree=1,000"),
        ("(x**100)**11", "max_degree=1,000"),
        ("(x**50*y**50)**20", "max_degree=1,000"),
        # C(103, 3) = 176,851 terms once expanded
        ("(w + x + y + z)**100", "max_terms=20,000"),
        ("(a+b+c+d+e+f)**20 * (a+b+c+d+e+f)**20", "max_terms=20,000"),
        # products and sums of numbers: 500 * 10,000 bits
        ("*".join(["2**10000"] * 500) + "*x", "max_number_bits=13,000"),
        ("2**10000 * 2**10000", "max_number_bits=13,000"),
        # multiplied out, (10**100*y + 1)**100 has the coefficient 10**10000
        ("(10**100*y + 1)**100", "max_number_bits=13,000"),
    ],
)
def test_values_past_a_limit_are_refused_naming_it(text, limit):
    message = str(assert_refused_quickly(text, max_length=20_000))
    assert limit in message and "raise" in message


def test_numbers_larger_than_printers_can_show_are_refused():
    # Python prints integers of at most 4,300 digits; the limit stays below that.
    message = str(assert_refused_quickly("10**5000*x**2 + y**2"))
    assert "3,900 digits" in message and "max_number_bits" in message


def test_whatever_is_accepted_near_the_number_limit_can_be_printed():
    loss = so.Loss.parse("10**3900*x**2 + y**2")
    assert loss.expr.coeff(x**2) == 10**3900
    assert str(10**3900) in repr(loss.expr)
    assert sympy.latex(loss.expr).count("0") >= 3900
    analysis = so.critical_points(loss, timeout=60)
    assert [p.coords for p in analysis.points] == [(0, 0)]
    assert "minimum" in analysis._repr_markdown_() and analysis._repr_latex_()
    derivation = so.derive(loss, analysis=analysis, timeout=60)
    assert str(2 * 10**3900) in derivation._repr_latex_()


def test_limits_can_be_raised_by_name():
    assert parse_expression("(x**100)**11", limits={"max_degree": 1100}) == x**1100
    assert parse_expression("(x**100)**11", limits=Limits(max_degree=1100)) == x**1100
    assert parse_expression("(x + y)**200", limits={"max_exponent": 200}) == (x + y) ** 200
    with pytest.raises(ValueError, match="unknown limit 'max_power'"):
        parse_expression("x", limits={"max_power": 3})
    with pytest.raises(ValueError, match="max_terms must be a non-negative int"):
        Limits(max_terms=-1)


def test_limits_measure_the_expansion_exactly_on_small_cases():
    from symopt.parse.size import measure

    for text in ["(x + y + 1)**5", "(2*x - 3*y)**4 * (x + 7)", "(x**2 + y)**3 - 5*x*y"]:
        expr = parse_expression(text)
        expanded = sympy.expand(expr)
        size = measure(expr, {})
        assert size.terms >= len(sympy.Add.make_args(expanded))
        assert size.degree == sympy.Poly(expanded, x, y).total_degree()
        largest = max(abs(c) for c in sympy.Poly(expanded, x, y).coeffs())
        assert size.bits >= int(largest).bit_length()


# ------------------------------------------------------------ names in NFKC form

@pytest.mark.parametrize(
    "written, plain",
    [
        ("\U0001d452\U0001d465\U0001d45d(x)", "exp(x)"),  # mathematical italic exp
        ("\uff45\uff58\uff50(x)", "exp(x)"),  # full-width exp
        ("\u212f + x", "e + x"),  # script small e is the name e
        ("\uff58**2 + \U0001d466", "x**2 + y"),
    ],
)
def test_names_are_read_in_nfkc_form_as_python_reads_them(written, plain):
    assert parse_expression(written) == parse_expression(plain)


def test_variable_lists_use_the_same_normal_form():
    from symopt.parse import parse_names

    assert parse_names("\uff571, w2") == ["w1", "w2"]
    loss = so.Loss.parse("\uff571 * w2", params=parse_names("w1, \uff57\uff12"))
    assert [str(p) for p in loss.params] == ["w1", "w2"]


def test_loss_parse_takes_the_limits_too():
    with pytest.raises(ParseError, match="max_degree=1,000"):
        so.Loss.parse("(x**100)**11")
    assert so.Loss.parse("(x**100)**11", limits={"max_degree": 1100}).expr == x**1100
