"""Plots and the slider panel of notebook 06: what a trained LSTM's gates do, step by step.

    panel = show_trained_panel(model, xs, y, task="adding")    # xs: (T, n, 2), y: (n,) or (T, n)

Rows, all over time for the example chosen with the `example` slider:
    1. the inputs: the values as bars, the marked (adding) or reset (reset task) steps shaded;
    2. the input gate i_t of every unit (heatmap), 3. the forget gate f_t (heatmap);
    4. the memory unit (the one whose c tracks the target, lstm_core.train.memory_unit): its
       i_t, f_t and c_t, with the target and the prediction.
The time slider `t` (class lstm-main-slider) moves a cursor and the readout of that step's values.

Nothing is recomputed here: one lstm_core.train.forward runs when the panel is built, and the
plots read its trace.  Moving `t` blits only the cursors and the readout over a cached background
(Agg), like lstm_core.panel; a new example redraws the figure.

Contract with the browser tests (BRIEF): a VBox with class `lstm-panel`, the time slider with
class `lstm-main-slider`, an ipywidgets.Image with class `lstm-plot`, and a Label with class
`lstm-status` reading "update N" after the N-th drawing.

Also here: a progress bar for lstm_core.train.train (ipywidgets only), the saturation histograms
(Karpathy et al. 2015) and the cell-norm plot of the reset task.
"""

import numpy as np

from .render import LiveImage, LivePanel, panel_box, show_static_then_live
from .style import GATE_COLORS, INK, fmt, style_context
from .train import forward, memory_unit

TASKS = {"adding": "marked step", "reset": "reset step"}
FIGSIZE = (10.0, 7.0)
DPI = 80
MAX_EXAMPLES = 200      # the slider browses the first examples of the set given


# ----- progress bar -------------------------------------------------------------------------
class TrainingProgress:
    """An ipywidgets progress bar with a loss readout, for train(callback=...).

        bar = TrainingProgress(steps, "LSTM"); display(bar.widget)
        train(..., callback=bar)
    """

    def __init__(self, total, description="training"):
        import ipywidgets as widgets
        self.bar = widgets.IntProgress(value=0, min=0, max=int(total), description=description,
                                       style={"description_width": "90px"},
                                       layout=widgets.Layout(width="420px"))
        self.label = widgets.Label("step 0")
        self.widget = widgets.HBox([self.bar, self.label])

    def __call__(self, step, loss, score):
        self.bar.value = min(int(step), self.bar.max)
        text = f"step {step}/{self.bar.max}   loss {fmt(loss, 4)}"
        if score is not None:
            text += f"   test solve rate {fmt(score, 3)}"
        self.label.value = text

    def finish(self, result):
        """Show the end state: the bar full at the step training stopped, and the time taken."""
        self.bar.max = max(result.steps, 1)
        self.bar.value = result.steps
        self.label.value += f"   done in {result.seconds:.1f} s"


