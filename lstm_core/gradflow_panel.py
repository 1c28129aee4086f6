"""The gradient-flow panel of notebook 00: how far back the gradient reaches, tanh RNN against LSTM.

    fig = flow_figure(compare_flow(0.9, 3.0)); plt.show()    # the static default, for GitHub readers
    panel = GradFlowPanel(); display(panel.widget)            # the live sliders

Two sliders: ρ(W_hh), the spectral radius of the RNN's recurrent matrix (the main slider), and b_f,
the LSTM's forget-gate bias (one value for every unit).  Everything drawn comes from
lstm_core.gradflow.compare_flow: this module only draws.

Contract with the browser tests (BRIEF): a VBox with class `lstm-panel`, the main slider with class
`lstm-main-slider`, an ipywidgets.Image with class `lstm-plot`, and a Label with class `lstm-status`
that reads "update N" after the N-th drawing.  The figure is built once; an update sets line data
and blits the changed artists over a cached background (axis limits are fixed), then encodes a PNG.
"""
import numpy as np

from .gradflow import compare_flow, flow_setup
from .render import LiveImage, LivePanel, panel_box
from .style import GATE_COLORS, INK, MUTED, fmt, style_context

RHO = dict(lo=0.05, hi=2.5, step=0.05, default=0.9)
B_F = dict(lo=-4.0, hi=8.0, step=0.1, default=3.0)
YLIM = (1e-12, 1e6)
FLOOR = 1e-300          # a norm that reached exactly 0 is drawn at the floor (off the axis), never as log(0)
FIGSIZE = (8.6, 5.2)
DPI = 80


class FlowFigure:
    """The plot: ‖∂L/∂h_{T−k}‖ (RNN), Pascanu's bound, ‖∂L/∂c_{T−k}‖ (LSTM) and the Π f path, log y."""

    def __init__(self, fig, animated=False):
        ax = fig.add_subplot(1, 1, 1)
        fig.subplots_adjust(left=0.09, right=0.98, top=0.87, bottom=0.25)
        self.ax = ax
        C = GATE_COLORS
        lag = np.arange(2)
        self.rnn, = ax.plot(lag, lag + 1.0, color=C["h"], lw=2.2,
                            label=r"RNN  $\|\partial L/\partial h_{T-k}\|$")
        self.bound, = ax.plot(lag, lag + 1.0, color=C["h"], lw=1.2, ls="--",
                              label=r"Pascanu bound  $\sigma_{\max}^k\,\|\partial L/\partial h_T\|$")
        self.lstm, = ax.plot(lag, lag + 1.0, color=C["c"], lw=2.2,
                             label=r"LSTM  $\|\partial L/\partial c_{T-k}\|$")
        self.path, = ax.plot(lag, lag + 1.0, color=C["f"], lw=1.2, ls="--",
                             label=r"cell path alone  $\|\partial L/\partial c_T \odot \Pi f\|$")
        ax.set_yscale("log")
        ax.set_ylim(*YLIM)
        ax.set_xlabel("lag $k$ (steps back from the last step $T$)")
        ax.set_ylabel("gradient norm (log scale)")
        ax.axhline(1.0, color=MUTED, lw=0.8, zorder=0)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
        self.title = fig.suptitle("", x=0.01, ha="left", fontsize=10.5, color=INK)
        self.artists = [self.rnn, self.bound, self.lstm, self.path, self.title]
        if animated:
            for a in self.artists:
                a.set_animated(True)

    def update(self, flow):
        k = flow.lag
        for line, y in ((self.rnn, flow.rnn), (self.bound, flow.bound), (self.lstm, flow.lstm),
                        (self.path, flow.cell_path)):
            line.set_data(k, np.maximum(y, FLOOR))
        self.ax.set_xlim(0, k[-1])
        self.title.set_text(
            rf"RNN: $\rho(W_{{hh}})$ = {fmt(flow.rho, 2)}, $\sigma_{{\max}}$ = {fmt(flow.sigma_max, 2)}, "
            f"measured factor per step = {fmt(flow.rnn_rate, 3)}\n"
            f"LSTM: mean $f$ = {fmt(flow.f_mean, 4)}.   $T$ = {k.size} steps, the loss reads the last step only")


def flow_figure(flow, figsize=FIGSIZE, dpi=100):
    """A plain pyplot figure of one FlowComparison (for plt.show() in a notebook or savefig)."""
    import matplotlib.pyplot as plt
    with style_context():
        fig = plt.figure(figsize=figsize, dpi=dpi)
        FlowFigure(fig).update(flow)
    return fig


