"""so.derive(optimizer): the update as the lecture writes it, eta, sigma and m from the catalogue."""

from __future__ import annotations

import pytest

import symopt as so
from symopt.crosschecking.lecture import LECTURE_RULE, lecture_form


@pytest.mark.parametrize("optimizer, variant, sigma", [
    (so.optim.adam(1e-3), "adam:torch", r"\sqrt{\hat{v}_t} + \epsilon"),
    (so.optim.adam(1e-3, amsgrad=True), "adam:amsgrad", r"\sqrt{\hat{v}^{\max}_t} + \epsilon"),
    (so.optim.rmsprop(1e-2), "rmsprop:torch", r"\sqrt{v_t} + \epsilon"),
    (so.optim.adagrad_lecture(0.1), "adagrad:lecture",
     r"\sqrt{\frac{1}{t+1} \sum_{k \le t} g_k^2}"),
    (so.optim.sgd(0.1), "sgd:plain", "1"),
])
def test_derive_of_an_optimizer_gives_its_lecture_form(optimizer, variant, sigma):
    form = so.derive(optimizer)
    assert form.variant == variant and form.sigma == sigma
    assert form.rule == so.optim.RULES[variant]
    assert LECTURE_RULE in form.to_latex()
    assert form.to_text().startswith(f"{variant}: θᵢ ← θᵢ − (ηᵗ/σᵢᵗ) mᵢᵗ")


def test_torch_optimizers_map_by_class_and_settings():
    torch = pytest.importorskip("torch")
    assert lecture_form((torch.optim.Adagrad, {"lr": 0.1, "initial_accumulator_value": 0.1})
                        ).variant == "adagrad:initial-0.1"
    assert lecture_form((torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True})
                        ).variant == "sgd:nesterov-torch"
    param = torch.zeros(1, requires_grad=True)
    assert lecture_form(torch.optim.AdamW([param])).variant == "adamw:torch"


def test_text_still_derives_a_loss_and_unknown_objects_are_refused():
    derivation = so.derive("x**2")
    assert not isinstance(derivation, type(lecture_form(so.optim.sgd(0.1))))
    assert "minimum" in derivation.to_markdown()
    with pytest.raises(TypeError):
        so.derive(object())


def test_docs_page_examples_run_and_list_every_variant():
    import doctest
    from pathlib import Path

    pytest.importorskip("torch")
    pytest.importorskip("optax")
    page = Path(__file__).resolve().parent.parent / "docs" / "crosscheck.md"
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 6
    text = page.read_text(encoding="utf-8")
    for name in so.optim.VARIANTS:
        assert f"`{name}`" in text, f"docs/crosscheck.md does not list {name}"
