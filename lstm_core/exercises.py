"""Checkers for the notebook exercises: the learner writes an equation, the checker says "right"
or names, in one sentence, what is wrong: the shape, the activation, or the gate.

    check("forget_gate", my_forget_gate)   # prints one sentence, returns True or False

The learner's function has the signature of the lstm_core function of the same name.
"""
import numpy as np

from .activations import sigmoid
from .cell import (candidate, cell_update, forget_gate, gate_preactivation, hidden_state, input_gate,
                   output_gate)
from .params import GATE_NAMES, LSTMParams

_GATE_EXERCISES = {"forget_gate": "f", "input_gate": "i", "candidate": "g", "output_gate": "o"}
_REFERENCE = {"forget_gate": forget_gate, "input_gate": input_gate, "candidate": candidate,
              "output_gate": output_gate, "cell_update": cell_update, "hidden_state": hidden_state}
_EQUATION = {"forget_gate": 1, "input_gate": 2, "candidate": 3, "cell_update": 4, "output_gate": 5,
             "hidden_state": 6}
EXERCISES = tuple(_REFERENCE)

# B, X, H all different, so a transposed matrix shows up as a wrong shape.
_B, _X, _H = 2, 3, 4
_TOL = 1e-8


def check(name, fn):
    """Run the learner's `fn` on random inputs, print one sentence, and return True when it is right."""
    message = diagnose(name, fn)
    right = message is None
    print(f"✓ right: {getattr(fn, '__name__', 'your function')} matches lstm_core.{name}, "
          f"Eq. ({_EQUATION[name]})." if right else f"✗ {message}")
    return right


def diagnose(name, fn):
    """None when `fn` computes `name` correctly, otherwise one sentence saying what is wrong."""
    if name not in _REFERENCE:
        raise ValueError(f"name: expected one of {EXERCISES}, got {name!r}")
    if not callable(fn):
        raise ValueError(f"fn: expected a function, got {type(fn).__name__}")
    args, candidates = _cases(name)
    expected = _REFERENCE[name](*args)
    try:
        got = np.asarray(fn(*args), dtype=float)
    except Exception as exc:  # the learner's code: any error is reported, not raised
        return f"your function raised {type(exc).__name__}: {exc}"
    if got.shape != expected.shape:
        return (f"shape: expected {expected.shape} (B, H) = ({_B}, {_H}), got {got.shape}; "
                f"check which side each matrix multiplies from (x_t @ W_x, h_prev @ W_h).")
    if np.allclose(got, expected, atol=_TOL, rtol=0):
        return None
    for message, value in candidates:
        if np.allclose(got, value, atol=_TOL, rtol=0):
            return message
    worst = float(np.max(np.abs(got - expected)))
    return (f"values: right shape, but they differ from lstm_core.{name} by up to {worst:.4f}; "
            f"compare your code with Eq. ({_EQUATION[name]}) term by term.")


def _cases(name):
    """The arguments to test with, and the wrong answers we can recognise, with their diagnosis."""
    rng = np.random.default_rng(2024)
    if name in _GATE_EXERCISES:
        gate = _GATE_EXERCISES[name]
        p = LSTMParams.random(_X, _H, seed=11)
        x_t = rng.uniform(-2, 2, (_B, _X))
        h_prev = rng.uniform(-1, 1, (_B, _H))
        return (x_t, h_prev, p), _gate_mistakes(gate, x_t, h_prev, p)
    if name == "cell_update":
        f, i = rng.uniform(0.05, 0.95, (2, _B, _H))
        g = rng.uniform(-0.95, 0.95, (_B, _H))
        c_prev = rng.uniform(-3, 3, (_B, _H))
        mistakes = [
            ("gate: f scales the old cell c_{t-1} and i scales the candidate g; you paired them the other way.",
             f * g + i * c_prev),
            ("missing term: the candidate is written through the input gate, i_t ⊙ g_t, not added alone.",
             f * c_prev + g),
            ("missing term: the old cell is kept through the forget gate, f_t ⊙ c_{t-1}, not kept whole.",
             c_prev + i * g),
            ("operation: the cell update adds the kept memory and the new write (+), it does not multiply them.",
             (f * c_prev) * (i * g)),
            ("activation: c_t has no squashing; tanh is applied later, in h_t = o_t ⊙ tanh(c_t).",
             np.tanh(f * c_prev + i * g)),
        ]
        return (f, c_prev, i, g), mistakes
    # hidden_state
    o = rng.uniform(0.05, 0.95, (_B, _H))
    c = rng.uniform(-3, 3, (_B, _H))
    mistakes = [
        ("activation: squash the cell first, h_t = o_t ⊙ tanh(c_t); you multiplied by c_t directly.", o * c),
        ("activation: tanh goes on c_t alone, not on the product o_t ⊙ c_t.", np.tanh(o * c)),
        ("activation: the cell is squashed with tanh, range (-1, 1), not σ.", o * sigmoid(c)),
        ("missing term: the output gate o_t must scale tanh(c_t).", np.tanh(c)),
    ]
    return (o, c), mistakes


def _gate_mistakes(gate, x_t, h_prev, p):
    act = np.tanh if gate == "g" else sigmoid
    act_name, other_name = ("tanh", "σ") if gate == "g" else ("σ", "tanh")
    other = sigmoid if gate == "g" else np.tanh
    z = gate_preactivation(x_t, h_prev, p, gate)
    W_x, W_h, b = p.gate(gate)
    what = GATE_NAMES[gate]
    mistakes = [
        (f"activation: the {what} uses {act_name}, you used {other_name}.", other(z)),
        (f"activation: apply {act_name} to the pre-activation; you returned z itself.", z),
        (f"missing term: add the bias b_{gate}.", act(x_t @ W_x + h_prev @ W_h)),
        (f"missing term: the {what} also reads the previous hidden state, h_prev @ W_h{gate}.", act(x_t @ W_x + b)),
        (f"missing term: the {what} also reads the input, x_t @ W_x{gate}.", act(h_prev @ W_h + b)),
    ]
    for other_gate in "figo":
        if other_gate != gate:
            mistakes.append((
                f"gate: you used the weights of the {GATE_NAMES[other_gate]} (W_x{other_gate}, W_h{other_gate}, "
                f"b_{other_gate}); the {what} uses W_x{gate}, W_h{gate}, b_{gate}.",
                act(gate_preactivation(x_t, h_prev, p, other_gate))))
    return mistakes
