"""Training in numpy (lstm_core.train) on the long-memory tasks (lstm_core.tasks), and notebook 06's panel.

The slow part, training the four small networks, runs once per module in fixtures; every other
test is cheap.  PyTorch is the oracle for Adam and gradient clipping.
"""
from pathlib import Path

import numpy as np
import pytest

from lstm_core import LSTMParams, numerical_gradient, relative_error
from lstm_core.tasks import (BASELINE_MSE, adding_problem, baseline_mse, marker_positions, mse,
                             reset_task, solve_rate)
from lstm_core.train import (ADDING_RECIPE, Adam, clip_by_global_norm, forward, gate_saturation,
                             global_norm, init_model, load_model, loss_and_grads, memory_unit,
                             model_arrays, predict, reset_test_set, save_model, train, train_adding,
                             train_reset, with_arrays, adding_test_set)

WEIGHTS = Path(__file__).resolve().parents[1] / "notebooks" / "weights"


# ----- the tasks ------------------------------------------------------------------------------
def test_adding_problem_has_two_markers_one_per_half_and_sums_them():
    xs, y = adding_problem(500, 50, seed=3)
    assert xs.shape == (50, 500, 2) and y.shape == (500,)
    values, markers = xs[..., 0], xs[..., 1]
    assert values.min() >= 0.0 and values.max() < 1.0, "values must be U(0, 1)"
    assert set(np.unique(markers)) == {0.0, 1.0}
    np.testing.assert_array_equal(markers.sum(0), 2.0, err_msg="exactly two marked steps per sequence")
    np.testing.assert_array_equal(markers[:25].sum(0), 1.0, err_msg="one marker in the first half")
    first, second = marker_positions(xs)
    assert (first < 25).all() and (second >= 25).all()
    cols = np.arange(500)
    np.testing.assert_allclose(y, values[first, cols] + values[second, cols], rtol=0, atol=1e-12)
    np.testing.assert_allclose(y, (values * markers).sum(0), rtol=0, atol=1e-12)


def test_adding_problem_is_seeded():
    a, ya = adding_problem(8, 20, seed=[1, 2])
    b, yb = adding_problem(8, 20, seed=[1, 2])
    c, _ = adding_problem(8, 20, seed=[1, 3])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a, c), "another seed must give other sequences"


@pytest.mark.parametrize("kwargs, name", [(dict(n=0, T=10), "n"), (dict(n=4, T=1), "T"),
                                          (dict(n=2.5, T=10), "n")])
def test_adding_problem_rejects_bad_sizes(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}: expected"):
        adding_problem(**kwargs)


def test_constant_prediction_baseline_is_one_sixth():
    _, y = adding_problem(200_000, 2, seed=0)        # T=2: the target does not depend on T
    assert baseline_mse(y) == pytest.approx(BASELINE_MSE, abs=0.003)
    assert BASELINE_MSE == pytest.approx(1 / 6)
    # the mean-predictor solves only the few sums that land within 0.04 of 1: about 2·0.04 = 0.08
    assert solve_rate(np.ones_like(y), y) == pytest.approx(0.08 - 0.04 ** 2, abs=0.003)


def test_mse_and_solve_rate_check_shapes():
    assert mse([1.0, 2.0], [1.0, 4.0]) == pytest.approx(2.0)
    assert solve_rate([1.0, 1.05, 0.97], [1.0, 1.0, 1.0]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="^pred: expected the shape of target"):
        solve_rate(np.zeros(3), np.zeros(4))


def test_reset_task_target_is_the_running_sum_since_the_last_reset():
    xs, y = reset_task(40, 80, seed=5, min_gap=4, max_gap=12, scale=0.2)
    assert xs.shape == (80, 40, 2) and y.shape == (80, 40)
    values, resets = xs[..., 0], xs[..., 1] > 0
    expected = np.zeros((40,))
    for t in range(80):
        expected = np.where(resets[t], 0.0, expected + values[t])
        np.testing.assert_allclose(y[t], 0.2 * expected, rtol=0, atol=1e-12, err_msg=f"wrong target at t={t}")
    assert (values[resets] == 0).all(), "a reset step carries no value"
    for k in range(40):
        steps = np.flatnonzero(resets[:, k])
        assert steps[0] < 12
        gaps = np.diff(steps)
        assert gaps.min() >= 4 and gaps.max() <= 12, "resets must be min_gap..max_gap apart"


