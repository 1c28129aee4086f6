"""The time-slider panel of notebook 05: the whole cell running over a sequence.

    panel = show_sequence_panel(params, xs)      # xs: (T, X), one sequence

Left: heatmaps over time (one row per unit, one column per step) of the input x_t, of every gate
f, i, g, o, of c_t and of h_t, all from one lstm_core.lstm_forward trace, with the current step
framed.  Right: the cell diagram (lstm_core.diagram) with the numbers of the current step for
one unit, and below it that unit's gates and states over time.  The time slider `t` moves the
frame; the `unit` slider picks the unit shown on the right (marked ▸ in the heatmaps).

Nothing is recomputed here: lstm_forward runs once when the panel is built, and every number
drawn is read from its Trace.

Contract with the browser tests (BRIEF): the widget is a VBox with class `lstm-panel`, the time
slider has class `lstm-main-slider`, the plot is an ipywidgets.Image with class `lstm-plot`, and
a Label with class `lstm-status` reads "update N" after the N-th drawing.

Speed: the heatmaps never change, so they are drawn once into a cached background; moving the
time slider only moves the frames and the time marker, rewrites the diagram's numbers and line
widths, and blits them over the background, on lstm_core.render.fast_canvas (which caches text
bitmaps); lstm_core.render.render_png encodes the PNG.
benchmarks/slider_latency.py measures it against building the figure from scratch.
"""

import numpy as np

from ._checks import check_shape, float_array
from .cell import Step, lstm_forward
from .params import LSTMParams
from .render import LiveImage, LivePanel, fast_canvas, panel_box, show_static_then_live
from .style import GATE_COLORS, INK, MUTED, Readout, style_context

ROWS = ("x", "f", "i", "g", "o", "c", "h")
ROW_TITLES = {"x": "input $x_t$", "f": "forget gate $f_t$", "i": "input gate $i_t$",
              "g": "candidate $g_t$", "o": "output gate $o_t$", "c": "cell state $c_t$",
              "h": "hidden state $h_t$"}
NEGATIVE = "#5E3C99"       # dark purple: the negative end of the diverging maps (colour-blind safe)
FIGSIZE = (13.0, 6.8)
DPI = 80


def _limits(name, values):
    """Colour limits: the gates' exact ranges; c and x symmetric around 0, at least ±1."""
    if name in ("f", "i", "o"):
        return 0.0, 1.0
    if name in ("g", "h"):
        return -1.0, 1.0
    top = max(1.0, float(np.ceil(np.max(np.abs(values)) * 10) / 10))
    return -top, top


def _cmap(name):
    from matplotlib.colors import LinearSegmentedColormap
    color = GATE_COLORS[name] if name != "x" else "#444444"
    if name in ("f", "i", "o"):
        return LinearSegmentedColormap.from_list(f"lstm_{name}", ["#FFFFFF", color])
    return LinearSegmentedColormap.from_list(f"lstm_{name}", [NEGATIVE, "#FFFFFF", color])


def _step_at(trace, t):
    """The lstm_core Step of step t, read from the trace (not recomputed)."""
    return Step(*(getattr(trace, n)[t] for n in ("z_f", "z_i", "z_g", "z_o", "f", "i", "g", "o", "c", "h")))


def _check_sequence(params, xs, h0, c0):
    if not isinstance(params, LSTMParams):
        raise ValueError(f"params: expected an LSTMParams, got {type(params).__name__}")
    xs = float_array("xs", xs)
    X, H = params.input_size, params.hidden_size
    if xs.ndim != 2 or xs.shape[1] != X or xs.shape[0] < 1:
        raise ValueError(f"xs: expected shape (T, X) with T >= 1 and X={X} from params (one sequence), "
                         f"got {xs.shape}")
    h0 = np.zeros(H) if h0 is None else check_shape("h0", float_array("h0", h0), (H,), f"H={H}")
    c0 = np.zeros(H) if c0 is None else check_shape("c0", float_array("c0", c0), (H,), f"H={H}")
    return xs, h0, c0