# ----- the gate-trace figure ----------------------------------------------------------------
class TraceFigure:
    """The four rows described in the module docstring, for one example of a batched trace.

    update(example, t) returns True when the whole figure must be redrawn (a new example) and
    False when only the animated artists (cursors, readout) changed.
    """

    def __init__(self, fig, task, xs, y, pred, trace, unit, example=0, t=0, animated=False):
        from matplotlib.gridspec import GridSpec
        self.fig, self.task, self.xs, self.y, self.pred = fig, task, xs, y, pred
        self.unit = unit
        self.i, self.f, self.c = trace.i, trace.f, trace.c        # (T, n, H)
        T, n, H = self.i.shape
        self.T = T
        steps = np.arange(T)
        gs = GridSpec(4, 1, figure=fig, height_ratios=[0.8, 1.0, 1.0, 1.4], left=0.08, right=0.74,
                      top=0.92, bottom=0.07, hspace=0.45)
        axes = [fig.add_subplot(gs[k]) for k in range(4)]
        for ax in axes[1:]:
            ax.sharex(axes[0])
        self.axes = axes
        ax0, ax_i, ax_f, ax_u = axes
        self.bars = ax0.bar(steps, np.zeros(T), width=0.8, color=GATE_COLORS["x"])
        ax0.set_ylim(0, 1.05)
        ax0.set_ylabel("value")
        ax0.set_title("inputs: the value at each step; ▼ and orange: " + TASKS[task] + "s", loc="left", fontsize=10)
        self.flag_marks = ax0.scatter([], [], marker="v", s=40, color=GATE_COLORS["c"], zorder=3)
        extent = (-0.5, T - 0.5, H + 0.5, 0.5)
        self.im_i = ax_i.imshow(np.zeros((H, T)), aspect="auto", interpolation="nearest", vmin=0, vmax=1,
                                cmap=_cmap("i"), extent=extent)
        self.im_f = ax_f.imshow(np.zeros((H, T)), aspect="auto", interpolation="nearest", vmin=0, vmax=1,
                                cmap=_cmap("f"), extent=extent)
        for ax, g, im in ((ax_i, "i", self.im_i), (ax_f, "f", self.im_f)):
            ax.grid(False)
            ax.set_ylabel("unit")
            ticks = sorted({1, unit + 1, H})
            ax.set_yticks(ticks, [f"▸{k}" if k == unit + 1 else str(k) for k in ticks])
            ax.set_title(("input gate $i_t$" if g == "i" else "forget gate $f_t$")
                         + f", every unit (▸ unit {unit + 1}: the memory unit)", loc="left",
                         fontsize=10, color=GATE_COLORS[g])
            cb = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.01)
            cb.set_ticks([0, 0.5, 1])
        self.line_i, = ax_u.plot(steps, np.zeros(T), color=GATE_COLORS["i"], label="$i_t$")
        self.line_f, = ax_u.plot(steps, np.zeros(T), color=GATE_COLORS["f"], label="$f_t$")
        self.line_c, = ax_u.plot(steps, np.zeros(T), color=GATE_COLORS["c"], lw=2, label="$c_t$")
        if task == "reset":
            self.line_y, = ax_u.plot(steps, np.zeros(T), color=INK, ls="--", lw=1, label="target $y_t$")
            self.line_p, = ax_u.plot(steps, np.zeros(T), color=GATE_COLORS["h"], lw=1, label="prediction")
        else:
            self.line_y = ax_u.axhline(0, color=INK, ls="--", lw=1, label="target $y$")
            self.line_p, = ax_u.plot([T - 1], [0], "o", color=GATE_COLORS["h"], label="prediction at $T$")
        ax_u.set_title(f"memory unit {unit + 1}", loc="left", fontsize=10)
        ax_u.set_xlabel("time step $t$")
        ax_u.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8.5)
        ax_u.set_xlim(-0.5, T - 0.5)
        self.suptitle = fig.suptitle("", x=0.08, ha="left", fontsize=11)
        self.cursors = [ax.axvline(0, color=INK, lw=1.2, alpha=0.7, animated=animated) for ax in axes]
        self.readout = fig.text(0.85, 0.92, "", fontsize=9, va="top", family="monospace",
                                animated=animated)
        self.example = None
        self.update(example, t)

    @property
    def artists(self):
        """The artists that change with t (drawn over the cached background when blitting)."""
        return self.cursors + [self.readout]

    def update(self, example, t):
        full = example != self.example
        if full:
            self._show_example(example)
        u, k = self.unit, self.example
        for line in self.cursors:
            line.set_xdata([t, t])
        kind = TASKS[self.task]
        flag = "yes" if self.xs[t, k, 1] > 0 else "no"
        self.readout.set_text(
            f"t = {t}\n{kind}: {flag}\nvalue  {fmt(self.xs[t, k, 0], 3)}\n\nunit {u + 1}:\n"
            f"i_t  {fmt(self.i[t, k, u], 3)}\nf_t  {fmt(self.f[t, k, u], 3)}\nc_t  {fmt(self.c[t, k, u], 3)}")
        return full

    def _show_example(self, k):
        self.example = k
        xs, u = self.xs[:, k], self.unit
        for bar, v in zip(self.bars, xs[:, 0]):
            bar.set_height(v)
        flagged = np.flatnonzero(xs[:, 1] > 0)
        self.flag_marks.set_offsets(np.column_stack([flagged, np.full(len(flagged), 1.0)])
                                    if len(flagged) else np.empty((0, 2)))
        for bar, on in zip(self.bars, xs[:, 1] > 0):
            bar.set_color(GATE_COLORS["c"] if on else GATE_COLORS["x"])
        self.im_i.set_data(self.i[:, k].T)
        self.im_f.set_data(self.f[:, k].T)
        self.line_i.set_ydata(self.i[:, k, u])
        self.line_f.set_ydata(self.f[:, k, u])
        self.line_c.set_ydata(self.c[:, k, u])
        ax_u = self.axes[3]
        if self.task == "reset":
            self.line_y.set_ydata(self.y[:, k])
            self.line_p.set_ydata(self.pred[:, k])
            values = np.concatenate([self.c[:, k, u], self.y[:, k], self.pred[:, k], [0.0, 1.0]])
            err = np.sqrt(np.mean((self.pred[:, k] - self.y[:, k]) ** 2))
            title = f"example {k}: {len(flagged)} resets, RMS error of the predictions {fmt(err, 4)}"
        else:
            self.line_y.set_ydata([self.y[k], self.y[k]])
            self.line_p.set_ydata([self.pred[k]])
            values = np.concatenate([self.c[:, k, u], [self.y[k], self.pred[k], 0.0, 1.0]])
            err = abs(self.pred[k] - self.y[k])
            verdict = "solved" if err < 0.04 else "not solved"
            title = (f"example {k}: target {fmt(self.y[k], 3)}, prediction {fmt(self.pred[k], 3)}, "
                     f"|error| {fmt(err, 3)} ({verdict})")
        lo, hi = float(values.min()), float(values.max())
        pad = 0.08 * (hi - lo)
        ax_u.set_ylim(lo - pad, hi + pad)
        self.suptitle.set_text(title)


