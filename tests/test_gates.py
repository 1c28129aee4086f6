"""Each equation in isolation, against values computed by hand (plain Python loops and math.exp),
then the step and the sequence as compositions of those equations."""
import math

import numpy as np
import pytest

from lstm_core import (GATES, LSTMParams, candidate, cell_update, forget_gate, hidden_state, input_gate,
                       lstm_forward, lstm_step, output_gate, output_layer, sigmoid)

TOL = 1e-14


def _sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def _small_params(peephole=False):
    """X=2, H=3 with explicit, distinct weights for every gate (no randomness)."""
    kw = {}
    for k, g in enumerate(GATES):
        base = 0.1 * (k + 1)
        kw[f"W_x{g}"] = [[base, -0.2, 0.3], [0.05 * k, 0.4, -base]]
        kw[f"W_h{g}"] = [[0.1, base, -0.1], [-0.3, 0.2, 0.05], [0.0, -base, 0.25]]
        kw[f"b_{g}"] = [0.5 - base, -0.1 * k, 0.2]
    if peephole:
        kw.update(w_cf=[0.3, -0.2, 0.1], w_ci=[-0.1, 0.4, 0.2], w_co=[0.2, 0.1, -0.3])
    return LSTMParams(**{n: np.array(v, dtype=float) for n, v in kw.items()})


def _hand_z(p, g, x, h):
    """z_j = Σ_k x_k W_x[k, j] + Σ_k h_k W_h[k, j] + b_j with Python loops."""
    W_x, W_h, b = (a.tolist() for a in p.gate(g))
    H = len(b)
    return [sum(x[k] * W_x[k][j] for k in range(len(x))) + sum(h[k] * W_h[k][j] for k in range(H)) + b[j]
            for j in range(H)]


X_T = [0.7, -1.2]
H_PREV = [0.1, -0.4, 0.6]
C_PREV = [0.9, -0.5, 0.2]


def test_zero_input_and_state_give_activation_of_bias():
    p = LSTMParams.random(3, 5, seed=2, forget_bias=1.0)
    x0, h0 = np.zeros((2, 3)), np.zeros((2, 5))
    cases = {"f": forget_gate(x0, h0, p), "i": input_gate(x0, h0, p), "g": candidate(x0, h0, p),
             "o": output_gate(x0, h0, p)}
    for g, got in cases.items():
        b = getattr(p, f"b_{g}")
        expected = np.tanh(b) if g == "g" else sigmoid(b)
        np.testing.assert_allclose(got, np.broadcast_to(expected, (2, 5)), rtol=0, atol=TOL,
                                   err_msg=f"wrong values for {g}_t: with x_t = h_(t-1) = 0 it must be "
                                           f"{'tanh' if g == 'g' else 'σ'}(b_{g})")
    step = lstm_step(p, x0[0])
    for g in GATES:
        b = getattr(p, f"b_{g}")
        np.testing.assert_allclose(getattr(step, g), np.tanh(b) if g == "g" else sigmoid(b), rtol=0, atol=TOL,
                                   err_msg=f"lstm_step: wrong values for {g}_t at zero input and state")


@pytest.mark.parametrize("gate", GATES)
def test_each_gate_against_hand_computation(gate):
    p = _small_params()
    z = _hand_z(p, gate, X_T, H_PREV)
    expected = [math.tanh(v) if gate == "g" else _sig(v) for v in z]
    fn = {"f": forget_gate, "i": input_gate, "g": candidate, "o": output_gate}[gate]
    got = fn(np.array([X_T]), np.array([H_PREV]), p)
    assert got.shape == (1, 3), f"{gate}_t: expected shape (1, 3) for B=1, H=3, got {got.shape}"
    np.testing.assert_allclose(got[0], expected, rtol=0, atol=TOL, err_msg=f"wrong values for {gate}_t")


@pytest.mark.parametrize("gate", ["f", "i", "o"])
def test_peephole_gate_against_hand_computation(gate):
    p = _small_params(peephole=True)
    w = getattr(p, f"w_c{gate}").tolist()
    z = _hand_z(p, gate, X_T, H_PREV)
    expected = [_sig(z[j] + w[j] * C_PREV[j]) for j in range(3)]
    fn = {"f": forget_gate, "i": input_gate, "o": output_gate}[gate]
    got = fn(np.array([X_T]), np.array([H_PREV]), p, np.array([C_PREV]))
    np.testing.assert_allclose(got[0], expected, rtol=0, atol=TOL,
                               err_msg=f"wrong values for peephole {gate}_t (z + w_c{gate} ⊙ c)")


def test_cell_update_and_hidden_state_by_hand():
    f, i, g, c_prev, o = [0.9, 0.1, 0.5], [0.2, 0.8, 1.0], [-0.5, 0.3, 0.99], C_PREV, [0.3, 0.6, 0.9]
    c = cell_update(np.array(f), np.array(c_prev), np.array(i), np.array(g))
    expected_c = [f[j] * c_prev[j] + i[j] * g[j] for j in range(3)]
    np.testing.assert_allclose(c, expected_c, rtol=0, atol=TOL, err_msg="wrong values for c_t (Eq. 4)")
    h = hidden_state(np.array(o), c)
    np.testing.assert_allclose(h, [o[j] * math.tanh(expected_c[j]) for j in range(3)], rtol=0, atol=TOL,
                               err_msg="wrong values for h_t (Eq. 6)")


