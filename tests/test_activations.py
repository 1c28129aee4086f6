"""Activations: values against math-module references, derivatives against central differences,
no overflow warnings at the extremes, dtype kept, and where float32 saturates."""
import math
import warnings

import numpy as np
import pytest

from lstm_core import dsigmoid, dtanh, sigmoid, softmax, tanh

Z = np.linspace(-30.0, 30.0, 241)


def _ref_sigmoid(z):
    return np.array([1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v)) for v in z])


def test_sigmoid_matches_reference():
    np.testing.assert_allclose(sigmoid(Z), _ref_sigmoid(Z), rtol=1e-14, atol=0,
                               err_msg="sigmoid differs from 1 / (1 + e^-z)")
    assert sigmoid(0.0) == 0.5, "σ(0) must be exactly 1/2"
    np.testing.assert_allclose(sigmoid(Z) + sigmoid(-Z), 1.0, rtol=0, atol=1e-15,
                               err_msg="σ(z) + σ(-z) must be 1")


def test_tanh_matches_reference():
    np.testing.assert_allclose(tanh(Z), [math.tanh(v) for v in Z], rtol=1e-14, atol=0,
                               err_msg="tanh differs from math.tanh")


@pytest.mark.parametrize("fn,deriv,name", [(sigmoid, dsigmoid, "dsigmoid"), (tanh, dtanh, "dtanh")])
def test_derivatives_match_central_differences(fn, deriv, name):
    z = np.linspace(-8.0, 8.0, 161)
    eps = 1e-6
    numeric = (fn(z + eps) - fn(z - eps)) / (2 * eps)
    np.testing.assert_allclose(deriv(z), numeric, rtol=0, atol=1e-9,
                               err_msg=f"{name} differs from the central difference of {fn.__name__}")


def test_derivative_identities():
    s, t = sigmoid(Z), tanh(Z)
    np.testing.assert_allclose(dsigmoid(Z), s * (1 - s), rtol=1e-15, atol=0, err_msg="dsigmoid != σ(1-σ)")
    np.testing.assert_allclose(dtanh(Z), 1 - t * t, rtol=1e-15, atol=0, err_msg="dtanh != 1 - tanh²")
    assert dsigmoid(0.0) == 0.25 and dtanh(0.0) == 1.0, "slopes at 0 are 1/4 (sigmoid) and 1 (tanh)"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_warning_at_extremes(dtype):
    z = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")    # an overflow RuntimeWarning would fail here
        s, ds, t, dt = sigmoid(z), dsigmoid(z), tanh(z), dtanh(z)
    assert s[0] == 0.0 and s[-1] == 1.0, f"σ(∓1000) should be exactly 0 and 1, got {s[0]}, {s[-1]}"
    assert ds[0] == 0.0 and ds[-1] == 0.0, "σ' at ±1000 should be exactly 0"
    assert t[0] == -1.0 and t[-1] == 1.0, "tanh(∓1000) should round to ∓1"
    assert np.all(np.isfinite(np.concatenate([s, ds, t, dt]))), "no NaN or inf at the extremes"


@pytest.mark.parametrize("fn", [sigmoid, dsigmoid, tanh, dtanh, softmax])
def test_float32_in_float32_out(fn):
    z = np.linspace(-5, 5, 12, dtype=np.float32).reshape(3, 4)
    out = fn(z)
    assert out.dtype == np.float32, f"{fn.__name__}: float32 input gave {out.dtype}"
    assert out.shape == z.shape, f"{fn.__name__}: shape {z.shape} gave {out.shape}"


@pytest.mark.parametrize("fn", [sigmoid, dsigmoid, tanh, dtanh, softmax])
def test_integer_input_is_promoted_to_float64(fn):
    assert fn(np.array([0, 1, 2])).dtype == np.float64, f"{fn.__name__}: int input should give float64"


def test_float32_sigmoid_saturates_at_24_ln2():
    """In float32, 1 + e^-z rounds to 1 once e^-z <= 2^-24, i.e. z >= 24 ln 2 ≈ 16.64.
    The notebooks say σ is exactly 1.0 there in float32; this computes where it happens."""
    threshold = 24 * math.log(2)
    grid = np.arange(15.0, 18.0, 0.001).astype(np.float32)
    s = sigmoid(grid)
    first_one = float(grid[np.argmax(s == 1.0)])
    assert abs(first_one - threshold) < 0.01, f"float32 σ first reaches 1.0 at {first_one}, expected ≈ {threshold:.4f}"
    assert np.all(s[grid >= first_one] == 1.0), "float32 σ must stay exactly 1.0 above the threshold"
    assert sigmoid(np.float32(16.6)) < 1.0, "float32 σ(16.6) must still be below 1"
    assert sigmoid(np.float32(16.65)) == 1.0, "float32 σ(16.65) must be exactly 1.0"
    assert sigmoid(np.float64(16.65)) < 1.0, "float64 σ(16.65) must still be below 1"


def test_softmax_is_stable_and_sums_to_one():
    big = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = softmax(big)
    ref = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(out[0], ref, rtol=1e-14, err_msg="softmax must be shift invariant")
    np.testing.assert_allclose(out[1], [0.0, 0.0, 1.0], atol=1e-300, err_msg="softmax([-1000, 0, 1000])")
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=0, atol=1e-15, err_msg="rows must sum to 1")
    cols = softmax(big, axis=0)
    np.testing.assert_allclose(cols.sum(axis=0), 1.0, rtol=0, atol=1e-15, err_msg="axis=0 columns must sum to 1")
    f32 = softmax(big.astype(np.float32))
    assert f32.dtype == np.float32 and np.all(np.isfinite(f32)), "float32 softmax of huge logits must be finite"
    np.testing.assert_allclose(f32.sum(axis=-1), 1.0, rtol=0, atol=1e-6, err_msg="float32 rows must sum to 1")
