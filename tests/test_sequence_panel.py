"""The time-slider panel of notebook 05, without a browser: the slider moves the frame over the
heatmaps, and the diagram shows lstm_core's numbers for that step, read back from the artists."""
import warnings

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("ipywidgets")

from lstm_core import LSTMParams, lstm_step  # noqa: E402
from lstm_core.sequence_panel import ROWS, make_sequence_panel  # noqa: E402

# The diagram prints 2 decimals, so a value read back from its text is within 0.005 (+ rounding).
TEXT_TOL = 0.0051


@pytest.fixture
def sequence():
    """A small cell and a 9-step sequence with a pulse, X=3, H=4."""
    p = LSTMParams.random(3, 4, seed=3, forget_bias=1.0)
    t = np.arange(9)
    xs = np.stack([2.0 * (t == 2), np.sin(t), np.cos(t / 2)], axis=1)
    return p, xs


def _loop(p, xs):
    """The oracle: lstm_step called T times, carrying h and c (not lstm_forward, which the panel uses)."""
    h, c = np.zeros(p.hidden_size), np.zeros(p.hidden_size)
    steps = []
    for x in xs:
        s = lstm_step(p, x, h, c)
        h, c = s.h, s.c
        steps.append(s)
    return steps


def _readout(panel, name):
    return float(panel.view.diagram.values[name].value.get_text())


def test_widget_contract(sequence):
    panel = make_sequence_panel(*sequence)
    assert "lstm-panel" in panel.widget._dom_classes
    assert panel.main_slider is panel.sliders["t"]
    assert "lstm-main-slider" in panel.sliders["t"]._dom_classes
    assert "lstm-plot" in panel.image._dom_classes and panel.image.format == "png"
    assert "lstm-status" in panel.status._dom_classes
    assert panel.status.value == "update 1", "the first drawing should read 'update 1'"
    assert panel.png.startswith(b"\x89PNG") and panel.image.value == panel.png
    assert (panel.sliders["t"].min, panel.sliders["t"].max) == (0, len(sequence[1]) - 1)


@pytest.mark.parametrize("t", [0, 1, 4, 8])
def test_time_slider_moves_frame_and_diagram_to_that_step(sequence, t):
    p, xs = sequence
    steps = _loop(p, xs)
    panel = make_sequence_panel(p, xs, unit=1)
    panel.sliders["t"].value = t          # as the browser does: the observer redraws
    for name in ROWS:
        frame = panel.view.frames[name]
        assert frame.get_x() == pytest.approx(t - 0.5), f"frame of {name} should sit on column {t}"
        assert frame.get_width() == pytest.approx(1.0)
    for name in "figoch":
        want = getattr(steps[t], name)
        assert np.allclose(panel.column(name), want, atol=1e-12), f"wrong values for {name}_t in the heatmap"
        assert _readout(panel, name) == pytest.approx(want[1], abs=TEXT_TOL), \
            f"wrong value for {name}_t in the diagram"
    assert np.allclose(panel.column("x"), xs[t])
    c_prev = steps[t - 1].c[1] if t else 0.0
    h_prev = steps[t - 1].h[1] if t else 0.0
    assert _readout(panel, "c_prev") == pytest.approx(c_prev, abs=TEXT_TOL), "wrong value for c_{t-1}"
    assert _readout(panel, "h_prev") == pytest.approx(h_prev, abs=TEXT_TOL), "wrong value for h_{t-1}"
    assert _readout(panel, "keep") == pytest.approx(steps[t].f[1] * c_prev, abs=TEXT_TOL)
    assert _readout(panel, "write") == pytest.approx(steps[t].i[1] * steps[t].g[1], abs=TEXT_TOL)
    assert panel.view.now_line.get_xdata()[0] == t


def test_diagram_line_widths_follow_the_values(sequence):
    p, xs = sequence
    panel = make_sequence_panel(p, xs)
    flows = panel.view.diagram.flows
    widths = {}
    for t in range(len(xs)):
        panel.set(t=t)
        widths[t] = flows["f"][0].get_linewidth()
    f = np.array([s.f[0] for s in _loop(p, xs)])
    # a larger f_t draws a thicker f line: widths sort like the values
    order = np.argsort(f)
    assert np.all(np.diff([widths[int(k)] for k in order]) >= -1e-12), "line width should grow with |f_t|"
    assert max(widths.values()) > min(widths.values())