def test_reset_task_rejects_inverted_gaps():
    with pytest.raises(ValueError, match="^max_gap: expected >= min_gap"):
        reset_task(2, 10, min_gap=5, max_gap=3)


# ----- gradients, clipping, Adam --------------------------------------------------------------
@pytest.mark.parametrize("kind, per_step, forget_gate", [("lstm", False, True), ("lstm", True, True),
                                                          ("lstm", True, False), ("rnn", False, True)])
def test_loss_gradients_match_finite_differences(kind, per_step, forget_gate):
    model = init_model(kind, 2, 3, seed=1, per_step=per_step, forget_gate=forget_gate)
    xs, y = (reset_task(4, 6, seed=2) if per_step else adding_problem(4, 6, seed=2))
    _, grads = loss_and_grads(model, xs, y)
    arrays = {n: np.array(a) for n, a in model_arrays(model).items()}

    def loss():
        return loss_and_grads(with_arrays(model, arrays), xs, y)[0]

    for name, arr in arrays.items():
        err = relative_error(grads[name], numerical_gradient(loss, arr, eps=1e-6))
        assert err < 1e-6, f"wrong gradient for {name} ({kind}, per_step={per_step}): rel. error {err:.1e}"
    if not forget_gate:
        assert np.abs(grads["W_hf"]).max() == 0.0, "a pinned forget gate must get no gradient"


def test_clipping_caps_the_global_norm_and_keeps_the_direction():
    rng = np.random.default_rng(0)
    grads = {"a": rng.standard_normal((3, 4)) * 10, "b": rng.standard_normal(5) * 10}
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(np.sqrt(sum((g ** 2).sum() for g in grads.values())))
    assert global_norm(clipped) == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(clipped["a"] / grads["a"], clipped["b"][0] / grads["b"][0], rtol=1e-12)
    small = {n: g * 1e-3 for n, g in grads.items()}
    unchanged, _ = clip_by_global_norm(small, 1.0)
    for n in small:
        np.testing.assert_array_equal(unchanged[n], small[n])
    with pytest.raises(ValueError, match="^max_norm: expected a positive number"):
        clip_by_global_norm(grads, 0.0)


def test_adam_and_clipping_match_torch():
    torch = pytest.importorskip("torch", reason="torch is not installed: Adam and clipping cannot be compared "
                                "with torch.optim (CI installs torch==2.13.0)")
    rng = np.random.default_rng(4)
    start = {"w": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    tparams = {n: torch.tensor(a, requires_grad=True) for n, a in start.items()}
    topt = torch.optim.Adam(list(tparams.values()), lr=0.05)
    opt, params = Adam(lr=0.05), dict(start)
    for step in range(5):
        grads = {n: rng.standard_normal(a.shape) * 3 for n, a in start.items()}
        for n, t in tparams.items():
            t.grad = torch.tensor(grads[n])
        torch.nn.utils.clip_grad_norm_(list(tparams.values()), 1.0)
        topt.step()
        clipped, _ = clip_by_global_norm(grads, 1.0)
        params = opt.step(params, clipped)
        for n in params:
            np.testing.assert_allclose(params[n], tparams[n].detach().numpy(), rtol=1e-12, atol=1e-12,
                                       err_msg=f"Adam step {step} differs from torch for {n}")


def test_adam_descends_a_quadratic():
    scales = np.array([1.0, 10.0, 100.0])
    loss = lambda p: 0.5 * float((scales * p["x"] ** 2).sum())          # noqa: E731
    params, opt = {"x": np.array([1.0, -2.0, 0.5])}, Adam(lr=0.05)
    losses = [loss(params)]
    for _ in range(200):
        params = opt.step(params, {"x": scales * params["x"]})
        losses.append(loss(params))
    assert losses[-1] < 1e-3 * losses[0], "Adam must drive a convex quadratic towards its minimum"
    assert losses[1] < losses[0]
    with pytest.raises(ValueError, match="^lr: expected a positive"):
        Adam(lr=0.0)


# ----- the training loop ------------------------------------------------------------------------
def test_train_is_seeded_stops_at_target_and_reports_progress():
    import functools
    task = functools.partial(adding_problem, T=8)
    calls = []
    a = train(init_model("lstm", 2, 4, seed=2), task, 30, batch_size=8, seed=3, report_every=10,
              callback=lambda step, loss, score: calls.append((step, loss, score)))
    b = train(init_model("lstm", 2, 4, seed=2), task, 30, batch_size=8, seed=3)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert [c[0] for c in calls] == [10, 20, 30]
    assert calls[-1][1] == pytest.approx(a.losses[-1])
    stopped = train(init_model("lstm", 2, 4, seed=2), task, 30, batch_size=8, seed=3,
                    evaluate=lambda m: 1.0, eval_every=5, target=0.5)
    assert stopped.steps == 5 and stopped.stopped_early and stopped.evals == [(5, 1.0)]


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="^kind: expected 'lstm' or 'rnn'"):
        init_model("gru", 2, 4)
    with pytest.raises(ValueError, match="^forget_gate: a vanilla RNN has no forget gate"):
        init_model("rnn", 2, 4, forget_gate=False)
    model = init_model("lstm", 2, 4)
    xs, y = adding_problem(3, 5, seed=0)
    with pytest.raises(ValueError, match=r"^y: expected shape \(3,\)"):
        loss_and_grads(model, xs, y[:2])
    with pytest.raises(ValueError, match="^steps: expected a positive number"):
        train(model, adding_problem, 0)


