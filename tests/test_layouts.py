"""Weight layouts: exact round trips between PyTorch, LSTMParams, Keras and the course layout, and
every kind of torch/keras object that from_torch / from_keras accept."""
import numpy as np
import pytest

from lstm_core import GATES, LSTMParams, lstm_forward, lstm_step, sigmoid

NO_TORCH = "torch is not installed: the torch layout cannot be checked (CI installs torch==2.13.0)"
NO_KERAS = "keras is not installed: the keras layout cannot be checked (CI installs keras 3)"

# Keras 3.15 on numpy 2 warns about its own __array__; that is keras' business, not ours.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")


def _assert_same_params(a, b, what):
    assert a.arrays().keys() == b.arrays().keys(), f"{what}: fields {list(a.arrays())} vs {list(b.arrays())}"
    for name, arr in a.arrays().items():
        assert arr.dtype == getattr(b, name).dtype, f"{what}: {name} dtype {arr.dtype} vs {getattr(b, name).dtype}"
        assert np.array_equal(arr, getattr(b, name)), f"{what}: {name} changed in the round trip"


@pytest.fixture(params=[np.float64, np.float32], ids=["float64", "float32"])
def p(request):
    return LSTMParams.random(3, 5, seed=9, forget_bias=1.0, dtype=request.param)


# ----- round trips without any framework ---------------------------------------------------------
def test_round_trip_torch_layout(p):
    d = p.to_torch()
    H, X = 5, 3
    shapes = {"weight_ih_l0": (4 * H, X), "weight_hh_l0": (4 * H, H), "bias_ih_l0": (4 * H,), "bias_hh_l0": (4 * H,)}
    assert {k: v.shape for k, v in d.items()} == shapes, f"to_torch shapes {({k: v.shape for k, v in d.items()})}"
    assert np.array_equal(d["weight_ih_l0"][H:2 * H], p.W_xf.T), "torch gate order is i, f, g, o: rows H:2H are f"
    _assert_same_params(LSTMParams.from_torch(d), p, "LSTMParams -> torch -> LSTMParams")
    cell = p.to_torch(cell=True)
    assert set(cell) == {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}, f"cell=True names: {sorted(cell)}"
    _assert_same_params(LSTMParams.from_torch(cell), p, "LSTMParams -> torch cell -> LSTMParams")


def test_round_trip_keras_layout(p):
    kernel, rk, bias = p.to_keras()
    assert (kernel.shape, rk.shape, bias.shape) == ((3, 20), (5, 20), (20,)), "keras shapes (X,4H), (H,4H), (4H,)"
    assert np.array_equal(kernel[:, 10:15], p.W_xg), "keras gate order is i, f, c, o: columns 2H:3H are g (c)"
    _assert_same_params(LSTMParams.from_keras(kernel, rk, bias), p, "LSTMParams -> keras -> LSTMParams")


def test_round_trip_course_layout(p):
    d = p.to_concat()
    assert d["Wf"].shape == (5, 8) and d["bf"].shape == (5, 1), "course layout: W (H, H+X), b (H, 1)"
    assert np.array_equal(d["Wc"][:, :5], p.W_hg.T), "course layout: hidden columns come first in W"
    _assert_same_params(LSTMParams.from_concat(**d), p, "LSTMParams -> concat -> LSTMParams")


def test_cross_layouts_are_exact(p):
    """torch -> keras -> concat -> torch, through LSTMParams, without losing a bit."""
    via_keras = LSTMParams.from_keras(*LSTMParams.from_torch(p.to_torch()).to_keras())
    via_concat = LSTMParams.from_concat(**via_keras.to_concat())
    back = via_concat.to_torch()
    for k, v in p.to_torch().items():
        assert np.array_equal(back[k], v), f"torch -> keras -> concat -> torch changed {k}"
    kernel, rk, _ = p.to_keras()
    assert np.array_equal(kernel, p.to_torch()["weight_ih_l0"].T), "keras kernel is torch weight_ih transposed"
    assert np.array_equal(rk, p.to_torch()["weight_hh_l0"].T), "keras recurrent_kernel is torch weight_hh transposed"


def test_from_concat_accepts_column_and_flat_biases(p):
    d = p.to_concat()
    flat = {k: (v.reshape(-1) if k.startswith("b") else v) for k, v in d.items()}
    _assert_same_params(LSTMParams.from_concat(**flat), LSTMParams.from_concat(**d), "(H,) vs (H, 1) biases")