def test_unit_slider_changes_the_unit_shown(sequence):
    p, xs = sequence
    steps = _loop(p, xs)
    panel = make_sequence_panel(p, xs, t=5)
    panel.set(unit=3)
    assert panel.unit == 3 and panel.sliders["unit"].value == 4, "the slider shows units 1-based"
    assert _readout(panel, "c") == pytest.approx(steps[5].c[3], abs=TEXT_TOL)
    _, ys = panel.view.unit_lines["h"].get_data()
    assert np.allclose(ys, [s.h[3] for s in steps], atol=1e-12), "the line plot should show unit 4's h_t"
    assert panel.view.marks["f"].get_ydata()[0] == 3


def test_status_label_counts_every_redraw(sequence):
    panel = make_sequence_panel(*sequence)
    pngs = {panel.t: panel.png}
    for k, t in enumerate([3, 6, 2], start=2):
        panel.sliders["t"].value = t
        assert panel.status.value == f"update {k}"
        pngs[t] = panel.png
    panel.set(t=7, unit=2)
    assert panel.status.value == "update 5", "set() should redraw exactly once"
    assert len(set(pngs.values())) == len(pngs), "each step should give a different image"


def test_extremes_give_no_nan_and_no_warning():
    p = LSTMParams.random(2, 3, seed=0)
    xs = np.array([[1e6, -1e6], [-1e6, 1e6], [0.0, 0.0]])      # saturates every gate
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panel = make_sequence_panel(p, xs, c0=[50.0, -50.0, 0.0])
        for t in (0, 2, 1):
            for unit in (0, 2):
                panel.set(t=t, unit=unit)
                for name in panel.view.diagram.values:
                    assert np.isfinite(_readout(panel, name)), f"{name} should read a finite number"
        fig = panel.static_figure(pyplot=False)
        fig.canvas.draw()
    for name in ROWS:
        assert np.isfinite(panel.column(name)).all()


def test_a_single_step_sequence():
    p = LSTMParams.random(1, 2, seed=0)
    panel = make_sequence_panel(p, [[0.5]])
    assert panel.sliders["t"].max == 0
    assert _readout(panel, "h") == pytest.approx(lstm_step(p, [0.5]).h[0], abs=TEXT_TOL)


def test_static_figure_shows_the_same_step(sequence):
    p, xs = sequence
    panel = make_sequence_panel(p, xs, t=6, unit=2)
    fig = panel.static_figure(pyplot=False)
    frames = [a for ax in fig.axes for a in ax.patches if type(a).__name__ == "Rectangle"]
    assert frames and all(fr.get_x() == pytest.approx(5.5) for fr in frames)
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert f"{_loop(p, xs)[6].c[2]:.2f}" in texts


@pytest.mark.parametrize("kwargs, name", [
    (dict(xs=np.zeros((4, 2))), "xs"),                 # X=3 expected
    (dict(xs=np.zeros((4, 2, 3))), "xs"),              # one sequence only
    (dict(h0=np.zeros(3)), "h0"),
    (dict(t=9), "t"),
    (dict(unit=4), "unit"),
    (dict(unit=0.5), "unit"),
])
def test_bad_input_names_the_argument(sequence, kwargs, name):
    p, xs = sequence
    kwargs = {"xs": xs, **kwargs}
    with pytest.raises(ValueError, match=rf"^{name}: expected"):
        make_sequence_panel(p, **kwargs)


def test_set_rejects_out_of_range_steps(sequence):
    panel = make_sequence_panel(*sequence)
    with pytest.raises(ValueError, match=r"^t: expected an integer in \[0, 8\], got 9"):
        panel.set(t=9)
    with pytest.raises(ValueError, match=r"^speed: expected a slider"):
        panel.set(speed=1)
    assert panel.status.value == "update 1", "a rejected value should not redraw"