def test_save_and_load_round_trip_without_pickle(tmp_path):
    model = init_model("lstm", 2, 3, seed=9, per_step=True, forget_gate=False)
    save_model(tmp_path / "m.npz", model, seed=9, note="test")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)
    loaded, meta = load_model(tmp_path / "m.npz")
    assert meta["seed"] == 9 and meta["note"] == "test"
    assert loaded.per_step and not loaded.forget_gate and loaded.kind == "lstm"
    for n, a in model_arrays(model).items():
        np.testing.assert_array_equal(model_arrays(loaded)[n], a)


# ----- the trained networks ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def adding_runs():
    """The LSTM trained by the recipe until solve rate 0.95, and the RNN with the same budget."""
    lstm = train_adding("lstm")
    rnn = train_adding("rnn", steps=lstm.steps)
    return lstm, rnn


@pytest.fixture(scope="module")
def reset_runs():
    return train_reset(forget_gate=True), train_reset(forget_gate=False)


def test_lstm_solves_the_adding_problem_at_T50(adding_runs):
    lstm, _ = adding_runs
    xs, y = adding_test_set(50)
    rate = solve_rate(predict(lstm.model, xs), y)
    assert rate >= 0.95, f"LSTM solve rate {rate:.3f} after {lstm.steps} steps, expected >= 0.95"
    assert lstm.steps <= ADDING_RECIPE["max_steps"]
    assert mse(predict(lstm.model, xs), y) < 0.01 * BASELINE_MSE


def test_rnn_with_the_same_budget_does_clearly_worse(adding_runs):
    lstm, rnn = adding_runs
    xs, y = adding_test_set(50)
    lstm_rate = solve_rate(predict(lstm.model, xs), y)
    rnn_rate = solve_rate(predict(rnn.model, xs), y)
    assert rnn.steps == lstm.steps
    assert lstm_rate - rnn_rate >= 0.3, f"LSTM {lstm_rate:.3f} vs RNN {rnn_rate:.3f}: expected a gap >= 0.3"
    assert mse(predict(rnn.model, xs), y) > 0.5 * BASELINE_MSE, "the RNN should stay near the baseline"


def test_trained_lstm_opens_i_at_the_markers_and_holds_f_between(adding_runs):
    lstm, _ = adding_runs
    xs, y = adding_test_set(50)
    _, trace = forward(lstm.model, xs)
    unit, corr = memory_unit(trace, y)
    assert abs(corr) > 0.9
    marked = xs[..., 1] > 0
    i = trace.i[..., unit]
    assert i[marked].mean() > i[~marked].mean() + 0.5, "input gate i_t must open at the markers"
    first, second = marker_positions(xs)
    t = np.arange(50)[:, None]
    between = (t > first) & (t < second)
    assert trace.f[..., unit][between].mean() > 0.95, "forget gate f_t must hold near 1 between the markers"


