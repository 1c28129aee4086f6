"""Bad input: a ValueError that names the argument and shows what was expected against what arrived.
Nothing is broadcast silently."""
import numpy as np
import pytest

from lstm_core import LSTMParams, half_life, lstm_backward, lstm_forward, lstm_step, output_layer

P = LSTMParams.random(3, 4, seed=0)                 # X=3, H=4
TRACE = lstm_forward(P, np.ones((5, 3, 3)))         # T=5, B=3


def _with_nan(a, index=(0,), value=np.nan):
    a = np.array(a, dtype=float)
    a[index] = value
    return a


def _replace(**changes):
    return lambda: LSTMParams(**(P.arrays() | changes))


# (id, call, argument named first in the message, fragments that must appear: expected and actual)
CASES = [
    # mismatched shapes, and no broadcasting
    ("x_t wrong X", lambda: lstm_step(P, np.ones((2, 4))), "x_t", ["(2, 3)", "(2, 4)"]),
    ("x_t 3-D", lambda: lstm_step(P, np.ones((2, 2, 3))), "x_t", ["(B, X)", "(2, 2, 3)"]),
    ("h_prev (1,H) for B=3", lambda: lstm_step(P, np.ones((3, 3)), np.zeros((1, 4))), "h_prev", ["(3, 4)", "(1, 4)"]),
    ("c_prev (H,) for B=3", lambda: lstm_step(P, np.ones((3, 3)), None, np.zeros(4)), "c_prev", ["(3, 4)", "(4,)"]),
    ("h_prev batched for one x_t", lambda: lstm_step(P, np.ones(3), np.zeros((2, 4))), "h_prev", ["(4,)", "(2, 4)"]),
    ("xs wrong X", lambda: lstm_forward(P, np.ones((5, 2, 4))), "xs", ["X=3", "(5, 2, 4)"]),
    ("xs empty T", lambda: lstm_forward(P, np.ones((0, 3))), "xs", ["T >= 1", "(0, 3)"]),
    ("xs 1-D", lambda: lstm_forward(P, np.ones(3)), "xs", ["(T, X)", "(3,)"]),
    ("h0 (1,H) for B=3", lambda: lstm_forward(P, np.ones((5, 3, 3)), np.zeros((1, 4))), "h0", ["(3, 4)", "(1, 4)"]),
    ("h0 (H,) for B=3", lambda: lstm_forward(P, np.ones((5, 3, 3)), np.zeros(4)), "h0", ["(3, 4)", "(4,)"]),
    ("c0 wrong H", lambda: lstm_forward(P, np.ones((5, 3)), None, np.zeros(5)), "c0", ["(4,)", "(5,)"]),
    ("dh wrong H", lambda: lstm_backward(P, TRACE, np.ones((5, 3, 5))), "dh", ["(5, 3, 4)", "(5, 3, 5)"]),
    ("dh unbatched for a batch", lambda: lstm_backward(P, TRACE, np.ones((5, 4))), "dh", ["(5, 3, 4)", "(5, 4)"]),
    ("dc_last (1,H) for B=3", lambda: lstm_backward(P, TRACE, np.ones((5, 3, 4)), np.ones((1, 4))), "dc_last",
     ["(3, 4)", "(1, 4)"]),
    ("trace not a Trace", lambda: lstm_backward(P, "trace", np.ones((5, 3, 4))), "trace", ["Trace", "str"]),
    ("params of other size", lambda: lstm_backward(LSTMParams.random(2, 4), TRACE, np.ones((5, 3, 4))), "params",
     ["X=3", "X=2"]),
    ("W_xi wrong shape", _replace(W_xi=np.zeros((3, 5))), "W_xi", ["(3, 4)", "(3, 5)"]),
    ("V wrong H", lambda: output_layer(np.ones((2, 4)), np.ones((3, 2)), np.zeros(2)), "V", ["H=4", "(3, 2)"]),
    ("b_y wrong Y", lambda: output_layer(np.ones((2, 4)), np.ones((4, 2)), np.zeros(3)), "b_y", ["(2,)", "(3,)"]),
    # NaN and inf, in inputs and in parameters
    ("NaN in xs", lambda: lstm_forward(P, _with_nan(np.ones((5, 3)), (2, 1))), "xs", ["finite", "(2, 1)", "nan"]),
    ("inf in x_t", lambda: lstm_step(P, _with_nan(np.ones(3), (1,), np.inf)), "x_t", ["finite", "inf"]),
    ("NaN in h0", lambda: lstm_forward(P, np.ones((5, 3)), _with_nan(np.zeros(4))), "h0", ["finite", "nan"]),
    ("NaN in c_prev", lambda: lstm_step(P, np.ones(3), None, _with_nan(np.zeros(4))), "c_prev", ["finite", "nan"]),
    ("inf in dh", lambda: lstm_backward(P, TRACE, _with_nan(np.ones((5, 3, 4)), (0, 0, 0), np.inf)), "dh",
     ["finite", "inf"]),
    ("NaN in dc_last", lambda: lstm_backward(P, TRACE, np.ones((5, 3, 4)), _with_nan(np.ones((3, 4)), (0, 0))),
     "dc_last", ["finite", "nan"]),
    ("NaN in W_hf", _replace(W_hf=_with_nan(P.W_hf, (1, 2))), "W_hf", ["finite", "(1, 2)", "nan"]),
    ("inf in b_o", _replace(b_o=_with_nan(P.b_o, (3,), -np.inf)), "b_o", ["finite", "-inf"]),
    ("NaN via with_gate", lambda: P.with_gate("g", b=_with_nan(P.b_g)), "b_g", ["finite", "nan"]),
    ("inf in keras bias", lambda: LSTMParams.from_keras(*P.to_keras()[:2], _with_nan(P.to_keras()[2], (0,), np.inf)),
     "bias", ["finite", "inf"]),
    ("NaN in course Wo", lambda: LSTMParams.from_concat(**(P.to_concat() | {"Wo": _with_nan(P.to_concat()["Wo"], (0, 0))})),
     "Wo", ["finite", "nan"]),
    ("NaN in a torch state_dict", lambda: LSTMParams.from_torch(
        P.to_torch() | {"weight_hh_l0": _with_nan(P.to_torch()["weight_hh_l0"], (5, 0))}), "weight_hh_l0", ["finite", "nan"]),
    # a bias of the wrong length, in every constructor
    ("LSTMParams b_f length", _replace(b_f=np.zeros(5)), "b_f", ["(4,)", "(5,)"]),
    ("LSTMParams b_i as column", _replace(b_i=np.zeros((4, 1))), "b_i", ["(4,)", "(4, 1)"]),
    ("torch bias_ih_l0 length", lambda: LSTMParams.from_torch(P.to_torch() | {"bias_ih_l0": np.zeros(17)}),
     "bias_ih_l0", ["(16,)", "(17,)"]),
    ("torch bias_hh length", lambda: LSTMParams.from_torch(P.to_torch(cell=True) | {"bias_hh": np.zeros(15)}),
     "bias_hh", ["(16,)", "(15,)"]),
    ("keras bias length", lambda: LSTMParams.from_keras(*P.to_keras()[:2], np.zeros(15)), "bias", ["(16,)", "(15,)"]),
    ("keras kernel width", lambda: LSTMParams.from_keras(P.to_keras()[0][:, :-1], P.to_keras()[1]), "kernel",
     ["(3, 16)", "(3, 15)"]),
    ("course bf length", lambda: LSTMParams.from_concat(**(P.to_concat() | {"bf": np.zeros((5, 1))})), "bf",
     ["(4, 1)", "(5, 1)"]),
    ("course bi as row", lambda: LSTMParams.from_concat(**(P.to_concat() | {"bi": np.zeros((1, 4))})), "bi",
     ["(4,)", "(1, 4)"]),
    ("course Wc width", lambda: LSTMParams.from_concat(**(P.to_concat() | {"Wc": np.zeros((4, 6))})), "Wc",
     ["(4, 7)", "(4, 6)"]),
    # overrides: name, shape, range, type
    ("override unknown gate", lambda: lstm_step(P, np.ones(3), overrides={"c": 1.0}), "overrides", ["'f'", "'c'"]),
    ("override wrong shape", lambda: lstm_step(P, np.ones(3), overrides={"f": np.ones(5)}), "overrides['f']",
     ["(4,)", "(5,)"]),
    ("override (1,) does not broadcast", lambda: lstm_forward(P, np.ones((5, 3)), overrides={"i": np.ones(1)}),
     "overrides['i']", ["(4,)", "(1,)"]),
    ("override wrong T", lambda: lstm_forward(P, np.ones((5, 3)), overrides={"o": np.ones((4, 4))}), "overrides['o']",
     ["(5, 4)", "(4, 4)"]),
    ("override f above 1", lambda: lstm_step(P, np.ones(3), overrides={"f": 1.5}), "overrides['f']",
     ["[0, 1]", "1.5"]),
    ("override g below -1", lambda: lstm_forward(P, np.ones((5, 3)), overrides={"g": -2.0}), "overrides['g']",
     ["[-1, 1]", "-2"]),
    ("override NaN", lambda: lstm_forward(P, np.ones((5, 3)), overrides={"o": np.nan}), "overrides['o']",
     ["finite", "nan"]),
    ("overrides not a dict", lambda: lstm_forward(P, np.ones((5, 3)), overrides=[("f", 1.0)]), "overrides",
     ["dict", "list"]),
    # other constructors and helpers
    ("text input", lambda: lstm_forward(P, np.array([["a", "b", "c"]])), "xs", ["numeric", "<U1"]),
    ("gate name", lambda: P.gate("c"), "gate", ["'f'", "'c'"]),
    ("input_size 0", lambda: LSTMParams.random(0, 4), "input_size", ["positive integer", "0"]),
    ("half_life f > 1", lambda: half_life(1.5), "f", ["[0, 1]", "1.5"]),
    ("torch export of a peephole cell", lambda: LSTMParams.random(3, 4, peephole=True).to_torch(), "params",
     ["without w_cf", "peephole"]),
]


