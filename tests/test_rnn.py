"""The vanilla tanh RNN (lstm_core.rnn) and the gradient-flow measurements (lstm_core.gradflow).

Oracles: torch.nn.RNN (forward and autograd), a case small enough to do by hand, central differences
(rnn_gradcheck), lstm_backward itself for the per-step LSTM state gradients, and the two inequalities
the notebook teaches (Pascanu's bound, the cell path Π f).
"""
import math

import numpy as np
import pytest

from lstm_core import LSTMParams, lstm_backward, lstm_forward
from lstm_core.gradflow import (by_lag, decay_rate, forget_path, lstm_grad_by_lag, lstm_state_grads,
                                pascanu_bound, rnn_grad_by_lag)
from lstm_core.rnn import (RNNBackward, RNNGrads, RNNParams, RNNTrace, rnn_backward, rnn_forward,
                           rnn_gradcheck, rnn_state_grads, rnn_step)

TOL = 1e-10


def _case(T, B, X, H, seed):
    rng = np.random.default_rng(seed)
    state = (H,) if B is None else (B, H)
    xs = rng.standard_normal((T, X) if B is None else (T, B, X))
    return xs, 0.5 * rng.standard_normal(state), rng.standard_normal((T,) + state)


# ----- RNNParams ----------------------------------------------------------------------------
def test_random_is_pytorch_like_and_reproducible():
    p = RNNParams.random(3, 16, seed=5)
    bound = 1 / math.sqrt(16)
    for name, a in p.arrays().items():
        assert np.all(np.abs(a) <= bound), f"{name} outside U(±1/√H)"
        assert np.abs(a).max() > 0.5 * bound, f"{name} does not fill U(±1/√H)"
    q = RNNParams.random(3, 16, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(p.arrays().values(), q.arrays().values()))
    assert (p.input_size, p.hidden_size, p.dtype) == (3, 16, np.float64)


@pytest.mark.parametrize("scale", [0.0, 0.5, 1.0, 2.5])
def test_scale_sets_the_spectral_radius_and_nothing_else(scale):
    p = RNNParams.random(3, 16, seed=5, scale=scale)
    base = RNNParams.random(3, 16, seed=5)
    assert abs(p.spectral_radius() - scale) < 1e-10
    assert np.array_equal(p.W_xh, base.W_xh) and np.array_equal(p.b_h, base.b_h)
    assert p.largest_singular_value() >= p.spectral_radius() - 1e-12, "σ_max must bound ρ"


def test_float32_is_kept_and_arrays_are_read_only_copies():
    W = np.ones((2, 3), np.float32)
    p = RNNParams(W, np.eye(3, dtype=np.float32), np.zeros(3, np.float32))
    assert p.dtype == np.float32
    assert rnn_forward(p, np.ones((4, 2), np.float32)).h.dtype == np.float32
    W[0, 0] = 7.0
    assert p.W_xh[0, 0] == 1.0, "params must not alias the caller's array"
    with pytest.raises(ValueError):
        p.W_xh[0, 0] = 2.0
    assert RNNParams.random(2, 3, dtype=np.float32).dtype == np.float32


# ----- forward: by hand and against PyTorch -------------------------------------------------
def test_forward_by_hand_row_convention():
    # H = 2 with a non-symmetric W_hh: unit 0 feeds unit 1 (row convention h W_hh), never the reverse
    p = RNNParams(W_xh=[[0.5, -0.25]], W_hh=[[0.0, 2.0], [0.0, 0.0]], b_h=[0.1, 0.0])
    xs = np.array([[1.0], [2.0]])
    h1 = [math.tanh(0.5 + 0.1), math.tanh(-0.25)]
    h2 = [math.tanh(1.0 + 0.1), math.tanh(-0.5 + 2.0 * h1[0])]
    trace = rnn_forward(p, xs)
    assert np.allclose(trace.h, [h1, h2], rtol=0, atol=1e-15), "wrong values for h_t"
    assert np.allclose(rnn_step(p, xs[1], h1), h2, rtol=0, atol=1e-15), "wrong values for h_t from rnn_step"


