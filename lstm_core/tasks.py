"""Toy tasks that need a long memory, generated in code from a seed (nothing is downloaded).

Both tasks are time-major like the rest of the package: xs is (T, n, 2) for n sequences.

The adding problem (Hochreiter & Schmidhuber 1997, experiment 4)
    Each step is a pair (value, marker).  Values are drawn U(0, 1); the marker is 1 at exactly
    two steps and 0 elsewhere: one step uniform in the first half [0, T//2), the other uniform
    in the second half [T//2, T).  The target is the plain sum of the two marked values, so it
    lies in [0, 2], its mean is 1 and its variance 2/12 = 1/6.  (The 1997 paper drew values from
    U(-1, 1) and scaled the target to 0.5 + (x1 + x2)/4; we keep the unscaled sum.)  A sequence
    counts as solved when |prediction - target| < 0.04, the paper's criterion.  A network that
    always predicts the mean 1.0 has MSE 1/6 ≈ 0.1667: the constant-prediction baseline.

The reset task (in the spirit of Gers, Schmidhuber & Cummins 2000, "Learning to forget")
    A stream of (value, reset) pairs.  At an ordinary step the value is drawn U(0, 1) and the
    reset flag is 0; at a reset step the value is 0 and the flag is 1.  The target at EVERY step
    is the running sum of the values since the last reset, times `scale` (default 0.2, which
    keeps targets near the range of h):
        y_t = scale * sum of v_s for last_reset < s <= t   (0 at a reset step).
    The first reset falls at a random step in [0, max_gap) and then a reset follows every
    `min_gap` to `max_gap` steps (uniform).  A cell without a forget gate can only add to c
    (c_t = c_{t-1} + i_t g_t); it has no cheap way to clear c at a reset, so on a long stream
    its cell state drifts.  That is the failure Gers et al. fixed with the forget gate.
"""
import numpy as np

SOLVE_TOLERANCE = 0.04       # |err| below this counts as solved (Hochreiter & Schmidhuber 1997)
BASELINE_PREDICTION = 1.0    # the mean target of the adding problem
BASELINE_MSE = 1.0 / 6.0     # Var(U1 + U2) = 2/12: MSE of always predicting 1.0


def _positive_int(name, value, minimum=1):
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


def adding_problem(n, T, seed=0):
    """n sequences of the adding problem of length T.

    Returns (xs, y): xs (T, n, 2) with xs[..., 0] the values U(0, 1) and xs[..., 1] the markers
    (exactly one 1 in steps [0, T//2) and one in [T//2, T)); y (n,) the sum of the two marked
    values.  Same (n, T, seed), same arrays.
    """
    n = _positive_int("n", n)
    T = _positive_int("T", T, minimum=2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(T, n))
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    markers = np.zeros((T, n))
    cols = np.arange(n)
    markers[first, cols] = 1.0
    markers[second, cols] = 1.0
    y = values[first, cols] + values[second, cols]
    return np.stack([values, markers], axis=-1), y


def marker_positions(xs):
    """(first, second): the two marked steps of every sequence, each (n,).  xs: (T, n, 2)."""
    xs = np.asarray(xs)
    if xs.ndim != 3 or xs.shape[-1] != 2:
        raise ValueError(f"xs: expected shape (T, n, 2) from adding_problem, got {xs.shape}")
    steps = np.argsort(-xs[..., 1], axis=0, kind="stable")[:2]   # the two marked steps, any order
    return np.sort(steps, axis=0)


def mse(pred, target):
    """Mean squared error, mean over every entry.  pred and target have the same shape."""
    pred, target = np.asarray(pred, float), np.asarray(target, float)
    if pred.shape != target.shape:
        raise ValueError(f"pred: expected the shape of target {target.shape}, got {pred.shape}")
    return float(np.mean((pred - target) ** 2))


def baseline_mse(y):
    """MSE of always predicting the mean target 1.0; about 1/6 on a large sample."""
    y = np.asarray(y, float)
    return mse(np.full_like(y, BASELINE_PREDICTION), y)


def solve_rate(pred, target, tol=SOLVE_TOLERANCE):
    """Fraction of sequences with |pred - target| < tol (0.04 by default)."""
    pred, target = np.asarray(pred, float), np.asarray(target, float)
    if pred.shape != target.shape:
        raise ValueError(f"pred: expected the shape of target {target.shape}, got {pred.shape}")
    return float(np.mean(np.abs(pred - target) < tol))


def reset_task(n, T, seed=0, min_gap=4, max_gap=12, scale=0.2):
    """n streams of the reset task, each T steps.

    Returns (xs, y): xs (T, n, 2) with xs[..., 0] the values (U(0, 1), 0 at resets) and
    xs[..., 1] the reset flags; y (T, n) the running sum since the last reset times `scale`.
    Resets are min_gap to max_gap steps apart (uniform), the first one in [0, max_gap).
    """
    n = _positive_int("n", n)
    T = _positive_int("T", T)
    min_gap = _positive_int("min_gap", min_gap)
    max_gap = _positive_int("max_gap", max_gap)
    if max_gap < min_gap:
        raise ValueError(f"max_gap: expected >= min_gap={min_gap}, got {max_gap}")
    rng = np.random.default_rng(seed)
    resets = np.zeros((T, n), dtype=bool)
    for k in range(n):
        t = int(rng.integers(0, max_gap))
        while t < T:
            resets[t, k] = True
            t += int(rng.integers(min_gap, max_gap + 1))
    values = np.where(resets, 0.0, rng.uniform(0.0, 1.0, size=(T, n)))
    y = np.empty((T, n))
    running = np.zeros(n)
    for t in range(T):
        running = np.where(resets[t], 0.0, running + values[t])
        y[t] = running
    return np.stack([values, resets.astype(float)], axis=-1), scale * y
