"""Parity with PyTorch: forward values and autograd gradients of torch.nn.LSTM, in float64.

The oracle is PyTorch's own LSTM; the weights come from a randomly initialised torch module (both
of its biases non-zero), so the gate order and the bias sum are checked as well.
"""
import numpy as np
import pytest

from lstm_core import LSTMParams, lstm_backward, lstm_forward, lstm_step

torch = pytest.importorskip("torch", reason="torch is not installed: parity with torch.nn.LSTM cannot be checked "
                                            "(CI installs torch==2.13.0, so there these tests run)")

TOL = 1e-10
# (T, B, X, H); B=None is an unbatched sequence, xs of shape (T, X)
SIZES = [(50, 32, 2, 16), (100, 1, 3, 8), (20, None, 3, 5), (7, 4, 5, 6)]


def _max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def _assert_close(name, ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} differs from torch's {theirs.shape}"
    diff = _max_diff(ours, theirs)
    assert diff < TOL, f"{name}: max abs diff to torch.nn.LSTM is {diff:.3e}, expected < {TOL:g}"


def _torch_lstm(X, H, seed):
    torch.manual_seed(seed)
    return torch.nn.LSTM(X, H).double()


def _case(T, B, X, H, seed):
    rng = np.random.default_rng(seed)
    state = (H,) if B is None else (B, H)
    xs = rng.standard_normal((T, X) if B is None else (T, B, X))
    h0, c0 = 0.5 * rng.standard_normal(state), rng.standard_normal(state)
    R = rng.standard_normal((T,) + state)      # dL/dh_t: L = Σ R ⊙ h + Σ S ⊙ c_T
    S = rng.standard_normal(state)
    return xs, h0, c0, R, S


def _run_torch(module, xs, h0, c0, R, S, use_dc_last):
    x = torch.tensor(xs, requires_grad=True)
    h0_t = torch.tensor(h0[None], requires_grad=True)   # torch wants (num_layers, [B,] H)
    c0_t = torch.tensor(c0[None], requires_grad=True)
    out, (h_n, c_n) = module(x, (h0_t, c0_t))
    loss = (out * torch.from_numpy(R)).sum()
    if use_dc_last:
        loss = loss + (c_n[0] * torch.from_numpy(S)).sum()
    module.zero_grad(set_to_none=True)
    loss.backward()
    grads = {name: prm.grad.numpy() for name, prm in module.named_parameters()}
    return out.detach().numpy(), c_n.detach().numpy()[0], grads, x.grad.numpy(), h0_t.grad.numpy()[0], c0_t.grad.numpy()[0]


@pytest.mark.parametrize("T,B,X,H", SIZES)
def test_forward_matches_torch(T, B, X, H):
    module = _torch_lstm(X, H, seed=T + H)
    p = LSTMParams.from_torch(module)
    xs, h0, c0, R, S = _case(T, B, X, H, seed=1)
    out, c_n, *_ = _run_torch(module, xs, h0, c0, R, S, use_dc_last=False)
    trace = lstm_forward(p, xs, h0, c0)
    _assert_close("h (every step)", trace.h, out)
    _assert_close("c_T", trace.c[-1], c_n)


@pytest.mark.parametrize("use_dc_last", [False, True], ids=["dh-only", "with-dc_last"])
@pytest.mark.parametrize("T,B,X,H", SIZES)
def test_gradients_match_torch_autograd(T, B, X, H, use_dc_last):
    module = _torch_lstm(X, H, seed=T + H)
    p = LSTMParams.from_torch(module)
    xs, h0, c0, R, S = _case(T, B, X, H, seed=2)
    _, _, tgrads, dx, dh0, dc0 = _run_torch(module, xs, h0, c0, R, S, use_dc_last)

    trace = lstm_forward(p, xs, h0, c0)
    back = lstm_backward(p, trace, R, S if use_dc_last else None)
    ours = back.grads.to_torch()
    assert set(ours) == set(tgrads), f"grads.to_torch() names {sorted(ours)} differ from torch's {sorted(tgrads)}"
    for name in tgrads:
        _assert_close(f"d{name}", ours[name], tgrads[name])
    _assert_close("dxs", back.dxs, dx)
    _assert_close("dh0", back.dh0, dh0)
    _assert_close("dc0", back.dc0, dc0)


def test_both_torch_bias_grads_equal_the_summed_bias_grad():
    module = _torch_lstm(3, 5, seed=0)
    p = LSTMParams.from_torch(module)
    xs, h0, c0, R, S = _case(6, 2, 3, 5, seed=3)
    back = lstm_backward(p, lstm_forward(p, xs, h0, c0), R)
    t = back.grads.to_torch()
    db = np.concatenate([back.grads.b_i, back.grads.b_f, back.grads.b_g, back.grads.b_o])  # torch order i,f,g,o
    assert np.array_equal(t["bias_ih_l0"], db), "bias_ih_l0 grad must equal db (the summed bias's gradient)"
    assert np.array_equal(t["bias_hh_l0"], db), "bias_hh_l0 grad must equal db (the summed bias's gradient)"


@pytest.mark.parametrize("B", [None, 1, 5])
def test_lstm_step_matches_lstm_cell(B):
    X, H = 4, 6
    torch.manual_seed(11)
    cell = torch.nn.LSTMCell(X, H).double()
    p = LSTMParams.from_torch(cell)
    rng = np.random.default_rng(4)
    state = (H,) if B is None else (B, H)
    x = rng.standard_normal((X,) if B is None else (B, X))
    h0, c0 = rng.standard_normal(state), rng.standard_normal(state)
    with torch.no_grad():
        h1, c1 = cell(torch.from_numpy(x), (torch.from_numpy(h0), torch.from_numpy(c0)))
    step = lstm_step(p, x, h0, c0)
    _assert_close("h (lstm_step vs LSTMCell)", step.h, h1.numpy())
    _assert_close("c (lstm_step vs LSTMCell)", step.c, c1.numpy())


def test_params_exported_to_torch_reproduce_our_forward():
    """The other direction: our random weights, loaded into torch with to_torch()."""
    p = LSTMParams.random(3, 7, seed=5, forget_bias=1.0)
    module = torch.nn.LSTM(3, 7).double()
    module.load_state_dict({k: torch.from_numpy(v) for k, v in p.to_torch().items()})
    xs = np.random.default_rng(6).standard_normal((12, 2, 3))
    with torch.no_grad():
        out, _ = module(torch.from_numpy(xs))
    _assert_close("h (to_torch -> torch.nn.LSTM)", lstm_forward(p, xs).h, out.numpy())