def test_seed_002_course_layout_is_reproduced():
    """Seed 002's layout: W (H, H+X) on concat = [h_prev; x_t], batches as columns.  Same data recipe as
    the seed (np.random.seed(1), randn in its order); the reference cell is written here in that layout."""
    np.random.seed(1)
    xt, a_prev, c_prev = np.random.randn(3, 10), np.random.randn(5, 10), np.random.randn(5, 10)
    W, b = {}, {}
    for k in "fioc":                                          # the seed draws f, i, o, c in this order
        W[k], b[k] = np.random.randn(5, 8), np.random.randn(5, 1)

    concat = np.vstack([a_prev, xt])                          # (H+X, m), hidden rows first
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    ft, it, ot = s(W["f"] @ concat + b["f"]), s(W["i"] @ concat + b["i"]), s(W["o"] @ concat + b["o"])
    cct = np.tanh(W["c"] @ concat + b["c"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)

    p = LSTMParams.from_concat(W["f"], b["f"], W["i"], b["i"], W["c"], b["c"], W["o"], b["o"])
    step = lstm_step(p, xt.T, a_prev.T, c_prev.T)             # batch-in-rows: transpose
    for name, ref in (("f", ft), ("i", it), ("g", cct), ("o", ot), ("c", c_next), ("h", a_next)):
        np.testing.assert_allclose(getattr(step, name).T, ref, rtol=0, atol=1e-14,
                                   err_msg=f"course layout: wrong values for {name}_t")
    # The seed prints a_next[4] from this data; its published digits agree.
    published = [-0.66408471, 0.0036921, 0.02088357, 0.22834167, -0.85575339, 0.00138482,
                 0.76566531, 0.34631421, -0.00215674, 0.43827275]
    np.testing.assert_allclose(step.h.T[4], published, rtol=0, atol=1e-8,
                               err_msg="seed 002's printed a_next[4] is not reproduced")


# ----- PyTorch objects ---------------------------------------------------------------------------
def _torch():
    return pytest.importorskip("torch", reason=NO_TORCH)


def _as_numpy(sd):
    return {k: v.detach().numpy() for k, v in sd.items()}


def _torch_expected(sd, sfx=""):
    """LSTMParams built by hand from a state_dict: gate order i, f, g, o, biases summed."""
    sd = _as_numpy(sd) if not isinstance(next(iter(sd.values())), np.ndarray) else sd
    W_ih, W_hh = sd["weight_ih" + sfx], sd["weight_hh" + sfx]
    H = W_hh.shape[1]
    b = sd.get("bias_ih" + sfx, 0) + sd.get("bias_hh" + sfx, 0) + np.zeros(4 * H, W_ih.dtype)
    kw = {}
    for k, g in enumerate("ifgo"):
        s = slice(k * H, (k + 1) * H)
        kw.update({f"W_x{g}": W_ih[s].T, f"W_h{g}": W_hh[s].T, f"b_{g}": b[s]})
    return LSTMParams(**kw)


@pytest.mark.parametrize("kind", ["LSTM", "LSTMCell"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("form", ["module", "state_dict-tensors", "state_dict-numpy"])
def test_from_torch_accepts_modules_and_state_dicts(kind, bias, form):
    torch = _torch()
    torch.manual_seed(3)
    module = getattr(torch.nn, kind)(3, 4, bias=bias).double()
    obj = {"module": module, "state_dict-tensors": module.state_dict(),
           "state_dict-numpy": _as_numpy(module.state_dict())}[form]
    p = LSTMParams.from_torch(obj)
    _assert_same_params(p, _torch_expected(module.state_dict(), "" if kind == "LSTMCell" else "_l0"),
                        f"from_torch({kind}, bias={bias}, {form})")
    if not bias:
        assert all(np.all(getattr(p, f"b_{g}") == 0) for g in GATES), "bias=False must give zero biases"
    x = np.random.default_rng(0).standard_normal((6, 2, 3))
    with torch.no_grad():
        if kind == "LSTM":
            ref = module(torch.from_numpy(x))[0].numpy()
            ours = lstm_forward(p, x).h
        else:
            ref = module(torch.from_numpy(x[0]))[0].numpy()
            ours = lstm_step(p, x[0]).h
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12, err_msg=f"from_torch({kind}) runs differently")


def test_from_torch_float32_module_stays_float32():
    torch = _torch()
    p = LSTMParams.from_torch(torch.nn.LSTM(2, 3))
    assert p.dtype == np.float32, f"a float32 torch module should give float32 params, got {p.dtype}"


def test_torch_to_torch_is_exact_with_two_biases():
    torch = _torch()
    torch.manual_seed(4)
    module = torch.nn.LSTM(3, 4).double()
    sd = _as_numpy(module.state_dict())
    out = LSTMParams.from_torch(module).to_torch()
    for k in ("weight_ih_l0", "weight_hh_l0"):
        assert np.array_equal(out[k], sd[k]), f"{k} changed through LSTMParams"
    assert np.array_equal(out["bias_ih_l0"] + out["bias_hh_l0"], sd["bias_ih_l0"] + sd["bias_hh_l0"]), \
        "the summed bias must survive the round trip exactly"


def test_multi_layer_layer_1():
    torch = _torch()
    torch.manual_seed(5)
    module = torch.nn.LSTM(3, 4, num_layers=2).double()
    p0, p1 = LSTMParams.from_torch(module, layer=0), LSTMParams.from_torch(module, layer=1)
    assert (p1.input_size, p1.hidden_size) == (4, 4), "layer 1 reads layer 0's h: X = H"
    _assert_same_params(p1, _torch_expected(module.state_dict(), "_l1"), "from_torch(layer=1)")
    x = np.random.default_rng(1).standard_normal((7, 2, 3))
    with torch.no_grad():
        ref = module(torch.from_numpy(x))[0].numpy()
    ours = lstm_forward(p1, lstm_forward(p0, x).h).h
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12, err_msg="two stacked layers differ from torch")


def test_bidirectional_layer_and_reverse():
    torch = _torch()
    torch.manual_seed(6)
    module = torch.nn.LSTM(3, 4, bidirectional=True).double()
    fwd = LSTMParams.from_torch(module, layer=0)
    bwd = LSTMParams.from_torch(module, layer=0, reverse=True)
    _assert_same_params(bwd, _torch_expected(module.state_dict(), "_l0_reverse"), "from_torch(reverse=True)")
    x = np.random.default_rng(2).standard_normal((5, 2, 3))
    with torch.no_grad():
        ref = module(torch.from_numpy(x))[0].numpy()       # (T, B, 2H): forward then backward direction
    np.testing.assert_allclose(lstm_forward(fwd, x).h, ref[..., :4], rtol=0, atol=1e-12,
                               err_msg="bidirectional: the forward direction differs")
    np.testing.assert_allclose(lstm_forward(bwd, x[::-1]).h[::-1], ref[..., 4:], rtol=0, atol=1e-12,
                               err_msg="bidirectional: the reverse direction (run on reversed time) differs")


def test_to_torch_cell_loads_into_lstm_cell():
    torch = _torch()
    p = LSTMParams.random(3, 4, seed=2, forget_bias=1.0)
    cell = torch.nn.LSTMCell(3, 4).double()
    result = cell.load_state_dict({k: torch.from_numpy(v) for k, v in p.to_torch(cell=True).items()})
    assert not result.missing_keys and not result.unexpected_keys, f"load_state_dict: {result}"
    x = np.random.default_rng(3).standard_normal((2, 3))
    with torch.no_grad():
        h, c = cell(torch.from_numpy(x))
    s = lstm_step(p, x)
    np.testing.assert_allclose(s.h, h.numpy(), rtol=0, atol=1e-12, err_msg="LSTMCell loaded from to_torch(cell=True)")
    np.testing.assert_allclose(s.c, c.numpy(), rtol=0, atol=1e-12, err_msg="LSTMCell c from to_torch(cell=True)")


# ----- Keras objects -----------------------------------------------------------------------------
def _keras():
    return pytest.importorskip("keras", reason=NO_KERAS)


@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "no-bias"])
def test_from_keras_on_a_real_layer(use_bias):
    keras = _keras()
    keras.utils.set_random_seed(0)
    layer = keras.layers.LSTM(4, use_bias=use_bias, dtype="float64")
    layer.build((None, None, 3))
    weights = layer.get_weights()
    assert len(weights) == (3 if use_bias else 2), f"keras get_weights() gave {len(weights)} arrays"
    p = LSTMParams.from_keras(*weights)
    H = 4
    for k, g in enumerate("ifgo"):
        s = slice(k * H, (k + 1) * H)
        assert np.array_equal(p.gate(g)[0], weights[0][:, s]), f"from_keras: W_x{g} is not kernel[:, {s}]"
        assert np.array_equal(p.gate(g)[1], weights[1][:, s]), f"from_keras: W_h{g} is not recurrent_kernel[:, {s}]"
    out = p.to_keras()
    for k, w in enumerate(weights):
        assert np.array_equal(out[k], w), f"to_keras()[{k}] differs from get_weights()[{k}]"
    if use_bias:
        assert np.all(p.b_f == 1.0), "keras' unit_forget_bias=True should read as b_f = 1"
    else:
        assert all(np.all(getattr(p, f"b_{g}") == 0) for g in GATES), "use_bias=False must give zero biases"
    layer.set_weights(out[:len(weights)])  # and keras takes them back (without the zero bias if use_bias=False)
    assert all(np.array_equal(a, b) for a, b in zip(layer.get_weights(), weights)), "set_weights(to_keras())"


def test_sigmoid_is_keras_recurrent_activation():
    keras = _keras()
    layer = keras.layers.LSTM(2)
    z = np.linspace(-6, 6, 13)
    ours = sigmoid(z)
    theirs = keras.ops.convert_to_numpy(layer.recurrent_activation(keras.ops.convert_to_tensor(z)))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-7,
                               err_msg="keras' default recurrent_activation should be the logistic sigmoid")
