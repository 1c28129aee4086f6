"""The exercise checker says "right" for right answers and names the mistake for wrong ones."""
import numpy as np
import pytest

from lstm_core import sigmoid
from lstm_core.exercises import EXERCISES, check, diagnose


def sig(z):
    return 1 / (1 + np.exp(-z))


RIGHT = {
    "forget_gate": lambda x, h, p: sig(x @ p.W_xf + h @ p.W_hf + p.b_f),
    "input_gate": lambda x, h, p: sig(x @ p.W_xi + h @ p.W_hi + p.b_i),
    "candidate": lambda x, h, p: np.tanh(x @ p.W_xg + h @ p.W_hg + p.b_g),
    "output_gate": lambda x, h, p: sig(x @ p.W_xo + h @ p.W_ho + p.b_o),
    "cell_update": lambda f, c, i, g: f * c + i * g,
    "hidden_state": lambda o, c: o * np.tanh(c),
}


@pytest.mark.parametrize("name", EXERCISES)
def test_right_answer_passes(name, capsys):
    assert check(name, RIGHT[name]) is True, f"the checker rejected a right {name}"
    assert capsys.readouterr().out.startswith("✓ right")


@pytest.mark.parametrize("name, wrong, word", [
    ("forget_gate", lambda x, h, p: np.tanh(x @ p.W_xf + h @ p.W_hf + p.b_f), "activation"),
    ("forget_gate", lambda x, h, p: sig(x @ p.W_xi + h @ p.W_hi + p.b_i), "input gate"),
    ("forget_gate", lambda x, h, p: sig(x @ p.W_xf + h @ p.W_hf), "bias"),
    ("forget_gate", lambda x, h, p: sig(p.W_xf.T @ x.T), "shape"),
    ("candidate", lambda x, h, p: sig(x @ p.W_xg + h @ p.W_hg + p.b_g), "tanh"),
    ("output_gate", lambda x, h, p: sig(x @ p.W_xf + h @ p.W_hf + p.b_f), "forget gate"),
    ("input_gate", lambda x, h, p: sig(x @ p.W_xi + p.b_i), "previous hidden state"),
    ("cell_update", lambda f, c, i, g: f * g + i * c, "paired"),
    ("cell_update", lambda f, c, i, g: np.tanh(f * c + i * g), "no squashing"),
    ("hidden_state", lambda o, c: o * c, "tanh"),
    ("hidden_state", lambda o, c: o * sigmoid(c), "not σ"),
])
def test_wrong_answer_is_named(name, wrong, word):
    message = diagnose(name, wrong)
    assert message is not None, f"the checker accepted a wrong {name}"
    assert word in message, f"expected the diagnosis to mention {word!r}, got {message!r}"
    assert message.count(". ") <= 1, f"the diagnosis should be one sentence, got {message!r}"


def test_unrecognised_mistake_reports_the_size_of_the_error():
    message = diagnose("forget_gate", lambda x, h, p: sig(x @ p.W_xf + h @ p.W_hf + p.b_f) + 0.01)
    assert message.startswith("values:") and "0.0100" in message


def test_a_crash_is_reported_not_raised():
    def broken(x, h, p):
        raise KeyError("W_f")
    assert "KeyError" in diagnose("forget_gate", broken)


def test_unknown_exercise_is_a_clear_error():
    with pytest.raises(ValueError, match="name: expected one of"):
        diagnose("peephole_gate", RIGHT["forget_gate"])
