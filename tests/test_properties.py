"""Properties that hold for every weight and input (hypothesis): gate ranges, the bound on h, how fast
c can grow, and float32 staying float32.

On |h| < 1: mathematically o < 1 and |tanh c| < 1, so |h| < 1.  In floating point σ(z) rounds to exactly
1.0 (float32 from z ≈ 16.64, float64 from z ≈ 36.7) and tanh(c) to ±1.0 (float32 from |c| ≈ 9,
float64 from |c| ≈ 19), and then h = ±1.0 exactly.  So the tests assert |h| <= 1 always, |h| < 1
wherever o < 1 or |tanh c| < 1, and strictly |h| < 1 in float64 for the bounded magnitudes drawn here
(checked, not assumed).  test_float32_h_can_round_to_exactly_one shows the float32 case.
"""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core import LSTMParams, lstm_backward, lstm_forward, lstm_step

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def cases(draw, dtype=np.float64):
    X = draw(st.integers(1, 4))
    H = draw(st.integers(1, 6))
    T = draw(st.integers(1, 6))
    B = draw(st.one_of(st.none(), st.integers(1, 4)))
    peephole = draw(st.booleans())
    scale = draw(st.floats(0.1, 2.0))          # weights in U(±scale/√H)
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    base = LSTMParams.random(X, H, seed=seed, peephole=peephole)
    p = LSTMParams(**{n: (scale * a).astype(dtype) for n, a in base.arrays().items()})
    state = (H,) if B is None else (B, H)
    xs = rng.uniform(-2, 2, (T,) + state[:-1] + (X,)).astype(dtype)
    h0 = rng.uniform(-1, 1, state).astype(dtype)
    c0 = rng.uniform(-2, 2, state).astype(dtype)
    return p, xs, h0, c0


def _check_ranges(trace):
    for name in ("f", "i", "o"):
        a = getattr(trace, name)
        assert np.all((a >= 0) & (a <= 1)), f"{name}_t left [0, 1]: min {a.min()}, max {a.max()}"
    assert np.all(np.abs(trace.g) <= 1), f"g_t left [-1, 1]: max |g| {np.abs(trace.g).max()}"
    h = np.abs(trace.h)
    assert np.all(h <= 1), f"|h_t| exceeded 1: {h.max()}"
    saturated = (trace.o == 1) & (np.abs(np.tanh(trace.c)) == 1)
    assert np.all((h < 1) | saturated), "|h_t| = 1 although o < 1 or |tanh c| < 1"


@SETTINGS
@given(cases())
def test_gate_ranges_and_strict_h_bound_float64(case):
    p, xs, h0, c0 = case
    trace = lstm_forward(p, xs, h0, c0)
    _check_ranges(trace)
    # Precondition of the strict bound: nothing here reaches float64's rounding points.
    assert np.abs(trace.z_o).max() < 36 and np.abs(trace.c).max() < 19, "drawn magnitudes too large for the test"
    assert np.all(np.abs(trace.h) < 1), f"|h_t| reached 1 in float64: {np.abs(trace.h).max()}"


@SETTINGS
@given(cases(dtype=np.float32))
def test_gate_ranges_float32(case):
    _check_ranges(lstm_forward(*case))


@SETTINGS
@given(cases())
def test_cell_grows_at_most_one_per_step(case):
    """|c_t| = |f c_{t-1} + i g| <= |c_{t-1}| + 1 because f, i in [0, 1] and |g| <= 1."""
    p, xs, h0, c0 = case
    trace = lstm_forward(p, xs, h0, c0)
    prev = np.concatenate([c0[None], trace.c[:-1]])
    bound = np.abs(prev) + 1.0                 # rounded like c_t itself, so the check is exact
    excess = np.abs(trace.c) - bound
    assert np.all(excess <= 0), f"|c_t| exceeded |c_(t-1)| + 1 by {excess.max()}"


@SETTINGS
@given(cases(dtype=np.float32))
def test_float32_in_float32_out(case):
    p, xs, h0, c0 = case
    assert p.dtype == np.float32, f"LSTMParams must keep float32, got {p.dtype}"
    step = lstm_step(p, xs[0], h0, c0)
    for name, a in step._asdict().items():
        assert a.dtype == np.float32, f"lstm_step: {name} is {a.dtype}, expected float32"
    trace = lstm_forward(p, xs, h0, c0)
    for name in ("z_f", "z_i", "z_g", "z_o", "f", "i", "g", "o", "c", "h"):
        assert getattr(trace, name).dtype == np.float32, f"lstm_forward: {name} is {getattr(trace, name).dtype}"
    back = lstm_backward(p, trace, np.ones_like(trace.h), np.ones_like(c0))
    for name, a in back.grads.arrays().items():
        assert a.dtype == np.float32, f"lstm_backward: d{name} is {a.dtype}, expected float32"
    for name in ("dxs", "dh0", "dc0"):
        assert getattr(back, name).dtype == np.float32, f"lstm_backward: {name} is {getattr(back, name).dtype}"
    assert back.dxs.shape == xs.shape and back.dh0.shape == h0.shape and back.dc0.shape == c0.shape, \
        "dxs, dh0, dc0 must have the shapes of xs, h0, c0"


def test_float32_h_can_round_to_exactly_one():
    """Why the float32 bound is |h| <= 1: with o and tanh(c) both rounded to 1.0, h is exactly 1.0."""
    big = np.array([20.0], np.float32)
    p = LSTMParams.zeros(1, 1, dtype=np.float32)
    for gate in "figo":
        p = p.with_gate(gate, b=big)
    assert p.dtype == np.float32, "set-up: the params must be float32"
    trace = lstm_forward(p, np.zeros((12, 1), np.float32))
    assert trace.c[-1, 0] > 9 and trace.o[-1, 0] == 1.0, "set-up: c grows past 9 and o rounds to 1"
    assert trace.h[-1, 0] == 1.0, f"float32 h should round to exactly 1.0 here, got {trace.h[-1, 0]!r}"
    assert lstm_forward(p.astype(np.float64), np.zeros((12, 1))).h[-1, 0] < 1.0, "float64 stays below 1 here"


def test_extreme_weights_give_no_warning_and_no_nan():
    """Sliders at their ends: pre-activations of ±1000 saturate the gates to exactly 0 or 1, silently."""
    import warnings
    for dtype in (np.float32, np.float64):
        p = LSTMParams.random(2, 3, seed=1, dtype=dtype)
        for g, sign in zip("figo", (1, -1, 1, -1)):
            p = p.with_gate(g, b=np.full(3, sign * 1000.0, dtype))
        xs = np.linspace(-1, 1, 16, dtype=dtype).reshape(4, 2, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            trace = lstm_forward(p, xs)
            step = lstm_step(p, xs[0])
            back = lstm_backward(p, trace, np.ones_like(trace.h), np.ones((2, 3), dtype))
        assert np.all(trace.f == 1.0) and np.all(trace.i == 0.0), f"{dtype.__name__}: f, i should saturate exactly"
        assert np.all(trace.g == 1.0) and np.all(trace.o == 0.0), f"{dtype.__name__}: g, o should saturate exactly"
        assert np.array_equal(step.f, trace.f[0]) and np.array_equal(step.o, trace.o[0]), \
            f"{dtype.__name__}: lstm_step and lstm_forward must saturate alike"
        arrays = [trace.h, trace.c] + list(back.grads.arrays().values()) + [back.dxs, back.dh0, back.dc0]
        assert all(np.all(np.isfinite(a)) for a in arrays), f"{dtype.__name__}: NaN or inf at the extremes"