@pytest.mark.parametrize("B", [None, 1, 4])
def test_step_by_step_equals_forward(B):
    p = RNNParams.random(3, 5, seed=2)
    xs, h0, _ = _case(6, B, 3, 5, seed=3)
    h, hs = h0, []
    for x in xs:
        h = rnn_step(p, x, h)
        hs.append(h)
    assert np.max(np.abs(np.array(hs) - rnn_forward(p, xs, h0).h)) < 1e-14


torch_reason = ("torch is not installed: parity with torch.nn.RNN cannot be checked "
                "(CI installs torch==2.13.0, so there these tests run)")


@pytest.mark.parametrize("T,B,X,H", [(30, 8, 3, 16), (20, None, 2, 5), (1, 2, 4, 3)])
def test_forward_and_gradients_match_torch(T, B, X, H):
    torch = pytest.importorskip("torch", reason=torch_reason)
    torch.manual_seed(T + H)
    module = torch.nn.RNN(X, H, nonlinearity="tanh").double()   # both biases non-zero
    p = RNNParams.from_torch(module)
    xs, h0, R = _case(T, B, X, H, seed=T)
    x = torch.tensor(xs, requires_grad=True)
    h0_t = torch.tensor(h0[None], requires_grad=True)
    out, h_n = module(x, h0_t)
    (out * torch.from_numpy(R)).sum().backward()

    trace = rnn_forward(p, xs, h0)
    assert np.max(np.abs(trace.h - out.detach().numpy())) < TOL, "wrong values for h_t"
    assert np.max(np.abs(rnn_step(p, xs[0], h0) - out.detach().numpy()[0])) < TOL, "wrong h_1 from rnn_step"
    back = rnn_backward(p, trace, R)
    g = {n: prm.grad.numpy() for n, prm in module.named_parameters()}
    assert np.max(np.abs(back.grads.W_xh - g["weight_ih_l0"].T)) < TOL, "wrong dL/dW_xh"
    assert np.max(np.abs(back.grads.W_hh - g["weight_hh_l0"].T)) < TOL, "wrong dL/dW_hh"
    assert np.max(np.abs(back.grads.b_h - g["bias_ih_l0"])) < TOL, "wrong dL/db_h"
    assert np.max(np.abs(back.dxs - x.grad.numpy())) < TOL, "wrong dL/dx_t"
    assert np.max(np.abs(back.dh0 - h0_t.grad.numpy()[0])) < TOL, "wrong dL/dh_0"


def test_torch_round_trip_and_cell():
    torch = pytest.importorskip("torch", reason=torch_reason)
    p = RNNParams.random(3, 4, seed=9)
    module = torch.nn.RNN(3, 4).double()
    module.load_state_dict({k: torch.from_numpy(v) for k, v in p.to_torch().items()})
    assert all(np.array_equal(a, b) for a, b in zip(RNNParams.from_torch(module).arrays().values(),
                                                      p.arrays().values()))
    cell = torch.nn.RNNCell(3, 4).double()
    cell.load_state_dict({k: torch.from_numpy(v) for k, v in p.to_torch(cell=True).items()})
    x = np.random.default_rng(0).standard_normal((2, 3))
    assert np.max(np.abs(cell(torch.tensor(x)).detach().numpy() - rnn_step(p, x))) < TOL
    with pytest.raises(ValueError, match="tanh"):
        RNNParams.from_torch(torch.nn.RNN(3, 4, nonlinearity="relu"))
    with pytest.raises(ValueError, match="one-layer"):
        RNNParams.from_torch(torch.nn.RNN(3, 4, num_layers=2))


# ----- backward -----------------------------------------------------------------------------
@pytest.mark.parametrize("B,with_h0", [(None, False), (None, True), (3, True)])
def test_gradcheck(B, with_h0):
    p = RNNParams.random(3, 4, seed=11, scale=1.2)
    xs, h0, _ = _case(7, B, 3, 4, seed=12)
    errors = rnn_gradcheck(p, xs, h0 if with_h0 else None, seed=1)
    assert set(errors) == {"W_xh", "W_hh", "b_h", "xs", "h0"}
    for name, err in errors.items():
        assert err < 1e-7, f"gradcheck: relative error of dL/d{name} is {err:.2e}, expected < 1e-7"


