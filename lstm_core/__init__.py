"""lstm_core: the LSTM cell in numpy, gate by gate.

The maths (this package's top level) needs numpy only.  Plots and widgets live in
submodules that import matplotlib and ipywidgets themselves.
"""
from .activations import dsigmoid, dtanh, sigmoid, softmax, tanh
from .cell import (Backward, Step, Trace, candidate, cell_update, forget_gate, gate_preactivation,
                   hidden_state, input_gate, lstm_backward, lstm_forward, lstm_step, output_gate,
                   output_layer)
from .memory import half_life, retention
from .gradcheck import gradcheck, numerical_gradient, relative_error
from .params import GATE_NAMES, GATES, LSTMGrads, LSTMParams

__all__ = [
    "sigmoid", "dsigmoid", "tanh", "dtanh", "softmax",
    "LSTMParams", "LSTMGrads", "GATES", "GATE_NAMES",
    "gate_preactivation", "forget_gate", "input_gate", "candidate", "cell_update", "output_gate",
    "hidden_state", "output_layer", "lstm_step", "lstm_forward", "lstm_backward", "Step", "Trace",
    "Backward", "gradcheck", "numerical_gradient", "relative_error", "half_life", "retention",
]