@pytest.mark.parametrize("peephole", [False, True], ids=["standard", "peephole"])
def test_lstm_step_is_the_composition_of_the_equations(peephole):
    p = LSTMParams.random(3, 4, seed=1, peephole=peephole)
    rng = np.random.default_rng(0)
    x, h, c = rng.standard_normal((5, 3)), rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    f = forget_gate(x, h, p, c)
    i = input_gate(x, h, p, c)
    g = candidate(x, h, p)
    c_t = cell_update(f, c, i, g)
    o = output_gate(x, h, p, c_t)
    expected = {"f": f, "i": i, "g": g, "o": o, "c": c_t, "h": hidden_state(o, c_t)}
    batch = lstm_step(p, x, h, c)
    for name, ref in expected.items():
        np.testing.assert_allclose(getattr(batch, name), ref, rtol=0, atol=TOL,
                                   err_msg=f"lstm_step (batched): wrong values for {name}_t")
    for b in range(5):                     # one sequence at a time: (X,) and (H,) in, (H,) out
        one = lstm_step(p, x[b], h[b], c[b])
        for name, ref in expected.items():
            np.testing.assert_allclose(getattr(one, name), ref[b], rtol=0, atol=TOL,
                                       err_msg=f"lstm_step (unbatched, row {b}): wrong values for {name}_t")


def _looped(p, xs, h0, c0, overrides_at):
    h, c = h0, c0
    steps = []
    for t in range(xs.shape[0]):
        s = lstm_step(p, xs[t], h, c, overrides_at(t))
        steps.append(s)
        h, c = s.h, s.c
    return steps


@pytest.mark.parametrize("peephole", [False, True], ids=["standard", "peephole"])
@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize("pin", ["none", "scalar", "per-unit", "full"])
def test_looped_steps_equal_lstm_forward(pin, batched, peephole):
    T, B, X, H = 6, 3, 2, 4
    p = LSTMParams.random(X, H, seed=4, forget_bias=1.0, peephole=peephole)
    rng = np.random.default_rng(5)
    state = (B, H) if batched else (H,)
    xs = rng.standard_normal((T,) + state[:-1] + (X,))
    h0, c0 = rng.standard_normal(state), rng.standard_normal(state)
    full = rng.uniform(0, 1, (T,) + state)
    overrides = {"none": None, "scalar": {"f": 1.0, "i": 0.25}, "per-unit": {"o": np.linspace(0, 1, H)},
                 "full": {"f": full, "g": 2 * full - 1}}[pin]

    def at(t):
        if overrides is None:
            return None
        return {k: (v[t] if np.ndim(v) == len((T,) + state) else v) for k, v in overrides.items()}

    steps = _looped(p, xs, h0, c0, at)
    trace = lstm_forward(p, xs, h0, c0, overrides)
    for name in ("z_f", "z_i", "z_g", "z_o", "f", "i", "g", "o", "c", "h"):
        looped = np.stack([getattr(s, name) for s in steps])
        got = getattr(trace, name)
        assert got.shape == looped.shape, f"trace.{name}: shape {got.shape}, looped steps {looped.shape}"
        np.testing.assert_allclose(got, looped, rtol=0, atol=1e-13,
                                   err_msg=f"lstm_forward and looped lstm_step differ in {name}")


def test_overrides_pin_the_gate_and_feed_c_and_h():
    p = LSTMParams.random(2, 3, seed=6)
    rng = np.random.default_rng(7)
    xs, c0 = rng.standard_normal((8, 2)), rng.standard_normal(3)
    kept = lstm_forward(p, xs, c0=c0, overrides={"f": 1.0, "i": 0.0})
    assert np.all(kept.f == 1.0) and np.all(kept.i == 0.0), "pinned f and i must read exactly 1 and 0"
    np.testing.assert_array_equal(kept.c, np.broadcast_to(c0, kept.c.shape),
                                  err_msg="with f = 1 and i = 0 the cell must keep c_0 exactly, every step")
    no_o = lstm_forward(p, xs, c0=c0, overrides={"o": 1.0})
    np.testing.assert_allclose(no_o.h, np.tanh(no_o.c), rtol=0, atol=TOL, err_msg="with o = 1, h_t = tanh(c_t)")
    g_pin = np.array([0.5, -0.5, 0.0])
    s = lstm_step(p, xs[0], c_prev=c0, overrides={"g": g_pin})
    np.testing.assert_array_equal(s.g, g_pin, err_msg="lstm_step must report the pinned g")
    np.testing.assert_allclose(s.c, s.f * c0 + s.i * g_pin, rtol=0, atol=TOL, err_msg="c_t must use the pinned g")
    np.testing.assert_allclose(s.h, s.o * np.tanh(s.c), rtol=0, atol=TOL, err_msg="h_t must use that c_t")
    free = lstm_step(p, xs[0], c_prev=c0)
    np.testing.assert_array_equal(s.z_g, free.z_g, err_msg="pinning g must not change its pre-activation z_g")


def test_output_layer_by_hand_and_sums_to_one():
    h = np.array([[0.2, -0.4, 0.9], [0.0, 0.0, 0.0]])
    V = np.array([[1.0, -1.0], [0.5, 2.0], [-0.3, 0.1]])
    b_y = np.array([0.1, -0.2])
    y = output_layer(h, V, b_y)
    for r in range(2):
        logits = [sum(h[r, k] * V[k, j] for k in range(3)) + b_y[j] for j in range(2)]
        e = [math.exp(v - max(logits)) for v in logits]
        np.testing.assert_allclose(y[r], [v / sum(e) for v in e], rtol=0, atol=TOL,
                                   err_msg="wrong values for ŷ_t (Eq. 7)")
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=0, atol=1e-15, err_msg="ŷ_t must sum to 1")
    huge = output_layer(np.full((4, 3), 1.0), 500.0 * V, b_y)
    assert np.all(np.isfinite(huge)), "output_layer must stay finite for huge logits"
    np.testing.assert_allclose(huge.sum(-1), 1.0, rtol=0, atol=1e-15, err_msg="ŷ_t must sum to 1 for huge logits")