class GradFlowPanel(LivePanel):
    """Sliders + live figure.  Attributes: sliders {"rho", "b_f"}, main_slider, image, status,
    widget (the VBox to display), figure, flow (the FlowComparison shown), png, updates."""

    def __init__(self, rho=RHO["default"], b_f=B_F["default"], setup=None, figsize=FIGSIZE, dpi=DPI):
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        self.setup = flow_setup() if setup is None else setup
        common = dict(continuous_update=True, style={"description_width": "150px"},
                      layout=widgets.Layout(width="460px"))
        self.sliders = {
            "rho": widgets.FloatSlider(value=RHO["default"], min=RHO["lo"], max=RHO["hi"], step=RHO["step"],
                                       description=r"RNN \(\rho(W_{hh})\)", readout_format=".2f", **common),
            "b_f": widgets.FloatSlider(value=B_F["default"], min=B_F["lo"], max=B_F["hi"], step=B_F["step"],
                                       description=r"LSTM \(b_f\)", readout_format=".1f", **common),
        }
        self.main_slider = self.sliders["rho"]
        with style_context():
            self.figure = Figure(figsize=figsize, dpi=dpi)
            FigureCanvasAgg(self.figure)
            self._view = FlowFigure(self.figure, animated=True)
        self.live = LiveImage(self.figure)
        self.widget = panel_box([widgets.VBox(list(self.sliders.values()))], self.main_slider, self.live)
        self.flow = None
        self.set(rho=rho, b_f=b_f)
        for s in self.sliders.values():
            s.observe(self._on_change, names="value")

    @property
    def values(self):
        return {n: float(s.value) for n, s in self.sliders.items()}

    def set(self, **values):
        """Set sliders by name (rho=, b_f=) and redraw once, synchronously.  Returns the PNG bytes."""
        return super().set(**values)

    def _apply(self, values):
        limits = {"rho": RHO, "b_f": B_F}
        for name, v in values.items():
            if name not in self.sliders:
                raise ValueError(f"{name}: expected a slider among {sorted(self.sliders)}, got {name!r}")
            v = float(v)
            lim = limits[name]
            if not lim["lo"] <= v <= lim["hi"]:
                raise ValueError(f"{name}: expected a value in [{lim['lo']}, {lim['hi']}], got {v}")
            with self._silenced():
                self.sliders[name].value = v

    def redraw(self):
        """Ask lstm_core for the gradients, move the lines, blit, encode the PNG, bump the status."""
        v = self.values
        self.flow = compare_flow(v["rho"], v["b_f"], self.setup)
        return self.live.show(lambda: self._view.update(self.flow), self._view.artists)


def rate_figure(rhos, rates, sigmas, figsize=(8.6, 3.6), dpi=DPI):
    """The measured factor per step against ρ(W_hh), with Pascanu's ceiling σ_max and the line 1.

    rhos, rates, sigmas: equal-length sequences (from compare_flow over a grid of ρ, increasing).
    The shaded band is where σ_max < 1, the region in which Pascanu's bound alone forces vanishing.
    """
    rhos, rates, sigmas = (np.asarray(a, dtype=float) for a in (rhos, rates, sigmas))
    import matplotlib.pyplot as plt
    with style_context():
        fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
        C = GATE_COLORS
        ax.plot(rhos, rates, "o-", color=C["h"], ms=3.5, lw=1.8, label="RNN: measured factor per step")
        ax.plot(rhos, sigmas, "--", color=C["h"], lw=1.2, label=r"Pascanu ceiling $\sigma_{\max}(W_{hh})$")
        ax.plot(rhos, rhos, ":", color=INK, lw=1.0, label=r"$\rho(W_{hh})$")
        ax.set_xlim(0, rhos[-1] + 0.05)
        ax.axhline(1.0, color=INK, lw=0.9, label="1: below it the gradient vanishes")
        if sigmas[0] < 1:
            edge = float(np.interp(1.0, sigmas, rhos)) if sigmas[-1] > 1 else float(rhos[-1])
            ax.axvspan(0, edge, color=MUTED, alpha=0.35, lw=0,
                       label=r"$\sigma_{\max} < 1$: vanishing guaranteed")
        ax.set_xlabel(r"spectral radius $\rho(W_{hh})$")
        ax.set_ylabel("factor per step back")
        ax.set_ylim(0, max(1.6, float(np.max(rates)) * 1.1))
        ax.legend(loc="lower right", frameon=True, framealpha=0.9)
        fig.tight_layout()
    return fig
