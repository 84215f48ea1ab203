"""Input is never silently misread: run-together names and guessed parameters are noted (an
error with --strict), the chosen parameters are printed, data given with --data stays data,
and advice for unknown functions names the vocabulary instead of suggesting `*`."""

import json

import pytest

from symopt import Loss
from symopt.cli import main
from symopt.parse.ambiguity import misreadings, split_into


@pytest.mark.parametrize("names, expected", [
    (["w1w2"], ["w1*w2"]),                      # letter-digit groups
    (["w1", "w2", "w1w2"], ["w1*w2"]),          # other names of the expression
    (["a", "b", "ab"], ["a*b"]),
    (["x1y2z3"], ["x1*y2*z3"]),
    (["beta1"], []),                            # one group: an ordinary name
    (["lr", "w"], []),
])
def test_run_together_names_are_noted(names, expected):
    notes = [n for n in misreadings(names, params_given=True) if "one name" in n]
    assert [n.rsplit("write ", 1)[1] for n in notes] == expected


def test_split_prefers_the_fewest_pieces():
    assert split_into("abc", ["a", "b", "c", "bc"]) == ["a", "bc"]


def test_a_data_name_taken_as_a_parameter_is_noted_only_when_guessed():
    assert any("'x' is taken as a parameter" in n for n in misreadings(["w1", "w2", "x"]))
    assert misreadings(["w1", "w2", "x"], params_given=True) == ()
    assert misreadings(["x", "y"]) == ()  # every name looks like data: nothing to tell apart
    assert misreadings(["x", "y", "z"]) == ()  # coordinates, no weight beside them
    assert any("'x' is taken" in n for n in misreadings(["b", "w", "x"]))  # w*x + b


def test_python_parse_warns_with_the_cli_words_and_keeps_the_notes():
    import symopt as so

    with pytest.warns(so.ParseNote) as caught:
        loss = Loss.parse("(1 - w1w2)**2")
    expected = "'w1w2' is read as one name; if you meant a product, write w1*w2"
    assert loss.notes == (expected,) and [str(w.message) for w in caught] == [expected]
    with pytest.warns(so.ParseNote, match="'x' is taken as a parameter"):
        assert [p.name for p in Loss.parse("(1 - w1*w2*x)**2").params] == ["w1", "w2", "x"]


def test_python_parse_is_quiet_when_nothing_may_be_misread():
    import warnings

    import symopt as so

    with warnings.catch_warnings():
        warnings.simplefilter("error", so.ParseNote)
        assert Loss.parse("(1 - w1*w2)**2").notes == ()
        assert Loss.parse("(1 - w1*w2*x)**2", params=["w1", "w2", "x"]).notes == ()
        assert Loss.parse("(1 - x)**2 + 100*(y - x**2)**2").notes == ()


def test_python_parse_strict_raises_the_first_note_as_a_parse_error():
    import symopt as so

    with pytest.raises(so.ParseError, match=r"write w1\*w2 \(strict=True\)$"):
        Loss.parse("(1 - w1w2)**2", strict=True)
    with pytest.raises(so.ParseError, match="'x' is taken as a parameter"):
        Loss.parse("(1 - w1*w2*x)**2", strict=True)
    assert Loss.parse("(1 - w1*w2*x)**2", params="w1, w2, x", strict=True).n_params == 3


def test_cli_notes_the_misreading_and_prints_the_parameters(capsys):
    assert main(["analyze", "(1 - w1w2)**2"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == ["symopt: note: 'w1w2' is read as one name; if you meant a product, "
                   "write w1*w2", "symopt: parameters: w1w2"]


def test_strict_turns_the_note_into_an_error(capsys):
    assert main(["analyze", "(1 - w1w2)**2", "--strict"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "w1*w2" in err and "--strict" in err


def test_strict_refuses_a_guessed_data_name(capsys):
    assert main(["analyze", "(1 - w1*w2*x)**2", "--strict"]) == 2
    assert "'x' is taken as a parameter" in capsys.readouterr().err
    assert main(["analyze", "(1 - w1*w2*x)**2", "--strict", "--params", "w1,w2,x"]) == 0


def test_data_on_the_command_line_stays_data(capsys):
    # the lecture: y = w1*w2*x with the one sample x = 1, y = 1 gives (1 - w1*w2)**2
    assert main(["analyze", "--model", "w1*w2*x", "--data", "x=1", "--data", "y=1",
                 "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["params"] == ["w1", "w2"]
    (saddle,) = facts["points"]
    assert saddle["coords"] == ["0", "0"] and saddle["kind"] == "saddle"
    assert facts["hessian"] == [["2*w2**2", "4*w1*w2 - 2"], ["4*w1*w2 - 2", "2*w1**2"]]


def test_data_from_a_csv_file(tmp_path, capsys):
    # mean of (y - w*x)**2 over (1, 1), (2, 2) = 5/2*(w - 1)**2: one minimum at w = 1
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbfx,y\n1,1\n2,2\n")
    assert main(["analyze", "--model", "w*x", "--data", str(path), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["params"] == ["w"]
    assert [(p["coords"], p["kind"]) for p in facts["points"]] == [(["1"], "minimum")]
    assert Loss.parse(facts["expr"]).expr.equals(Loss.parse("5*(w - 1)**2/2").expr)


@pytest.mark.parametrize("argv, fragment", [
    (["--model", "w*x", "--data", "x=1,2", "--data", "y=inf"], "not a finite number"),
    (["--model", "w*x", "--data", "x=1,2", "--data", "y=1"], "differ in length"),
    (["--model", "w*x", "--data", "x=1,a", "--data", "y=1,2"], "'a' is not a number"),
    (["--model", "w*x"], "go together"),
    (["x**2", "--model", "w*x", "--data", "x=1", "--data", "y=1"], "not both"),
    (["--model", "w*x", "--data", "missing.csv"], "cannot read missing.csv"),
])
def test_bad_data_is_one_line(argv, fragment, capsys):
    assert main(["analyze", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err


@pytest.mark.parametrize("expr, advice", [
    ("softmax(w1)", "softmax is a vector function"),
    ("max(w1, 0)", "relu(w)"),
    ("sinn(w1)", "did you mean sin?"),
    ("foo(w1)", "the functions are: abs"),
])
def test_advice_for_unknown_functions_never_suggests_a_product(expr, advice, capsys):
    assert main(["analyze", expr]) == 2
    err = capsys.readouterr().err
    assert advice in err and "*(" not in err and "for multiplication" not in err


def test_a_variable_like_name_before_brackets_is_read_as_a_product(capsys):
    assert main(["analyze", "w(x + 1)"]) == 2
    assert "for multiplication write w*(x + 1)" in capsys.readouterr().err
