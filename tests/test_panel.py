"""The plot and widget layer without a browser: the panels show what lstm_core computes.

The oracle is lstm_core itself, called directly on the panel's documented toy cell
(toy_params() with the studied gate's weights W_x = w_x·1, W_h = w_h·I, b = b + (−1, 0, 1)),
never the panel's own computation.  The plotted data is read back from the artists.
"""
import io
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import lstm_core as lc  # noqa: E402
from lstm_core import panel as P  # noqa: E402
from lstm_core.diagram import CellDiagram, draw_cell  # noqa: E402
from lstm_core.style import GATE_COLORS, fmt  # noqa: E402

H = P.H


@pytest.fixture(scope="module")
def panels():
    """One panel per kind, built once (a build costs a full draw)."""
    return {k: P.make_panel(k) for k in P.KINDS}


def toy_gate(gate, w_x, w_h, b, base=None):
    """The toy cell's params with gate `gate` set as the module docstring of panel.py says."""
    base = P.toy_params() if base is None else base
    return base.with_gate(gate, W_x=np.full((1, H), w_x), W_h=w_h * np.eye(H), b=b + np.array([-1.0, 0.0, 1.0]))


def bar_heights(gate_bars, series=0):
    return np.array([bar.get_height() for bar in gate_bars.bars[series]])


def points_y(curve):
    """Operating points of an ActivationCurve, whether drawn as dots or as pinned crosses."""
    y = list(curve.points.get_ydata()) + list(curve.pins.get_ydata())
    return np.sort(np.array(y, float))


# ----- the contract with the browser tests -------------------------------------------------------
@pytest.mark.parametrize("kind", P.KINDS)
def test_contract_classes(panels, kind):
    import ipywidgets as widgets
    p = panels[kind]
    assert isinstance(p.widget, widgets.VBox) and "lstm-panel" in p.widget._dom_classes
    main = [s for s in p.sliders.values() if "lstm-main-slider" in s._dom_classes]
    assert main == [p.main_slider], f"panel {kind}: exactly one main slider expected"
    assert isinstance(p.image, widgets.Image) and p.image.format == "png"
    assert "lstm-plot" in p.image._dom_classes
    assert isinstance(p.status, widgets.Label) and "lstm-status" in p.status._dom_classes

    def descendants(w):
        yield w
        for c in getattr(w, "children", ()):
            yield from descendants(c)
    inside = list(descendants(p.widget))
    for w in [p.image, p.status, *p.sliders.values(), *p.checkboxes.values()]:
        assert any(w is d for d in inside), f"panel {kind}: {w!r} is not inside the VBox"


@pytest.mark.parametrize("kind", P.KINDS)
def test_sliders_use_maths_labels_and_fixed_decimals(panels, kind):
    for name, s in panels[kind].sliders.items():
        assert s.description.startswith(r"\(") and s.description.endswith(r"\)"), name
        assert s.readout_format.endswith("f") and s.continuous_update, name


def test_status_counts_every_redraw():
    p = P.make_panel("f")
    n = p.updates
    assert p.status.value == f"update {n}"
    p.set(b_f=0.0)
    assert p.status.value == f"update {n + 1}"
    p.main_slider.value = 2.5            # what a browser drag does: the observer redraws
    assert p.status.value == f"update {n + 2}"
    assert p.step.z_f[1] == pytest.approx(0.5 * 1.0 + 0.2 * 1.0 + 2.5)
    p.checkboxes["pin_f"].value = True
    assert p.status.value == f"update {n + 3}"


def test_png_is_a_valid_png_of_the_figure(panels):
    p = panels["f"]
    png = p.set(b_f=1.5)
    assert png == p.png == p.image.value
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(png))
    img.verify()
    w, h = p.figure.canvas.get_width_height(physical=True)
    assert Image.open(io.BytesIO(png)).size == (w, h)


def test_png_changes_with_the_slider():
    p = P.make_panel("o")
    before = p.png
    p.set(b_o=-3.0)
    assert p.png != before