def _cmap(g):
    from matplotlib.colors import LinearSegmentedColormap
    return LinearSegmentedColormap.from_list(f"lstm06_{g}", ["#FFFFFF", GATE_COLORS[g]])


# ----- the panel ------------------------------------------------------------------------------
class TrainedPanel(LivePanel):
    """Sliders (example, time step) + live figure of a trained LSTM's gates.

    Attributes: model, xs, y, pred, trace, unit (the memory unit, 0-based), sliders
    ({"example", "t"}), main_slider (time), image, status, widget, figure, view, png, updates.
    """

    def __init__(self, model, xs, y, task="adding", example=0, t=0, unit=None, figsize=FIGSIZE, dpi=DPI):
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        if task not in TASKS:
            raise ValueError(f"task: expected one of {sorted(TASKS)}, got {task!r}")
        if model.kind != "lstm":
            raise ValueError(f"model: expected a trained LSTM (its gates are drawn), got kind {model.kind!r}")
        xs = np.asarray(xs)
        if xs.ndim != 3 or xs.shape[-1] != 2:
            raise ValueError(f"xs: expected shape (T, n, 2), got {xs.shape}")
        n = min(xs.shape[1], MAX_EXAMPLES)
        self.model, self.task = model, task
        self.xs, self.y = xs[:, :n], np.asarray(y)[..., :n]
        self.pred, self.trace = forward(model, self.xs)
        H = model.hidden_size
        if unit is None:
            unit = memory_unit(self.trace, self.y)[0]
        elif isinstance(unit, bool) or int(unit) != unit or not 0 <= unit < H:
            raise ValueError(f"unit: expected None or a 0-based unit index in [0, {H - 1}], got {unit!r}")
        self.unit = int(unit)
        T = xs.shape[0]
        self.T, self.n = T, n
        self.sliders = {
            "example": widgets.IntSlider(value=0, min=0, max=n - 1, description="example",
                                         continuous_update=True, style={"description_width": "60px"},
                                         layout=widgets.Layout(width="300px")),
            "t": widgets.IntSlider(value=0, min=0, max=T - 1, description=r"\(t\)",
                                   continuous_update=True, style={"description_width": "30px"},
                                   layout=widgets.Layout(width="420px")),
        }
        self.main_slider = self.sliders["t"]
        self._apply({"example": example, "t": t})
        with style_context():
            self.figure = Figure(figsize=figsize, dpi=dpi)
            FigureCanvasAgg(self.figure)
            self.view = TraceFigure(self.figure, task, self.xs, self.y, self.pred, self.trace, self.unit,
                                    self.example, self.t, animated=True)
        self.live = LiveImage(self.figure)
        self.widget = panel_box([widgets.HBox([self.sliders["example"], self.sliders["t"]])], self.main_slider,
                                self.live)
        self.redraw(full=True)
        for s in self.sliders.values():
            s.observe(self._on_change, names="value")

    @property
    def example(self):
        return int(self.sliders["example"].value)

    @property
    def t(self):
        return int(self.sliders["t"].value)

    def _apply(self, values):
        limits = {"example": self.n - 1, "t": self.T - 1}
        for name, v in values.items():
            if name not in self.sliders:
                raise ValueError(f"{name}: expected a slider of the panel ({sorted(self.sliders)}), got {name!r}")
            if isinstance(v, bool) or int(v) != v or not 0 <= v <= limits[name]:
                raise ValueError(f"{name}: expected an integer in [0, {limits[name]}], got {v!r}")
            with self._silenced():
                self.sliders[name].value = int(v)

    def set(self, **values):
        """Set `example` and/or `t` and redraw once, synchronously.  Returns the PNG bytes."""
        return super().set(**values)

    def redraw(self, full=False):
        """Refresh the figure for the sliders' example and t, encode the PNG, bump the status."""
        return self.live.show(lambda: self.view.update(self.example, self.t), self.view.artists, full)

    def static_figure(self):
        """An ordinary pyplot figure of the current state (for plt.show())."""
        import matplotlib.pyplot as plt
        with style_context():
            fig = plt.figure(figsize=self.figure.get_size_inches(), dpi=self.figure.dpi)
            TraceFigure(fig, self.task, self.xs, self.y, self.pred, self.trace, self.unit, self.example, self.t)
        return fig


