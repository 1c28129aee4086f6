"""Parity with Keras 3 (torch backend): keras.layers.LSTM forward against lstm_forward, in float64.

Keras is batch-major, (B, T, X); lstm_core is time-major, (T, B, X): the tests transpose.
"""
import numpy as np
import pytest

from lstm_core import LSTMParams, lstm_forward

keras = pytest.importorskip("keras", reason="keras is not installed: parity with keras.layers.LSTM cannot be "
                                            "checked (CI installs keras 3 with KERAS_BACKEND=torch)")

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")
TOL = 1e-10


def _keras_lstm(p):
    layer = keras.layers.LSTM(p.hidden_size, return_sequences=True, return_state=True, dtype="float64")
    layer.build((None, None, p.input_size))
    layer.set_weights(p.to_keras())
    return layer


def _np(t):
    return keras.ops.convert_to_numpy(t)


def _assert_close(name, ours, theirs):
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} differs from keras' {theirs.shape}"
    assert theirs.dtype == np.float64, f"{name}: keras computed in {theirs.dtype}, expected float64"
    diff = float(np.max(np.abs(ours - theirs)))
    assert diff < TOL, f"{name}: max abs diff to keras.layers.LSTM is {diff:.3e}, expected < {TOL:g}"


@pytest.mark.parametrize("T,B,X,H", [(50, 32, 2, 16), (100, 1, 3, 8), (9, 3, 4, 5)])
@pytest.mark.parametrize("initial_state", [False, True], ids=["zero-state", "given-state"])
def test_forward_matches_keras(T, B, X, H, initial_state):
    p = LSTMParams.random(X, H, seed=T, forget_bias=1.0)
    rng = np.random.default_rng(H)
    xs = rng.standard_normal((T, B, X))
    h0, c0 = (0.5 * rng.standard_normal((B, H)), rng.standard_normal((B, H))) if initial_state else (None, None)
    layer = _keras_lstm(p)
    batch_major = np.ascontiguousarray(xs.transpose(1, 0, 2))
    if initial_state:
        seq, h_T, c_T = layer(batch_major, initial_state=[h0, c0])
    else:
        seq, h_T, c_T = layer(batch_major)
    trace = lstm_forward(p, xs, h0, c0)
    _assert_close("h_t (return_sequences)", trace.h.transpose(1, 0, 2), _np(seq))
    _assert_close("h_T (return_state)", trace.h[-1], _np(h_T))
    _assert_close("c_T (return_state)", trace.c[-1], _np(c_T))


def test_keras_weights_into_lstm_core():
    """The other direction: a keras layer's own initial weights, read with from_keras."""
    keras.utils.set_random_seed(1)
    layer = keras.layers.LSTM(6, return_sequences=True, return_state=True, dtype="float64")
    layer.build((None, None, 2))
    p = LSTMParams.from_keras(*layer.get_weights())
    xs = np.random.default_rng(0).standard_normal((4, 12, 2))      # keras: (B, T, X)
    seq, h_T, c_T = layer(xs)
    trace = lstm_forward(p, xs.transpose(1, 0, 2))
    _assert_close("h_t", trace.h.transpose(1, 0, 2), _np(seq))
    _assert_close("c_T", trace.c[-1], _np(c_T))