# ----- the figure ------------------------------------------------------------------------------
class SequenceFigure:
    """Heatmaps of a trace over time, the cell diagram, and one unit's values over time.

    update(t, unit) frames step t, writes its values and shows `unit` in the diagram and the
    line plot.  It returns True when something outside the animated artists changed (a new
    unit), i.e. when the caller must redraw fully instead of blitting.
    """

    def __init__(self, fig, trace, xs, h0, c0, unit=0, animated=False):
        from matplotlib.gridspec import GridSpec, GridSpecFromSubplotSpec
        from matplotlib.patches import Rectangle

        from .diagram import CellDiagram
        self.fig, self.trace, self.xs, self.h0, self.c0 = fig, trace, xs, h0, c0
        T, H = trace.h.shape
        self.T, self.H = T, H
        outer = GridSpec(1, 2, figure=fig, width_ratios=[1.0, 1.7], left=0.035, right=0.995,
                         top=0.9, bottom=0.07, wspace=0.12)
        left = GridSpecFromSubplotSpec(len(ROWS), 2, subplot_spec=outer[0], width_ratios=[1.0, 0.025],
                                       hspace=0.42, wspace=0.04)
        right = GridSpecFromSubplotSpec(2, 1, subplot_spec=outer[1], height_ratios=[2.3, 1.0], hspace=0.2)
        self.data = {n: (xs if n == "x" else getattr(trace, n)) for n in ROWS}
        self.axes, self.images, self.frames, self.marks = {}, {}, {}, {}
        for r, name in enumerate(ROWS):
            ax = fig.add_subplot(left[r, 0])
            values = self.data[name]                 # (T, rows)
            rows = values.shape[1]
            vmin, vmax = _limits(name, values)
            im = ax.imshow(values.T, aspect="auto", interpolation="nearest", cmap=_cmap(name),
                           vmin=vmin, vmax=vmax, extent=(-0.5, T - 0.5, rows - 0.5, -0.5))
            cb = fig.colorbar(im, cax=fig.add_subplot(left[r, 1]))
            cb.set_ticks([vmin, 0.0, vmax] if vmin < 0 else [0.0, 1.0])
            cb.ax.tick_params(labelsize=7, length=2, pad=1)
            cb.outline.set_linewidth(0.5)
            ax.grid(False)
            ax.set_yticks(range(rows), [str(k + 1) for k in range(rows)] if rows <= 8 else [""] * rows,
                          fontsize=7)
            ax.tick_params(axis="y", length=0, pad=9 if name != "x" else 2)
            _time_ticks(ax, T)
            ax.tick_params(axis="x", labelsize=7, length=2, labelbottom=(r == len(ROWS) - 1))
            color = GATE_COLORS[name] if name != "x" else INK
            ax.set_title(ROW_TITLES[name], loc="left", fontsize=8.5, color=color, pad=2)
            for side in ("top", "right", "left", "bottom"):
                ax.spines[side].set_visible(False)
            frame = Rectangle((-0.5, -0.5), 1.0, rows, fill=False, ec=INK, lw=2.0, zorder=5, clip_on=False)
            ax.add_patch(frame)
            if name != "x":   # the unit the diagram shows; static: a new unit redraws everything
                mark, = ax.plot([0.0], [unit], ">", ms=5, color=INK, clip_on=False, zorder=6,
                                transform=_left_of(ax))
                self.marks[name] = mark
            self.axes[name], self.images[name], self.frames[name] = ax, im, frame
        self.axes["h"].set_xlabel("step $t$", fontsize=8, labelpad=1)

        self.diagram_ax = fig.add_subplot(right[0])
        self.diagram = CellDiagram(self.diagram_ax, unit=unit, title=False)
        self.unit = self.diagram.unit
        self.diagram_title = self.diagram_ax.set_title("", fontsize=10)
        self.unit_ax = fig.add_subplot(right[1])
        self._build_unit_plot()
        self.step_readout = Readout(self.unit_ax, 0.27, 0.965, "the LSTM cell over a sequence: step $t$",
                                    decimals=0, transform=fig.transFigure, suffix=f" of 0..{T - 1}",
                                    va="center", fontsize=11, color=INK)
        self.step_text = self.step_readout.value
        self._show_unit(self.unit)
        self.artists = ([a for n in ROWS for a in (self.frames[n],)]
                        + self.diagram.artists + [self.now_line, *self.now_points, self.step_text])
        if animated:
            for a in self.artists:
                a.set_animated(True)

    def _build_unit_plot(self):
        ax, T = self.unit_ax, self.T
        self.unit_lines = {}
        for name in ("f", "i", "o", "g", "c", "h"):
            thick = name in "ch"
            self.unit_lines[name], = ax.plot([], [], "-" if thick else "--", lw=2.2 if thick else 1.2,
                                             color=GATE_COLORS[name], label=f"${name}_t$", zorder=3 if thick else 2)
        ax.axhline(0, color=MUTED, lw=0.8, zorder=1)
        ax.set_xlim(-0.5, T - 0.5)
        _time_ticks(ax, T)
        ax.tick_params(labelsize=7)
        ax.set_xlabel("step $t$", fontsize=8, labelpad=1)
        self.unit_title = ax.set_title("", loc="right", fontsize=9, pad=2)
        ax.legend(loc="upper left", ncols=6, frameon=False, fontsize=8, bbox_to_anchor=(0.0, 1.02),
                  handlelength=1.6, columnspacing=1.0)
        self.now_line = ax.axvline(0, color=INK, lw=1.2, alpha=0.6, zorder=4)
        self.now_points = [ax.plot([], [], "o", ms=6, color=GATE_COLORS[name], mec="white", mew=0.8,
                                   zorder=5)[0] for name in self.unit_lines]

    def _show_unit(self, unit):
        """Static parts that depend on the unit: markers, line plot, titles."""
        self.unit = self.diagram.unit = unit
        for mark in self.marks.values():
            mark.set_ydata([unit])
        t_axis = np.arange(self.T)
        lo, hi = -1.0, 1.0
        for name, line in self.unit_lines.items():
            series = getattr(self.trace, name)[:, unit]
            line.set_data(t_axis, series)
            lo, hi = min(lo, float(series.min())), max(hi, float(series.max()))
        pad = 0.12 * (hi - lo)
        self.unit_ax.set_ylim(lo - 0.3 * pad, hi + 2.2 * pad)   # headroom for the legend
        self.unit_title.set_text(f"unit {unit + 1} (▸) over time")
        self.diagram_title.set_text(f"the cell at step t, unit {unit + 1} (▸): line width ∝ |value|")

    def states_before(self, t):
        """(c_{t-1}, h_{t-1}) of step t: the initial states at t = 0."""
        if t == 0:
            return self.c0, self.h0
        return self.trace.c[t - 1], self.trace.h[t - 1]

    def update(self, t, unit):
        full = unit != self.unit
        if full:
            self._show_unit(unit)
        for name in ROWS:
            self.frames[name].set_x(t - 0.5)
        c_prev, h_prev = self.states_before(t)
        self.diagram.update(_step_at(self.trace, t), c_prev, h_prev, self.xs[t])
        self.now_line.set_xdata([t, t])
        for name, point in zip(self.unit_lines, self.now_points):
            point.set_data([t], [getattr(self.trace, name)[t, self.unit]])
        self.step_readout.set(t)
        return full


