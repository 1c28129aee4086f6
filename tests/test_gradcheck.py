"""lstm_backward against central differences (the gradcheck helper), and proof that the check can fail."""
import importlib

import numpy as np
import pytest

from lstm_core import LSTMParams, gradcheck, numerical_gradient, relative_error

# The module, not the function of the same name that lstm_core exports.
gc = importlib.import_module("lstm_core.gradcheck")

TOL = 1e-7


def _assert_all_small(errors, what):
    bad = {k: v for k, v in errors.items() if not v < TOL}
    assert not bad, f"{what}: gradcheck relative error >= {TOL:g} for {bad}"


def _inputs(T, B, X, H, seed):
    rng = np.random.default_rng(seed)
    state = (H,) if B is None else (B, H)
    xs = rng.standard_normal((T, X) if B is None else (T, B, X))
    return xs, 0.5 * rng.standard_normal(state), rng.standard_normal(state)


OVERRIDES = {
    "none": None,
    "f=1": {"f": 1.0},
    "i=0": {"i": 0.0},
    "g per unit": {"g": np.array([-0.5, 0.25, 0.9])},
    "o full shape": "full",          # replaced by an array of the trace's shape below
    "f and o": {"f": 0.7, "o": 1.0},
}


@pytest.mark.parametrize("peephole", [False, True], ids=["standard", "peephole"])
@pytest.mark.parametrize("B", [None, 2], ids=["unbatched", "batched"])
@pytest.mark.parametrize("which", list(OVERRIDES))
def test_backward_matches_central_differences(which, B, peephole):
    X, H, T = 2, 3, 4
    p = LSTMParams.random(X, H, seed=3, forget_bias=0.5, peephole=peephole)
    xs, h0, c0 = _inputs(T, B, X, H, seed=5)
    overrides = OVERRIDES[which]
    if overrides == "full":
        shape = (T, H) if B is None else (T, B, H)
        overrides = {"o": np.random.default_rng(9).uniform(0, 1, shape)}
    errors = gradcheck(p, xs, h0, c0, overrides=overrides)
    expected = set(p.arrays()) | {"xs", "h0", "c0"}
    assert set(errors) == expected, f"gradcheck checked {sorted(errors)}, expected {sorted(expected)}"
    _assert_all_small(errors, f"overrides={which}, B={B}, peephole={peephole}")


def test_pinned_gate_gets_no_weight_gradient():
    """A pinned gate ignores its pre-activation, so its weights must get exactly zero gradient."""
    from lstm_core import lstm_backward, lstm_forward
    p = LSTMParams.random(2, 3, seed=1)
    xs, h0, c0 = _inputs(5, 2, 2, 3, seed=2)
    trace = lstm_forward(p, xs, h0, c0, overrides={"f": 1.0})
    g = lstm_backward(p, trace, np.ones_like(trace.h)).grads
    for name in ("W_xf", "W_hf", "b_f"):
        assert np.all(getattr(g, name) == 0), f"forget gate pinned: gradient of {name} should be 0"
    assert np.any(g.W_xi != 0), "input gate not pinned: W_xi should get a gradient"


def test_gradcheck_detects_a_wrong_backward(monkeypatch):
    """The oracle is meaningful only if it fails on a wrong gradient: corrupt one and watch it fail."""
    real = gc.lstm_backward

    def corrupted(params, trace, dh, dc_last=None):
        back = real(params, trace, dh, dc_last)
        wrong = back.grads.with_gate("f", W_h=back.grads.W_hf * 1.01)   # 1 % off on one matrix
        return back._replace(grads=wrong, dh0=back.dh0[::-1].copy())    # and dh0 in the wrong order

    monkeypatch.setattr(gc, "lstm_backward", corrupted)
    p = LSTMParams.random(2, 3, seed=3)
    xs, h0, c0 = _inputs(4, 2, 2, 3, seed=5)
    errors = gradcheck(p, xs, h0, c0)
    assert errors["W_hf"] > 1e-3, f"a 1% error in dW_hf went unnoticed: rel err {errors['W_hf']:.2e}"
    assert errors["h0"] > 1e-2, f"dh0 with rows swapped went unnoticed: rel err {errors['h0']:.2e}"
    assert errors["W_xf"] < TOL, f"an untouched gradient (W_xf) should still pass, got {errors['W_xf']:.2e}"


def test_numerical_gradient_and_relative_error_on_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    assert np.allclose(grad, 3 * x ** 2, rtol=1e-8, atol=1e-8), f"d/dx Σx³ should be 3x², got {grad}"
    assert np.array_equal(x, [[1.0, -2.0], [0.5, 3.0]]), "numerical_gradient must restore x after perturbing it"
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == pytest.approx(1.0), "opposite gradients have relative error 1"