@pytest.mark.parametrize("call,name,fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_value_error(call, name, fragments):
    with pytest.raises(ValueError) as info:
        call()
    msg = str(info.value)
    assert msg.startswith(f"{name}:"), f"the message should start by naming {name!r}: {msg!r}"
    assert "expected" in msg and "got" in msg, f"the message should say what was expected and what arrived: {msg!r}"
    for fragment in fragments:
        assert fragment in msg, f"the message should show {fragment!r}: {msg!r}"


def test_partial_peepholes_are_refused():
    with pytest.raises(ValueError, match=r"w_cf, w_ci, w_co.*missing \['w_ci', 'w_co'\]"):
        LSTMParams(**(P.arrays() | {"w_cf": np.zeros(4)}))


# ----- torch modules that need more than the defaults ---------------------------------------------
def _torch():
    return pytest.importorskip("torch", reason="torch is not installed: from_torch's module errors cannot be "
                                               "checked (CI installs torch==2.13.0)")


@pytest.mark.parametrize("kwargs,fragments", [
    ({"num_layers": 2}, ["2 layer(s)", "[0, 1]", "got None"]),
    ({"bidirectional": True}, ["bidirectional", "reverse=True", "got None"]),
    ({"num_layers": 3, "bidirectional": True}, ["3 layer(s)", "bidirectional", "[0, 1, 2]"]),
], ids=["multi-layer", "bidirectional", "both"])
def test_torch_module_needs_layer(kwargs, fragments):
    torch = _torch()
    module = torch.nn.LSTM(2, 3, **kwargs)
    for obj in (module, module.state_dict()):
        with pytest.raises(ValueError) as info:
            LSTMParams.from_torch(obj)
        msg = str(info.value)
        assert msg.startswith("layer:"), f"the message should name layer=: {msg!r}"
        for fragment in fragments:
            assert fragment in msg, f"the message should show {fragment!r}: {msg!r}"


def test_torch_layer_and_reverse_out_of_range():
    torch = _torch()
    with pytest.raises(ValueError, match=r"^layer: expected one of \[0, 1\], got 2"):
        LSTMParams.from_torch(torch.nn.LSTM(2, 3, num_layers=2), layer=2)
    with pytest.raises(ValueError, match=r"^reverse: .*expected reverse=False, got True"):
        LSTMParams.from_torch(torch.nn.LSTM(2, 3), reverse=True)
    with pytest.raises(ValueError, match=r"^layer: an LSTMCell has one layer.*got layer=1"):
        LSTMParams.from_torch(torch.nn.LSTMCell(2, 3), layer=1)


def test_torch_proj_size_is_refused():
    torch = _torch()
    module = torch.nn.LSTM(2, 3, proj_size=2)
    for obj in (module, module.state_dict()):
        with pytest.raises(ValueError) as info:
            LSTMParams.from_torch(obj)
        msg = str(info.value)
        assert msg.startswith("obj:") and "proj_size" in msg and "expected" in msg, \
            f"a proj_size LSTM should be refused naming proj_size: {msg!r}"


def test_params_copy_their_input_and_are_read_only():
    """No aliasing: changing the caller's array later must not change the params, nor can they be written."""
    W = np.zeros((3, 4))
    p = P.with_gate("f", W_x=W)
    W[0, 0] = 5.0
    assert p.W_xf[0, 0] == 0.0, "LSTMParams must copy the caller's arrays, not alias them"
    with pytest.raises(ValueError):
        p.W_xf[0, 0] = 1.0   # read-only: numpy raises ValueError for a write to a read-only array


# ----- messages name what the user can find ---------------------------------------------------
def test_nan_in_a_torch_state_dict_is_reported_under_torchs_name():
    sd = LSTMParams.random(2, 3, seed=0).to_torch()
    sd["weight_hh_l0"][4, 1] = np.nan
    with pytest.raises(ValueError, match=r"^weight_hh_l0: expected finite values, got 1 NaN or inf"):
        LSTMParams.from_torch(sd)


def test_proj_size_error_says_which_proj_size():
    sd = LSTMParams.random(2, 3, seed=0).to_torch()
    sd["weight_hr_l0"] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"proj_size=2 is not supported \(found weight_hr_l0\)"):
        LSTMParams.from_torch(sd)


def test_unbatched_override_message_lists_each_shape_once():
    p = LSTMParams.random(2, 4, seed=0)
    with pytest.raises(ValueError) as info:
        lstm_step(p, np.zeros(2), overrides={"f": np.ones(3)})
    assert str(info.value) == "overrides['f']: expected shape () or (4,), got (3,)"


def test_with_gate_keeps_float32_for_plain_numbers():
    p = LSTMParams.random(2, 3, seed=0, dtype=np.float32)
    q = p.with_gate("f", b=[20.0, 0.0, -1.0], W_h=np.eye(3, dtype=np.float32))
    assert q.dtype == np.float32 and q.b_f.dtype == np.float32, "with_gate turned float32 params into float64"
    np.testing.assert_allclose(q.b_f, [20.0, 0.0, -1.0])
    with pytest.raises(ValueError, match=r"^b_f: expected shape \(3,\)"):
        p.with_gate("f", b=[1.0, 2.0])