# ----- plotted data equals lstm_core ------------------------------------------------------------
def test_forget_panel_shows_lstm_core_forget_gate(panels):
    p = panels["f"]
    v = dict(x_t=-1.5, h_prev=0.4, c_prev=2.0, W_xf=2.5, W_hf=-3.0, b_f=0.7)
    p.set(pin_f=False, pin_i=False, **v)
    params = toy_gate("f", v["W_xf"], v["W_hf"], v["b_f"])
    x, h, c = np.array([v["x_t"]]), np.full(H, v["h_prev"]), np.full(H, v["c_prev"])
    f = lc.forget_gate(x, h, params)
    view = p._view
    assert np.allclose(bar_heights(view.bars), f, atol=1e-12), "wrong bar heights for f_t"
    assert np.allclose(points_y(view.curve), np.sort(f)), "wrong operating points for f_t"
    z = x @ params.W_xf + h @ params.W_hf + params.b_f
    assert np.allclose(np.sort(view.curve.points.get_xdata()), np.sort(z)), "wrong z_f on the curve"
    step = lc.lstm_step(params, x, h, c)
    assert np.allclose(p.step.c, step.c) and np.allclose(p.step.h, step.h)
    # memory plot: f^t from the half-life module and c_t / c_0 measured by lstm_forward with i = 0
    for k in range(H):
        t, kept = view.extra.lines[k].get_data()
        assert np.allclose(kept, f[k] ** np.asarray(t)), f"wrong retention curve for unit {k + 1}"
        t, measured = view.extra.dots[k].get_data()
        assert np.allclose(measured, f[k] ** np.asarray(t), rtol=1e-10), f"measured memory, unit {k + 1}"
        hl = float(lc.half_life(f[k]))
        mark = view.extra.marks[k].get_xdata()
        if hl <= view.extra.steps - 1:
            assert mark[0] == pytest.approx(hl) and f[k] ** hl == pytest.approx(0.5)
        assert view.extra.readouts[k].value.get_text() == fmt(hl, 2)
    # the diagram reads out unit 2
    assert view.diagram.values["f"].value.get_text() == fmt(f[1], 2)
    assert view.diagram.values["c"].value.get_text() == fmt(step.c[1], 2)


def test_pins_go_through_lstm_core_overrides(panels):
    p = panels["f"]
    p.set(pin_f=True, pin_i=True, b_f=-4.0, c_prev=3.0)
    params = toy_gate("f", p.values["W_xf"], p.values["W_hf"], -4.0)
    x, h, c = np.array([p.values["x_t"]]), np.full(H, p.values["h_prev"]), np.full(H, 3.0)
    step = lc.lstm_step(params, x, h, c, overrides={"f": 1.0, "i": 0.0})
    assert np.allclose(p.step.f, 1.0) and np.allclose(p.step.i, 0.0)
    assert np.allclose(p.step.c, c), "with f = 1 and i = 0 the cell must keep c_{t-1}"
    assert np.allclose(p.step.h, step.h)
    assert np.allclose(bar_heights(p._view.bars), 1.0)
    curve = p._view.curve
    shown = sum(len(a.get_ydata()) for a in (curve.pins, curve.off_left, curve.off_right))
    assert shown == H and len(curve.points.get_ydata()) == 0, "pinned points must not sit on the curve"
    assert "pinned: f = 1, i = 0" in p._view.suptitle.get_text()
    p.set(pin_f=False, pin_i=False)
    assert not np.allclose(p.step.f, 1.0)


def test_input_panel_shows_i_g_and_write(panels):
    p = panels["i"]
    v = dict(x_t=2.0, h_prev=-0.5, c_prev=-1.0, W_xi=1.5, W_hi=2.0, b_i=-0.5, W_xg=-2.0, W_hg=0.5, b_g=1.0)
    p.set(pin_i=False, pin_f=False, **v)
    params = toy_gate("g", v["W_xg"], v["W_hg"], v["b_g"], base=toy_gate("i", v["W_xi"], v["W_hi"], v["b_i"]))
    x, h, c = np.array([v["x_t"]]), np.full(H, v["h_prev"]), np.full(H, v["c_prev"])
    i, g = lc.input_gate(x, h, params), lc.candidate(x, h, params)
    bars = p._view.bars
    assert np.allclose(bar_heights(bars, 0), i), "wrong bars for i_t"
    assert np.allclose(bar_heights(bars, 1), g), "wrong bars for g_t"
    assert np.allclose(bar_heights(bars, 2), lc.cell_update(0.0, c, i, g)), "wrong bars for i_t g_t"
    assert np.allclose(points_y(p._view.curve), np.sort(i))
    assert np.allclose(points_y(p._view.extra), np.sort(g))
    assert np.allclose(p.step.c, lc.lstm_step(params, x, h, c).c)