def test_without_a_forget_gate_the_cell_norm_grows(reset_runs):
    lstm, noforget = reset_runs
    xs, y = reset_test_set()
    norms = {}
    for name, run in (("lstm", lstm), ("noforget", noforget)):
        _, trace = forward(run.model, xs)
        norms[name] = np.linalg.norm(trace.c, axis=-1).mean(axis=1)       # (T,)
    early, late = slice(50, 100), slice(350, 400)
    growth = {k: v[late].mean() / v[early].mean() for k, v in norms.items()}
    assert growth["noforget"] > 3.0, f"no-forget cell norm grew only x{growth['noforget']:.2f}"
    assert growth["lstm"] < 1.2, f"LSTM cell norm grew x{growth['lstm']:.2f}; expected it bounded"
    assert norms["lstm"].max() < 0.1 * norms["noforget"][-1]


def test_reset_lstm_drops_its_forget_gate_at_resets(reset_runs):
    lstm, _ = reset_runs
    xs, y = reset_test_set()
    _, trace = forward(lstm.model, xs)
    unit, _ = memory_unit(trace, y)
    resets = xs[..., 1] > 0
    f = trace.f[..., unit]
    assert f[resets].mean() < f[~resets].mean() - 0.2, "f_t of the memory unit must drop at a reset"
    assert trace.f[resets].mean() < trace.f[~resets].mean(), "on average over units too"


def test_gate_saturation_counts_fractions_of_time():
    p = LSTMParams.random(2, 3, seed=0)
    from lstm_core import lstm_forward
    trace = lstm_forward(p, np.zeros((4, 2, 2)), overrides={"f": np.array([0.05, 0.5, 0.95])})
    sat = gate_saturation(trace)
    np.testing.assert_allclose(sat["f"][0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(sat["f"][1], [0.0, 0.0, 1.0])


@pytest.mark.parametrize("name, kind, per_step", [("adding_lstm", "lstm", False), ("adding_rnn", "rnn", False),
                                                   ("reset_lstm", "lstm", True), ("reset_noforget", "lstm", True)])
def test_shipped_weights_load_and_record_their_recipe(name, kind, per_step):
    path = WEIGHTS / f"{name}.npz"
    assert path.stat().st_size < 50_000, "shipped weights must stay small"
    model, meta = load_model(path)
    assert model.kind == kind and model.per_step == per_step
    assert {"seed", "steps", "lr", "script"} <= set(meta)
    if name.startswith("adding"):
        xs, y = adding_test_set(50)
        assert solve_rate(predict(model, xs), y) == pytest.approx(meta["test_score"], abs=0.005)


# ----- notebook 06's panel ------------------------------------------------------------------------
def test_trained_panel_follows_the_widget_contract():
    import matplotlib
    matplotlib.use("Agg")
    from lstm_core.trained_panel import make_trained_panel
    model, _ = load_model(WEIGHTS / "adding_lstm.npz")
    xs, y = adding_problem(5, 50, seed=1)
    panel = make_trained_panel(model, xs, y, task="adding")
    assert "lstm-panel" in panel.widget._dom_classes
    assert "lstm-main-slider" in panel.main_slider._dom_classes and panel.main_slider is panel.sliders["t"]
    assert "lstm-plot" in panel.image._dom_classes and "lstm-status" in panel.status._dom_classes
    before = panel.png
    panel.main_slider.value = 49
    assert panel.status.value == "update 2" and panel.png != before
    panel.set(example=4)
    assert panel.view.example == 4 and panel.status.value == "update 3"
    with pytest.raises(ValueError, match=r"^example: expected an integer in \[0, 4\]"):
        panel.set(example=5)


def test_model_checks_its_readout_shape():
    from lstm_core.train import Model
    cell = LSTMParams.random(2, 4, seed=0)
    with pytest.raises(ValueError, match=r"^V: expected shape \(4, 1\)"):
        Model(cell, np.zeros((3, 1)), np.zeros(1))
    with pytest.raises(ValueError, match="^cell: expected an LSTMParams or RNNParams"):
        Model("not a cell", np.zeros((4, 1)), np.zeros(1))