def test_gradcheck_catches_a_wrong_gradient(monkeypatch):
    import lstm_core.rnn as rnn
    real = rnn.rnn_backward

    def off_by_a_bit(params, trace, dh):
        b = real(params, trace, dh)
        return RNNBackward(RNNGrads(b.grads.W_xh, b.grads.W_hh * 1.01, b.grads.b_h), b.dxs, b.dh0)

    monkeypatch.setattr(rnn, "rnn_backward", off_by_a_bit)
    xs, _, _ = _case(5, None, 2, 3, seed=0)
    errors = rnn.rnn_gradcheck(RNNParams.random(2, 3, seed=0), xs)
    assert errors["W_hh"] > 1e-3 and errors["W_xh"] < 1e-7, "gradcheck must single out the broken gradient"


@pytest.mark.parametrize("B", [None, 2])
def test_state_grads_match_backward_on_the_rest_of_the_sequence(B):
    # dL/dh_t through every path = the loss's own dh[t] + dL/dh0 of the sub-sequence that starts from h_t
    p = RNNParams.random(3, 4, seed=4, scale=1.1)
    xs, h0, dh = _case(6, B, 3, 4, seed=5)
    trace = rnn_forward(p, xs, h0)
    total = rnn_state_grads(p, trace, dh)
    assert total.shape == trace.h.shape
    assert np.max(np.abs(total[-1] - dh[-1])) < 1e-15
    for t in range(len(xs) - 1):
        rest = rnn_backward(p, rnn_forward(p, xs[t + 1:], trace.h[t]), dh[t + 1:])
        assert np.max(np.abs(total[t] - (dh[t] + rest.dh0))) < 1e-13, f"wrong dL/dh_t at t={t}"