def test_cell_panel_shows_keep_write_total(panels):
    p = panels["c"]
    p.set(f=0.3, i=0.8, g=-0.6, c_prev=-7.5)
    params = P.toy_params()
    x, h, c = np.array([0.5]), np.full(H, 0.2), np.full(H, -7.5)
    step = lc.lstm_step(params, x, h, c, overrides={"f": 0.3, "i": 0.8, "g": -0.6})
    heights = [b[0].get_height() for b in p._view.bars.bars]
    expected = [-7.5, lc.cell_update(0.3, -7.5, 0.0, 0.0), lc.cell_update(0.0, -7.5, 0.8, -0.6), step.c[1]]
    assert np.allclose(heights, expected), "wrong keep / write / total bars"
    assert step.c[1] == pytest.approx(0.3 * -7.5 + 0.8 * -0.6)
    assert np.allclose(p.step.h, step.h)
    # the sequence plot: lstm_forward with the gates pinned, starting from c_{t-1}
    t, cs = p._view.extra.line.get_data()
    trace = lc.lstm_forward(lc.LSTMParams.zeros(1, 1), np.zeros((len(t) - 1, 1)), c0=[-7.5],
                            overrides={"f": 0.3, "i": 0.8, "g": -0.6})
    assert np.allclose(cs, np.concatenate([[-7.5], trace.c[:, 0]]))
    # the y-axis grew to show c_{t-1} = -7.5
    assert p._view.bars.ax.get_ylim()[0] < -7.5


def test_output_panel_shows_o_tanh_c_and_h(panels):
    p = panels["o"]
    v = dict(x_t=-3.0, h_prev=0.9, c_prev=4.0, W_xo=-1.0, W_ho=2.0, b_o=0.5)
    p.set(pin_o=False, pin_o0=False, **v)
    params = toy_gate("o", v["W_xo"], v["W_ho"], v["b_o"])
    x, h, c = np.array([v["x_t"]]), np.full(H, v["h_prev"]), np.full(H, v["c_prev"])
    step = lc.lstm_step(params, x, h, c)
    o = lc.output_gate(x, h, params)
    bars = p._view.bars
    assert np.allclose(bar_heights(bars, 0), o), "wrong bars for o_t"
    assert np.allclose(bar_heights(bars, 1), np.tanh(step.c)), "wrong bars for tanh c_t"
    assert np.allclose(bar_heights(bars, 2), lc.hidden_state(o, step.c)), "wrong bars for h_t"
    p.set(pin_o=True)
    assert np.allclose(bar_heights(bars, 2), np.tanh(step.c)), "with o = 1, h_t must be tanh(c_t)"
    p.set(pin_o=False)


def test_static_figure_matches_the_live_one(panels):
    p = panels["i"]
    p.set(b_i=3.0)
    fig = p.static_figure(pyplot=False)
    bars = [a for a in fig.axes[2].patches]
    live = [b for series in p._view.bars.bars for b in series]
    assert np.allclose([b.get_height() for b in bars], [b.get_height() for b in live])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"


# ----- extremes: no NaN, no warning ---------------------------------------------------------------
def finite_everywhere(p):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    for a in p._view.artists:
        if isinstance(a, Line2D):
            xs, ys = a.get_data()
            assert np.all(np.isfinite(np.asarray(xs, float))) and np.all(np.isfinite(np.asarray(ys, float)))
            assert np.isfinite(a.get_linewidth())
        elif isinstance(a, Rectangle):
            assert np.isfinite(a.get_height())
        else:
            assert "nan" not in a.get_text().lower()
    for arr in p.step:
        assert np.all(np.isfinite(arr))