def make_trained_panel(model, xs, y, **options):
    """Build a TrainedPanel without displaying it.  options: task ("adding" or "reset"),
    example=, t=, unit= (0-based; default: lstm_core.train.memory_unit of these examples),
    figsize=, dpi=."""
    return TrainedPanel(model, xs, y, **options)


def show_trained_panel(model, xs, y, **options):
    """Show the static figure of the starting state (plt.show()), then the live widget; return
    the TrainedPanel."""
    panel = make_trained_panel(model, xs, y, **options)
    return show_static_then_live(panel, panel.static_figure())


# ----- static figures ----------------------------------------------------------------------------
def plot_saturation(saturations, low=0.1, high=0.9):
    """Histograms of gate saturation, one column per gate f, i, o (Karpathy et al. 2015).

    saturations: {label: lstm_core.train.gate_saturation(trace)}, e.g. one per trained network.
    Top row: fraction of the time each unit's gate is > high ("open"); bottom row: < low ("shut").
    Returns the pyplot figure.
    """
    import matplotlib.pyplot as plt
    bins = np.linspace(0, 1, 11)
    labels = list(saturations)
    with style_context():
        fig, axes = plt.subplots(2, 3, figsize=(10, 5.2), sharex=True, sharey=True)
        for col, g in enumerate(("f", "i", "o")):
            for row, (which, bound) in enumerate(((1, f"> {high:g}"), (0, f"< {low:g}"))):
                ax = axes[row, col]
                data = [saturations[label][g][which] for label in labels]
                _, _, groups = ax.hist(data, bins=bins, color=[GATE_COLORS[g], "#FFFFFF"][:len(data)],
                                       edgecolor=GATE_COLORS[g], linewidth=0.8, label=labels)
                for patch in (groups[1] if len(data) > 1 else []):
                    patch.set_hatch("///")
                ax.set_title(f"${g}_t$ {bound}", color=GATE_COLORS[g], fontsize=10)
                if row == 1:
                    ax.set_xlabel("fraction of time")
                if col == 0:
                    ax.set_ylabel("units")
        axes[0, 2].legend(loc="upper right", frameon=False)
        fig.suptitle(f"gate saturation: how often each unit's gate is open (> {high:g}) or shut (< {low:g})",
                     x=0.02, ha="left", fontsize=11)
        fig.tight_layout()
    return fig


def plot_cell_norms(traces, train_length=None):
    """Mean ‖c_t‖ over the batch against t, one line per {label: trace} (at most two), log y axis.
    train_length: draw a dotted line at the length of the training streams."""
    import matplotlib.pyplot as plt
    colors = [GATE_COLORS["c"], INK]
    with style_context():
        fig, ax = plt.subplots(figsize=(9, 3.6))
        for (label, trace), color in zip(traces.items(), colors):
            norms = np.linalg.norm(trace.c, axis=-1).mean(axis=1)
            ax.plot(np.arange(1, len(norms) + 1), norms, color=color, lw=2, label=label)
        if train_length is not None:
            ax.axvline(train_length, color=INK, ls=":", lw=1)
            ax.annotate("length of the training streams", (train_length, 1.0), xytext=(4, -4),
                        textcoords="offset points", xycoords=("data", "axes fraction"), va="top",
                        fontsize=9, color=INK)
        ax.set_yscale("log")
        ax.set_xlabel("time step $t$")
        ax.set_ylabel(r"mean $\|c_t\|$")
        ax.set_title("cell-state norm on long reset-task streams", loc="left")
        ax.legend(frameon=False)
        fig.tight_layout()
    return fig