# ----- bad input ----------------------------------------------------------------------------
def test_bad_params_name_the_argument():
    with pytest.raises(ValueError, match=r"W_hh: expected shape \(4, 4\).*got \(4, 3\)"):
        RNNParams(np.zeros((2, 4)), np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"b_h: expected shape \(4,\).*got \(3,\)"):
        RNNParams(np.zeros((2, 4)), np.zeros((4, 4)), np.zeros(3))
    with pytest.raises(ValueError, match=r"W_xh: expected a 2-D array"):
        RNNParams(np.zeros(4), np.zeros((4, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="b_h: expected finite values"):
        RNNParams(np.zeros((2, 4)), np.zeros((4, 4)), [0, np.nan, 0, 0])
    with pytest.raises(ValueError, match="hidden_size: expected a positive integer, got 0"):
        RNNParams.random(2, 0)
    with pytest.raises(ValueError, match="scale: expected one number >= 0"):
        RNNParams.random(2, 3, scale=-1.0)


def test_bad_inputs_name_the_argument():
    p = RNNParams.random(3, 4)
    with pytest.raises(ValueError, match=r"xs: expected shape \(T, X\) or \(T, B, X\).*X=3.*got \(5, 2\)"):
        rnn_forward(p, np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"h0: expected shape \(2, 4\).*got \(4,\)"):
        rnn_forward(p, np.zeros((5, 2, 3)), h0=np.zeros(4))
    with pytest.raises(ValueError, match=r"x_t: expected shape \(X,\) or \(B, X\) with X=3.*got \(2,\)"):
        rnn_step(p, np.zeros(2))
    with pytest.raises(ValueError, match=r"h_prev: expected shape \(4,\)"):
        rnn_step(p, np.zeros(3), np.zeros(5))
    with pytest.raises(ValueError, match="params: expected an RNNParams, got LSTMParams"):
        rnn_forward(LSTMParams.random(3, 4), np.zeros((5, 3)))
    trace = rnn_forward(p, np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"dh: expected shape \(5, 4\).*got \(4, 4\)"):
        rnn_backward(p, trace, np.zeros((4, 4)))
    with pytest.raises(ValueError, match="trace: expected the RNNTrace"):
        rnn_backward(p, "trace", np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"params: expected the params the trace was made with \(X=3, H=4\)"):
        rnn_backward(RNNParams.random(3, 5), trace, np.zeros((5, 4)))
    with pytest.raises(ValueError, match="xs: expected finite values"):
        rnn_forward(p, [[0.0, np.inf, 0.0]])
    assert isinstance(trace, RNNTrace) and trace.T == 5


# ----- gradient flow: the RNN ---------------------------------------------------------------
@pytest.mark.parametrize("scale", [0.3, 0.5, 0.9, 1.5, 3.0])
def test_pascanu_bound_holds_for_every_lag(scale):
    # one step back multiplies by diag(1 - h²) W_hhᵀ, whose norm is at most σ_max: ‖g_{k+1}‖ ≤ σ_max ‖g_k‖
    p = RNNParams.random(4, 32, seed=0, scale=scale)
    xs = np.random.default_rng(1).standard_normal((60, 4))
    norms = rnn_grad_by_lag(p, xs)
    sigma = p.largest_singular_value()
    assert abs(norms[0] - 1.0) < 1e-12, "the default ∂L/∂h_T is a unit vector"
    assert np.all(norms[1:] <= sigma * norms[:-1] * (1 + 1e-12)), "a step grew the gradient by more than σ_max"
    assert np.all(norms <= pascanu_bound(p, np.arange(60)) * (1 + 1e-12))


def test_rnn_gradient_vanishes_geometrically_below_the_condition():
    p = RNNParams.random(4, 32, seed=0, scale=0.4)
    sigma = p.largest_singular_value()
    assert sigma < 1, "this case is meant to satisfy Pascanu's sufficient condition σ_max < 1"
    norms = rnn_grad_by_lag(p, np.random.default_rng(1).standard_normal((80, 4)))
    ratios = norms[1:] / norms[:-1]
    assert np.all(ratios < 1), "the gradient must shrink at every step back"
    assert decay_rate(norms) <= sigma
    assert norms[-1] < sigma ** 79 * (1 + 1e-12) and norms[-1] < 1e-5


def test_rnn_gradient_decays_with_spectral_radius_below_one():
    # ρ < 1 with σ_max > 1: the bound says nothing, the measured decay is still geometric
    xs = np.random.default_rng(2).standard_normal((100, 4))
    rates = []
    for rho in (0.5, 0.8, 0.95):
        p = RNNParams.random(4, 32, seed=0, scale=rho)
        norms = rnn_grad_by_lag(p, xs)
        rate = decay_rate(norms)
        assert rate < 1 and norms[-1] < 1e-3, f"ρ={rho}: expected a vanishing gradient, rate {rate:.3f}"
        # geometric: the log-norm is close to a straight line in the lag (fit residual small vs the drop)
        k = np.arange(100)
        resid = np.log(norms) - np.polyval(np.polyfit(k, np.log(norms), 1), k)
        assert np.std(resid) < 0.1 * abs(np.log(norms[-1])), f"ρ={rho}: decay is not geometric"
        rates.append(rate)
    assert rates[0] < rates[1] < rates[2], "a larger spectral radius must vanish more slowly"


def test_gradflow_shapes_and_errors():
    p = RNNParams.random(2, 3)
    assert rnn_grad_by_lag(p, np.zeros((6, 5, 2))).shape == (6, 5)
    with pytest.raises(ValueError, match=r"dh_last: expected shape \(3,\)"):
        rnn_grad_by_lag(p, np.zeros((6, 2)), dh_last=np.ones(4))
    with pytest.raises(ValueError, match="norms: expected a 1-D array"):
        decay_rate([1.0])
    with pytest.raises(ValueError, match="params: expected an RNNParams"):
        pascanu_bound(LSTMParams.random(2, 3), [0, 1])
    assert decay_rate([2.0, 1.0, 0.5]) == pytest.approx(0.5)


# ----- gradient flow: the LSTM --------------------------------------------------------------
@pytest.mark.parametrize("peephole,B,overrides", [(False, None, None), (False, 3, {"o": 0.7}),
                                                  (True, None, None), (True, 2, {"i": 0.3})])
def test_lstm_state_grads_end_where_lstm_backward_ends(peephole, B, overrides):
    lp = LSTMParams.random(3, 4, seed=3, forget_bias=1.0, peephole=peephole)
    xs, h0, dh = _case(8, B, 3, 4, seed=4)
    c0 = np.random.default_rng(5).standard_normal(h0.shape)
    dc_last = np.random.default_rng(6).standard_normal(h0.shape)
    trace = lstm_forward(lp, xs, h0, c0, overrides)
    back = lstm_backward(lp, trace, dh, dc_last)
    dh_tot, dc_tot = lstm_state_grads(lp, trace, dh, dc_last)
    # run lstm_backward over step 1 alone, fed the per-step totals at step 1: it must reach the same
    # dL/dh_0 and dL/dc_0 as the full backward pass, which checks the whole recursion down to step 1
    one = {k: v[:1] if np.ndim(v) == 3 else v for k, v in (overrides or {}).items()}
    first = lstm_backward(lp, lstm_forward(lp, xs[:1], h0, c0, one), dh_tot[:1],
                          dc_tot[0] - _h_to_c(lp, trace, dh_tot, 0))
    assert np.max(np.abs(first.dc0 - back.dc0)) < 1e-12, "wrong dL/dc_t at t=1"
    assert np.max(np.abs(first.dh0 - back.dh0)) < 1e-12, "wrong dL/dh_t at t=1"


def _h_to_c(lp, trace, dh_tot, t):
    """The part of the node gradient dL/dc_t that arrives through h_t (and the o-peephole)."""
    o, tc = trace.o[t], np.tanh(trace.c[t])
    part = dh_tot[t] * o * (1 - tc ** 2)
    if lp.peephole and "o" not in trace.pinned:
        part = part + dh_tot[t] * tc * o * (1 - o) * lp.w_co
    return part


@pytest.mark.parametrize("B", [None, 2])
def test_lstm_state_grads_per_step_match_lstm_backward_on_the_rest(B):
    lp = LSTMParams.random(3, 4, seed=3, forget_bias=1.0)
    xs, h0, dh = _case(7, B, 3, 4, seed=8)
    dc_last = np.random.default_rng(9).standard_normal(h0.shape)
    trace = lstm_forward(lp, xs, h0)
    dh_tot, dc_tot = lstm_state_grads(lp, trace, dh, dc_last)
    assert np.max(np.abs(dh_tot[-1] - dh[-1])) < 1e-15
    for t in range(len(xs) - 1):
        rest = lstm_backward(lp, lstm_forward(lp, xs[t + 1:], trace.h[t], trace.c[t]), dh[t + 1:], dc_last)
        assert np.max(np.abs(dh_tot[t] - (dh[t] + rest.dh0))) < 1e-13, f"wrong dL/dh_t at t={t}"
        assert np.max(np.abs(dc_tot[t] - (rest.dc0 + _h_to_c(lp, trace, dh_tot, t)))) < 1e-13, \
            f"wrong dL/dc_t at t={t}"


def test_cell_path_is_the_product_of_forget_gates_when_other_paths_are_cut():
    # loss on c_T only, f varying per step and unit, i and g pinned: ∂L/∂c_t = ∂L/∂c_T ⊙ Π_{s>t} f_s exactly
    T, H = 30, 5
    rng = np.random.default_rng(0)
    f = rng.uniform(0.6, 1.0, size=(T, H))
    lp = LSTMParams.random(3, H, seed=1)
    xs = rng.standard_normal((T, 3))
    dc_T = rng.standard_normal(H)
    pins = {"f": f, "i": 0.5, "g": 0.2}
    trace = lstm_forward(lp, xs, overrides=pins)
    _, dc = lstm_state_grads(lp, trace, np.zeros((T, H)), dc_T)
    expected = np.array([dc_T * np.prod(f[t + 1:], axis=0) for t in range(T)])
    assert np.max(np.abs(dc - expected)) < 1e-15
    assert np.max(np.abs(forget_path(trace, dc_T) - expected)) < 1e-15
    norms = lstm_grad_by_lag(lp, xs, overrides=pins, dh_last=np.zeros(H), dc_last=dc_T)
    assert np.allclose(norms, by_lag(expected), rtol=1e-14, atol=0)
    # f = 1: the gradient reaches back 30 steps with its norm unchanged
    flat = lstm_grad_by_lag(lp, xs, overrides={"f": 1.0, "i": 0.5, "g": 0.2}, dh_last=np.zeros(H), dc_last=dc_T)
    assert np.allclose(flat, np.linalg.norm(dc_T), rtol=1e-14, atol=0)


def test_cell_path_is_exact_without_recurrent_gate_weights():
    # with every W_h* = 0 nothing flows back through h, so even with free gates ∂L/∂c_t = ∂L/∂c_T ⊙ Π f
    base = LSTMParams.random(3, 6, seed=2, forget_bias=3.0)
    lp = base
    for g in "figo":
        lp = lp.with_gate(g, W_h=np.zeros((6, 6)))
    xs = np.random.default_rng(3).standard_normal((40, 3))
    trace = lstm_forward(lp, xs)
    dc_T = np.ones(6)
    _, dc = lstm_state_grads(lp, trace, np.zeros((40, 6)), dc_T)
    assert np.max(np.abs(dc - forget_path(trace, dc_T))) < 1e-14


def test_lstm_with_forget_bias_keeps_gradient_the_rnn_loses():
    # the same length, the same inputs: a tanh RNN with ρ = 0.9 against an LSTM with f near 1 (b_f = 3)
    xs = np.random.default_rng(4).standard_normal((100, 4))
    rnn = rnn_grad_by_lag(RNNParams.random(4, 32, seed=0, scale=0.9), xs)
    lp = LSTMParams.random(4, 32, seed=0, forget_bias=3.0)
    lstm = lstm_grad_by_lag(lp, xs, dh_last=np.zeros(32), dc_last=np.full(32, 1 / np.sqrt(32)))
    f_mean = lstm_forward(lp, xs).f.mean()
    assert f_mean > 0.9
    assert lstm[50] / lstm[0] > 1e3 * rnn[50] / rnn[0]
    # and with f near 0.5 (no forget bias) the LSTM's cell gradient vanishes too: the gate, not the cell, decides
    lp0 = LSTMParams.random(4, 32, seed=0, forget_bias=0.0)
    lstm0 = lstm_grad_by_lag(lp0, xs, dh_last=np.zeros(32), dc_last=np.full(32, 1 / np.sqrt(32)))
    assert lstm0[50] / lstm0[0] < 1e-6


def test_lstm_grad_errors():
    lp = LSTMParams.random(3, 4)
    trace = lstm_forward(lp, np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"dh: expected shape \(5, 4\)"):
        lstm_state_grads(lp, trace, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="trace: expected the Trace"):
        forget_path(rnn_forward(RNNParams.random(3, 4), np.zeros((5, 3))), np.ones(4))
    with pytest.raises(ValueError, match=r"dc_T: expected shape \(4,\)"):
        forget_path(trace, np.ones(3))
    with pytest.raises(ValueError, match=r"params: expected the params the trace was made with"):
        lstm_state_grads(LSTMParams.random(3, 5), trace, np.zeros((5, 4)))


# ----- with_spectral_radius and the notebook's comparison -----------------------------------
def test_with_spectral_radius_rescales_only_W_hh():
    p = RNNParams.random(3, 8, seed=1)
    q = p.with_spectral_radius(1.7)
    assert abs(q.spectral_radius() - 1.7) < 1e-12
    assert np.allclose(q.W_hh / p.W_hh, 1.7 / p.spectral_radius())
    assert np.array_equal(q.W_xh, p.W_xh) and np.array_equal(q.b_h, p.b_h)
    with pytest.raises(ValueError, match="rho: expected one number >= 0"):
        p.with_spectral_radius(-0.1)
    with pytest.raises(ValueError, match="rho: W_hh is nilpotent"):
        RNNParams.zeros(3, 8).with_spectral_radius(1.0)


def test_compare_flow_is_built_from_the_measurements():
    from lstm_core.gradflow import compare_flow, flow_setup
    setup = flow_setup(seed=3, T=40, X=2, H=8)
    xs, rnn_p, lstm_p = setup
    flow = compare_flow(0.7, 2.0, setup)
    p = rnn_p.with_spectral_radius(0.7)
    assert np.array_equal(flow.rnn, rnn_grad_by_lag(p, xs))
    assert np.allclose(flow.bound, p.largest_singular_value() ** np.arange(40) * flow.rnn[0], rtol=1e-13)
    lp = lstm_p.with_gate("f", b=np.full(8, 2.0))
    assert np.array_equal(flow.lstm, lstm_grad_by_lag(lp, xs))
    assert abs(flow.f_mean - lstm_forward(lp, xs).f.mean()) < 1e-15
    assert abs(flow.rho - 0.7) < 1e-12 and flow.lag.tolist() == list(range(40))
    with pytest.raises(ValueError, match="b_f: expected one number"):
        compare_flow(0.7, [1.0, 2.0], setup)
    with pytest.raises(ValueError, match="rho: expected one number >= 0"):
        compare_flow(-1.0, 2.0, setup)