@pytest.mark.parametrize("kind", P.KINDS)
def test_every_slider_at_its_extremes_gives_finite_data_and_no_warning(kind):
    p = P.make_panel(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, s in p.sliders.items():
            for value in (s.min, s.max):
                p.set(**{name: value})
                finite_everywhere(p)
        # all at once, both corners, with every pin
        pins = {n: True for n in p.checkboxes}
        for corner in ("min", "max"):
            p.set(**{n: getattr(s, corner) for n, s in p.sliders.items()}, **pins)
            finite_everywhere(p)
    assert {s.min for n, s in p.sliders.items() if n.startswith(("W_", "b_", "x_t"))} <= {-10.0}
    assert {s.max for n, s in p.sliders.items() if n.startswith(("W_", "b_", "x_t"))} <= {10.0}


def test_operating_point_off_the_axis_is_drawn_at_the_edge():
    p = P.make_panel("f")
    p.set(x_t=10.0, W_xf=10.0, h_prev=1.0, W_hf=10.0, b_f=10.0)      # z = 120 + (−1, 0, 1)
    curve = p._view.curve
    lo, hi = curve.ax.get_xlim()
    assert len(curve.points.get_xdata()) == 0, "no dot may sit inside the axis for z = 120"
    assert np.allclose(curve.off_right.get_xdata(), hi) and np.allclose(curve.off_right.get_ydata(), 1.0)
    assert curve.z_text.value.get_text() == "120.000"
    p.set(b_f=-10.0, W_xf=-10.0)                                     # z = -100 + (−1, 0, 1)
    assert np.allclose(curve.off_left.get_xdata(), lo) and len(curve.off_right.get_xdata()) == 0
    assert np.allclose(p.step.f, lc.sigmoid(np.array([-101.0, -100.0, -99.0])))


# ----- bad input ----------------------------------------------------------------------------------
def test_bad_input_raises_value_errors_naming_the_argument(panels):
    p = panels["f"]
    with pytest.raises(ValueError, match=r"b_f: expected a value in \[-10, 10\], got 12"):
        p.set(b_f=12.0)
    with pytest.raises(ValueError, match="W_xq"):
        p.set(W_xq=1.0)
    with pytest.raises(ValueError, match="pin_f: expected True or False"):
        p.set(pin_f=1)
    with pytest.raises(ValueError, match="kind: expected one of"):
        P.make_panel("z")
    with pytest.raises(ValueError, match="values: expected slider or pin names"):
        P.make_panel("o", b_f=1.0)
    with pytest.raises(ValueError, match="params: expected LSTMParams with X=1, H=3 .* got X=2, H=4"):
        P.make_panel("f", params=lc.LSTMParams.random(2, 4))


# ----- the cell diagram and the style helpers -----------------------------------------------------
def test_cell_diagram_numbers_and_widths_follow_the_step():
    import matplotlib.pyplot as plt
    params = lc.LSTMParams.random(2, 4, seed=3, forget_bias=1.0)
    x, h, c = np.array([0.3, -1.2]), np.linspace(-0.5, 0.5, 4), np.array([2.0, -1.0, 0.5, 0.0])
    step = lc.lstm_step(params, x, h, c)
    fig, ax = plt.subplots()
    d = draw_cell(ax, step, c, h, x, highlight="f", unit=2)
    assert d.values["f"].value.get_text() == fmt(step.f[2], 2)
    assert d.values["h"].value.get_text() == fmt(step.h[2], 2)
    assert d.values["keep"].value.get_text() == fmt(step.f[2] * c[2], 2)
    assert d.values["write"].value.get_text() == fmt(step.i[2] * step.g[2], 2)
    wide = d.flows["c_prev"][0].get_linewidth()
    d.update(step, np.zeros(4), h, x)                    # no memory: the c_{t-1} flow is thinnest
    assert d.flows["c_prev"][0].get_linewidth() < wide
    assert d.values["c_prev"].value.get_text() == fmt(0.0, 2)
    plt.close(fig)


def test_cell_diagram_highlight_fades_the_other_gates():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    d = CellDiagram(ax, highlight="o")
    assert d.flows["o"][0].get_alpha() == 1.0 and d.flows["f"][0].get_alpha() < 1.0
    with pytest.raises(ValueError, match="highlight: expected one of"):
        CellDiagram(ax, highlight="q")
    plt.close(fig)


def test_palette_and_fixed_decimals():
    assert GATE_COLORS == {"f": "#0072B2", "i": "#009E73", "g": "#E69F00", "o": "#CC79A7", "c": "#D55E00",
                           "h": "#56B4E9", "x": "#999999"}
    assert fmt(0.73105, 3) == "0.731" and fmt(-0.0001, 3) == "0.000" and fmt(2, 2) == "2.00"
    assert fmt(float("inf"), 2) == "inf"


def test_forget_bias_effect_keeps_memory_longer_with_bias_one():
    from lstm_core.plots import forget_bias_effect
    data = forget_bias_effect(X=4, H=32, T=20, seed=0)
    med0, med1 = np.median(data[0.0], axis=1), np.median(data[1.0], axis=1)
    assert np.all(med1[1:] > med0[1:]), "b_f = 1 must keep more memory than b_f = 0 at every step"
    assert np.allclose(data[0.0][0], 1.0) and np.all(np.diff(data[1.0], axis=0) <= 0)


# ----- the fast renderer ----------------------------------------------------------------------------
def test_render_png_round_trips_the_canvas_pixels(panels):
    p = panels["c"]
    p.set(f=0.55)
    decoded = np.asarray(Image.open(io.BytesIO(p.png)).convert("RGBA"))
    assert np.array_equal(decoded, np.asarray(p.figure.canvas.buffer_rgba()))


def test_cached_text_renderer_measures_and_draws_text_like_matplotlib():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from lstm_core.render import fast_canvas
    fast_fig, plain_fig = Figure(figsize=(3, 1), dpi=80), Figure(figsize=(3, 1), dpi=80)
    fast, plain = fast_canvas(fast_fig).get_renderer(), FigureCanvasAgg(plain_fig).get_renderer()
    prop = FontProperties(size=9)
    for s in ("0.731", "-12.500", "unit 2: t½"):
        assert np.allclose(fast.get_text_width_height_descent(s, prop, False),
                           plain.get_text_width_height_descent(s, prop, False)), s
    for fig in (fast_fig, plain_fig):
        fig.text(0.1, 0.4, "f = 0.846", fontsize=9)
        fig.canvas.draw()
    a = np.asarray(fast_fig.canvas.buffer_rgba())[..., :3].astype(int)
    b = np.asarray(plain_fig.canvas.buffer_rgba())[..., :3].astype(int)
    ink_a, ink_b = (a < 128).any(-1), (b < 128).any(-1)
    assert ink_a.sum() > 20 and abs(int(ink_a.sum()) - int(ink_b.sum())) <= 0.1 * ink_b.sum()
    rows_a, cols_a = np.nonzero(ink_a)
    rows_b, cols_b = np.nonzero(ink_b)
    assert abs(rows_a.mean() - rows_b.mean()) < 1.0 and abs(cols_a.mean() - cols_b.mean()) < 1.0


def test_pins_of_the_same_gate_exclude_each_other():
    p = P.make_panel("o")
    p.set(pin_o=True)
    assert np.allclose(p.step.o, 1.0)
    p.checkboxes["pin_o0"].value = True              # a click in the browser
    assert not p.checkboxes["pin_o"].value and np.allclose(p.step.o, 0.0) and np.allclose(p.step.h, 0.0)
    p.set(pin_o=True)
    assert not p.checkboxes["pin_o0"].value and np.allclose(p.step.h, np.tanh(p.step.c))


def test_cell_figure_has_full_size_text_and_a_small_axes_shrinks_it():
    import matplotlib.pyplot as plt
    from lstm_core.diagram import cell_figure
    params = P.toy_params()
    x, h, c = np.array([0.5]), np.full(H, 0.2), np.ones(H)
    step = lc.lstm_step(params, x, h, c)
    fig, d = cell_figure(step, c, h, x, highlight="c", unit=1)
    assert d.scale == 1.0 and d.values["c"].value.get_fontsize() == pytest.approx(9.0)
    assert d.values["c"].value.get_text() == fmt(step.c[1], 2)
    small_fig, small_ax = plt.subplots(figsize=(5, 2.5))
    small = CellDiagram(small_ax)
    assert small.scale < 0.6 and small.values["c"].value.get_fontsize() < 5.5
    plt.close(fig)
    plt.close(small_fig)


def test_show_panel_displays_and_returns_the_panel_without_warnings():
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = P.show_panel("o", b_o=-1.5)
    assert isinstance(p, P.Panel) and p.values["b_o"] == -1.5
    assert np.allclose(p.step.o[1], lc.sigmoid(0.5 * 1.0 + 0.2 * 1.0 - 1.5))
    assert plt.get_fignums() == before, "the static figure must not stay open under Agg"


def test_a_value_echoed_back_rounded_does_not_redraw():
    p = P.make_panel("f")
    n = p.updates
    p.sliders["h_prev"].value = 0.2 - 1e-16 * 3          # what noUiSlider sends back for 0.2
    assert p.updates == n
    p.sliders["h_prev"].value = 0.25
    assert p.updates == n + 1


def test_cell_diagram_rejects_a_unit_the_step_does_not_have():
    import matplotlib.pyplot as plt
    params = P.toy_params()
    step = lc.lstm_step(params, np.array([0.5]))
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="unit: expected a unit index in 0..2, got 3"):
        draw_cell(ax, step, np.zeros(H), np.zeros(H), np.array([0.5]), unit=3)
    plt.close(fig)