def _time_ticks(ax, T):
    """A tick on every step for short sequences, integer ticks a readable distance apart beyond."""
    if T <= 24:
        ax.set_xticks(range(T))
    else:
        from matplotlib.ticker import MaxNLocator
        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))


def _left_of(ax):
    """x in axes coordinates shifted 5 points left, y in data: the spot for the unit marker."""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory
    shift = ScaledTranslation(-5 / 72, 0, ax.figure.dpi_scale_trans)
    return blended_transform_factory(ax.transAxes, ax.transData) + shift


# ----- the panel -------------------------------------------------------------------------------
class SequencePanel(LivePanel):
    """Time slider + live figure for one sequence.

    Attributes: params, xs (T, X), trace (the lstm_forward Trace drawn), sliders ({"t", "unit"}),
    main_slider (the time slider), image (ipywidgets.Image), status (Label), widget (the VBox to
    display), figure (matplotlib Figure), view (SequenceFigure), png (latest PNG bytes), updates.
    """

    def __init__(self, params, xs, h0=None, c0=None, t=0, unit=0, figsize=FIGSIZE, dpi=DPI):
        import ipywidgets as widgets
        from matplotlib.figure import Figure
        xs, h0, c0 = _check_sequence(params, xs, h0, c0)
        self.params, self.xs, self.h0, self.c0 = params, xs, h0, c0
        self.trace = lstm_forward(params, xs, h0=h0, c0=c0)
        T, H = self.trace.h.shape
        self.T, self.H = T, H
        self.sliders = {
            "t": widgets.IntSlider(value=0, min=0, max=T - 1, step=1, description=r"\(t\)",
                                   continuous_update=True, style={"description_width": "40px"},
                                   layout=widgets.Layout(width="420px")),
            "unit": widgets.IntSlider(value=1, min=1, max=H, step=1, description="unit",
                                      continuous_update=True, style={"description_width": "40px"},
                                      layout=widgets.Layout(width="220px")),
        }
        self.main_slider = self.sliders["t"]
        self._apply({"t": t, "unit": unit})
        with style_context():
            self.figure = Figure(figsize=figsize, dpi=dpi)
            fast_canvas(self.figure)      # caches text bitmaps: the diagram's numbers repeat
            self.view = SequenceFigure(self.figure, self.trace, xs, h0, c0, unit=self.unit, animated=True)
        self.live = LiveImage(self.figure)
        self.widget = panel_box([widgets.HBox([self.sliders["t"], self.sliders["unit"]])], self.main_slider,
                                self.live)
        self.redraw()
        for s in self.sliders.values():
            s.observe(self._on_change, names="value")

    # ----- state -----------------------------------------------------------------------------
    @property
    def t(self):
        return int(self.sliders["t"].value)

    @property
    def unit(self):
        """The unit the diagram shows, 0-based (the slider shows it 1-based, like the heatmaps)."""
        return int(self.sliders["unit"].value) - 1

    @property
    def step(self):
        """The lstm_core Step shown: step t of the trace."""
        return _step_at(self.trace, self.t)

    def column(self, name):
        """The values in the framed column of heatmap `name` (x, f, i, g, o, c or h), read back
        from the drawn image."""
        if name not in ROWS:
            raise ValueError(f"name: expected one of {ROWS}, got {name!r}")
        return np.asarray(self.view.images[name].get_array())[:, self.t]

    def _apply(self, values):
        """Move the sliders without redrawing.  values: t (0..T-1) and/or unit (0-based)."""
        limits = {"t": (0, self.T - 1), "unit": (0, self.H - 1)}
        for name, v in values.items():
            if name not in self.sliders:
                raise ValueError(f"{name}: expected a slider of the sequence panel ({sorted(self.sliders)}), "
                                 f"got {name!r}")
            lo, hi = limits[name]
            arr = float_array(name, v)
            if arr.ndim or arr != int(arr) or not lo <= int(arr) <= hi:
                what = " (0-based unit index)" if name == "unit" else ""
                raise ValueError(f"{name}: expected an integer in [{lo}, {hi}]{what}, got {v!r}")
            with self._silenced():
                self.sliders[name].value = int(arr) + (1 if name == "unit" else 0)

    def set(self, **values):
        """Set `t` (0..T-1) and/or `unit` (0-based, like numpy indices) and redraw once,
        synchronously.  Returns the new PNG bytes."""
        return super().set(**values)

    # ----- drawing -----------------------------------------------------------------------------
    def redraw(self):
        """Frame step t, refresh the texts and the diagram, blit, encode the PNG, bump the status
        label.  Returns the PNG bytes."""
        return self.live.show(lambda: self.view.update(self.t, self.unit), self.view.artists)

    def static_figure(self, pyplot=True):
        """A fresh, ordinary (non-blitted) figure of the current state, built from scratch, e.g. for
        plt.show() or savefig.  With pyplot=True it is created through pyplot so the inline
        backend shows it."""
        with style_context():
            fig = self._blank_figure(pyplot)
            view = SequenceFigure(fig, self.trace, self.xs, self.h0, self.c0, unit=self.unit)
            view.update(self.t, self.unit)
        return fig

    def __repr__(self):
        return f"SequencePanel(T={self.T}, H={self.H}, t={self.t}, unit={self.unit})"


def make_sequence_panel(params, xs, **options):
    """Build a SequencePanel without displaying anything (tests, benchmarks, figures).
    options: h0=, c0= ((H,) initial states), t= (start step), unit= (0-based), figsize=, dpi=."""
    return SequencePanel(params, xs, **options)


def show_sequence_panel(params, xs, **options):
    """Show the static figure of the panel's starting state (plt.show(), so GitHub and nbviewer
    readers see it), then the live widget; return the SequencePanel.  params: LSTMParams;
    xs: (T, X); options as for make_sequence_panel."""
    panel = make_sequence_panel(params, xs, **options)
    return show_static_then_live(panel, panel.static_figure(pyplot=True))
