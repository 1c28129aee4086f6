"""Interactive panels for the gate notebooks: sliders drive lstm_core, plots follow the slider.

    panel = show_panel("f")      # "f" forget gate, "i" input gate + candidate, "c" cell state,
                                 # "o" output gate + hidden state

Public API
    show_panel(kind, **options) -> Panel   static figure of the default state (plt.show()), then
                                           the live widget; options as make_panel
    make_panel(kind, **options) -> Panel   the same without displaying anything (tests, benchmarks)
        options: initial slider / pin values by name (b_f=0.0, pin_i=True), params= (the fixed
        part of the cell, default toy_params()), figsize=, dpi=
    Panel.sliders      {name: FloatSlider}; names are SLIDERS[kind] (x_t, h_prev, c_prev, W_xf,
                       W_hf, b_f, ...; panel "c": f, i, g, c_prev)
    Panel.checkboxes   {name: Checkbox}, the pins of PINS[kind] (pin_f, pin_i, pin_o, pin_o0)
    Panel.main_slider  the slider with class lstm-main-slider (MAIN_SLIDER[kind])
    Panel.set(**values) -> bytes   set sliders / pins, redraw once, synchronously; returns the PNG
    Panel.values, Panel.pins       current slider values, ticked pin names
    Panel.step         the lstm_core Step shown;  Panel.inputs() -> (step, x_t, h_prev, c_prev)
    Panel.png, Panel.figure, Panel.widget, Panel.image, Panel.status, Panel.updates
    Panel.static_figure(pyplot=True) -> Figure   an ordinary figure of the current state
    toy_params(seed=0), compute(kind, values, pins=()) -> (step, x_t, h_prev, c_prev)

The toy cell (documented so notebooks can explain it): one input (X = 1) and H = 3 hidden units,
the rest of the cell drawn by LSTMParams.random(1, 3, seed=0, forget_bias=1.0).  The sliders set
the studied gate's weights for all units at once,

    W_x = [w_x, w_x, w_x],   W_h = w_h · I,   b = [b − 1, b, b + 1],

and h_{t−1} = h·[1, 1, 1], c_{t−1} = c·[1, 1, 1].  So every unit has the pre-activation
z_k = w_x·x_t + w_h·h + b + (k − 2): three points one unit apart on the activation curve, which
shows how σ squeezes equal steps in z into unequal steps in the gate.  Unit 2 (the middle one)
is the one the diagram and the text read out.  Panel "c" pins f, i, g to the slider values
through lstm_step's overrides, so there every unit is the same.  Weights, biases, x_t and c_{t−1}
range over ±10; h_{t−1} over ±1, since h = o·tanh(c) never leaves (−1, 1).

Contract with the browser tests (BRIEF): the widget is a VBox with class `lstm-panel`, the main
slider has class `lstm-main-slider`, the plot is an ipywidgets.Image with class `lstm-plot`,
and a Label with class `lstm-status` reads "update N" after the N-th drawing (the first drawing,
when the panel is built, is update 1).

Speed: the figure is built once; an update changes artist data, restores the cached background
and draws only the changed artists (Agg blitting) on a text-caching canvas, then encodes the PNG
quickly (lstm_core.render).  benchmarks/slider_latency.py measures it.
"""

import numpy as np

from ._checks import float_array
from .activations import tanh
from .cell import cell_update, lstm_step
from .params import LSTMParams
from .render import LiveImage, LivePanel, fast_canvas, panel_box, show_static_then_live
from .style import GATE_COLORS, INK, fmt, style_context

KINDS = ("f", "i", "c", "o")
KIND_TITLES = {"f": "forget gate", "i": "input gate and candidate", "c": "cell-state update",
               "o": "output gate and hidden state"}
H = 3
SPREAD = np.array([-1.0, 0.0, 1.0])      # per-unit offset added to the studied gate's bias
FOCUS = 1                                # the unit read out in texts and in the diagram
FIGSIZE = (10.0, 6.2)
DPI = 80
SEED = 0


class SliderSpec:
    """One slider: name (the keyword for Panel.set), maths label, range, step, default."""

    def __init__(self, name, label, lo, hi, step, default, decimals=2):
        self.name, self.label, self.lo, self.hi = name, label, lo, hi
        self.step, self.default, self.decimals = step, default, decimals


def _inputs(c=True):
    specs = [SliderSpec("x_t", r"\(x_t\)", -10, 10, 0.1, 0.5, 1),
             SliderSpec("h_prev", r"\(h_{t-1}\)", -1, 1, 0.01, 0.2, 2)]
    if c:
        specs.append(SliderSpec("c_prev", r"\(c_{t-1}\)", -10, 10, 0.1, 1.0, 1))
    return specs


def _gate_weights(g, bias=0.0):
    return [SliderSpec(f"W_x{g}", rf"\(W_{{x{g}}}\)", -10, 10, 0.1, 1.0, 1),
            SliderSpec(f"W_h{g}", rf"\(W_{{h{g}}}\)", -10, 10, 0.1, 1.0, 1),
            SliderSpec(f"b_{g}", rf"\(b_{g}\)", -10, 10, 0.1, bias, 1)]


SLIDERS = {
    "f": _inputs() + _gate_weights("f", 1.0),
    "i": _inputs() + _gate_weights("i") + _gate_weights("g"),
    "c": [SliderSpec("f", r"\(f_t\)", 0, 1, 0.01, 0.9, 2),
          SliderSpec("i", r"\(i_t\)", 0, 1, 0.01, 0.5, 2),
          SliderSpec("g", r"\(g_t\)", -1, 1, 0.01, 0.8, 2),
          SliderSpec("c_prev", r"\(c_{t-1}\)", -10, 10, 0.1, 1.0, 1)],
    "o": _inputs() + _gate_weights("o"),
}
MAIN_SLIDER = {"f": "b_f", "i": "b_i", "c": "f", "o": "b_o"}
# checkbox name -> (label, overrides it adds)
PINS = {
    "f": {"pin_f": ("pin f = 1 (keep everything)", {"f": 1.0}),
          "pin_i": ("pin i = 0 (write nothing)", {"i": 0.0})},
    "i": {"pin_i": ("pin i = 0 (write nothing)", {"i": 0.0}),
          "pin_f": ("pin f = 1 (keep everything)", {"f": 1.0})},
    "c": {},
    "o": {"pin_o": ("pin o = 1 (expose everything)", {"o": 1.0}),
          "pin_o0": ("pin o = 0 (expose nothing)", {"o": 0.0})},
}
# the fixed inputs of panel "c" (its gates are pinned, only o still reads them)
C_PANEL_INPUTS = {"x_t": 0.5, "h_prev": 0.2}


def toy_params(seed=SEED):
    """The fixed part of every panel's cell: LSTMParams.random(1, 3, seed, forget_bias=1.0)."""
    return LSTMParams.random(1, H, seed=seed, forget_bias=1.0)


def compute(kind, values, pins=(), base=None):
    """The lstm_core Step a panel shows.  values: {slider name: value}; pins: checkbox names that
    are ticked.  Returns (step, x_t (1,), h_prev (H,), c_prev (H,))."""
    _check_kind(kind)
    base = toy_params() if base is None else base
    overrides = {}
    for name in pins:
        overrides.update(PINS[kind][name][1])
    if kind == "c":
        x_t = np.array([C_PANEL_INPUTS["x_t"]])
        h_prev = np.full(H, C_PANEL_INPUTS["h_prev"])
        overrides.update(f=values["f"], i=values["i"], g=values["g"])
    else:
        x_t = np.array([values["x_t"]])
        h_prev = np.full(H, values["h_prev"])
        for g in ("ig" if kind == "i" else kind):
            base = base.with_gate(g, W_x=np.full((1, H), values[f"W_x{g}"]),
                                  W_h=values[f"W_h{g}"] * np.eye(H), b=values[f"b_{g}"] + SPREAD)
    c_prev = np.full(H, values["c_prev"])
    step = lstm_step(base, x_t, h_prev, c_prev, overrides=overrides or None)
    return step, x_t, h_prev, c_prev


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS} (f forget, i input, c cell, o output), got {kind!r}")


# ----- the figure ------------------------------------------------------------------------------
class PanelFigure:
    """The plots of one panel on a matplotlib Figure: three plots on top, the cell diagram below.

    update(step, x_t, h_prev, c_prev, pins) refreshes every plot and returns True when an axis
    changed its limits (then the caller must redraw fully instead of blitting)."""

    def __init__(self, fig, kind, animated=False):
        from matplotlib.gridspec import GridSpec

        from .diagram import CellDiagram
        from .plots import ActivationCurve, CellSequencePlot, GateBars, MemoryPlot
        _check_kind(kind)
        self.fig, self.kind = fig, kind
        # the memory plot of "f" keeps its readouts in a right margin
        top = GridSpec(1, 3, figure=fig, left=0.065, right=0.87 if kind == "f" else 0.985, top=0.89,
                       bottom=0.56, wspace=0.36)
        a1, a2, a3 = (fig.add_subplot(top[0, k]) for k in range(3))
        ad = fig.add_subplot(GridSpec(1, 1, figure=fig, left=0.0, right=1.0, top=0.445, bottom=0.0)[0, 0])
        C = GATE_COLORS
        if kind == "f":
            self.curve = ActivationCurve(a1, "sigmoid", "f", focus=FOCUS)
            self.bars = GateBars(a2, [("$f_t$", C["f"])], H, ylim=(0, 1), title="forget gate $f_t$ per unit")
            self.extra = MemoryPlot(a3, H, focus=FOCUS)
            highlight = "f"
        elif kind == "i":
            self.curve = ActivationCurve(a1, "sigmoid", "i", focus=FOCUS)
            self.extra = ActivationCurve(a2, "tanh", "g", focus=FOCUS)
            self.bars = GateBars(a3, [("$i$", C["i"]), ("$g$", C["g"]), (r"$i g$", C["c"])], H,
                                 ylim=(-1, 1), title=r"written to the cell: $i_t \odot g_t$", decimals=2)
            highlight = "i"
        elif kind == "c":
            self.bars = GateBars(a1, [("$c_{t-1}$", "#888888"), ("keep", C["f"]), ("write", C["i"]),
                                      ("$c_t$", C["c"])], 1, units=["every unit (f, i, g pinned)"],
                                 decimals=2, title=r"$c_t = f\,c_{t-1}$ (keep) + $i\,g$ (write)")
            self.extra = CellSequencePlot(a2)
            self.curve = ActivationCurve(a3, "tanh", "c", focus=FOCUS, zname="c_t", aname=r"\tanh\,c_t",
                                         title=r"$\tanh$ squashes $c_t$ into $(-1, 1)$")
            highlight = "c"
        else:
            self.curve = ActivationCurve(a1, "sigmoid", "o", focus=FOCUS)
            self.extra = ActivationCurve(a2, "tanh", "c", focus=FOCUS, zname="c_t", aname=r"\tanh\,c_t",
                                         title=r"$\tanh$ squashes $c_t$ into $(-1, 1)$")
            self.bars = GateBars(a3, [("$o$", C["o"]), ("tanh", C["c"]), ("$h$", C["h"])], H,
                                 ylim=(-1, 1), title=r"exposed: $h_t = o_t \odot \tanh c_t$", decimals=2)
            highlight = "o"
        self.diagram = CellDiagram(ad, highlight=highlight, unit=FOCUS)
        self.suptitle = fig.suptitle("", x=0.01, y=0.995, ha="left", fontsize=11, color=INK)
        self.parts = [self.curve, self.bars, self.extra, self.diagram]
        self.artists = [a for part in self.parts for a in part.artists]
        if animated:
            for a in self.artists:
                a.set_animated(True)

    def update(self, step, x_t, h_prev, c_prev, pins=()):
        k = self.kind
        pinned = {g for name in pins for g in PINS[k][name][1]}
        full = False
        if k == "f":
            full |= self.curve.update(step.z_f, step.f, "f" in pinned)
            full |= self.bars.update([step.f])
            full |= self.extra.update(step.f)
        elif k == "i":
            full |= self.curve.update(step.z_i, step.i, "i" in pinned)
            full |= self.extra.update(step.z_g, step.g)
            full |= self.bars.update([step.i, step.g, cell_update(0.0, c_prev, step.i, step.g)])
        elif k == "c":
            u = FOCUS
            keep = cell_update(step.f, c_prev, 0.0, 0.0)
            write = cell_update(0.0, c_prev, step.i, step.g)
            full |= self.bars.update([c_prev[u:u + 1], keep[u:u + 1], write[u:u + 1], step.c[u:u + 1]])
            full |= self.extra.update(step.f[u], step.i[u], step.g[u], c_prev[u])
            full |= self.curve.update(step.c, tanh(step.c))
        else:
            full |= self.curve.update(step.z_o, step.o, "o" in pinned)
            full |= self.extra.update(step.c, tanh(step.c))
            full |= self.bars.update([step.o, tanh(step.c), step.h])
        self.diagram.update(step, c_prev, h_prev, x_t)
        pin_text = ", ".join(PINS[k][name][0].split(" (")[0] for name in pins)
        title = (f"{KIND_TITLES[k].capitalize()}: toy cell X = 1, H = 3"
                 + (f"   [pinned: {pin_text.replace('pin ', '')}]" if pin_text else ""))
        if title != self.suptitle.get_text():    # static text: changes only with a pin, redraw all
            self.suptitle.set_text(title)
            full = True
        return full


# ----- the panel -----------------------------------------------------------------------------
class Panel(LivePanel):
    """Sliders + live figure for one gate.  See the module docstring for the toy cell.

    Attributes: kind, sliders (name -> FloatSlider), checkboxes (name -> Checkbox), main_slider,
    image (ipywidgets.Image), status (Label), widget (the VBox to display), figure (matplotlib
    Figure), step (the lstm_core Step shown), png (latest PNG bytes), updates (drawings so far).
    """

    def __init__(self, kind, params=None, figsize=FIGSIZE, dpi=DPI, **values):
        import ipywidgets as widgets
        from matplotlib.figure import Figure
        _check_kind(kind)
        self.kind = kind
        self.base = toy_params() if params is None else params
        if not isinstance(self.base, LSTMParams) or (self.base.input_size, self.base.hidden_size) != (1, H):
            got = (f"X={self.base.input_size}, H={self.base.hidden_size}" if isinstance(self.base, LSTMParams)
                   else type(self.base).__name__)
            raise ValueError(f"params: expected LSTMParams with X=1, H={H} (the toy cell), got {got}")
        specs = {s.name: s for s in SLIDERS[kind]}
        self._specs = specs
        unknown = set(values) - set(specs) - set(PINS[kind])
        if unknown:
            raise ValueError(f"values: expected slider or pin names among {sorted(specs) + sorted(PINS[kind])} "
                             f"for panel {kind!r}, got {sorted(unknown)}")
        self.sliders = {}
        for s in specs.values():
            self.sliders[s.name] = widgets.FloatSlider(
                value=s.default, min=s.lo, max=s.hi, step=s.step, description=s.label,
                readout_format=".2f", continuous_update=True,
                style={"description_width": "55px"}, layout=widgets.Layout(width="275px"))
        self.checkboxes = {name: widgets.Checkbox(value=False, description=label, indent=False,
                                                  layout=widgets.Layout(width="265px", margin="0 0 0 10px"))
                           for name, (label, _) in PINS[kind].items()}
        self.main_slider = self.sliders[MAIN_SLIDER[kind]]
        # one column per group: the inputs with the pins under them, then each gate's weights
        inputs = [self.sliders[n] for n in self.sliders if not n.startswith(("W_", "b_"))]
        columns = [widgets.VBox(inputs + list(self.checkboxes.values()))]
        columns += [widgets.VBox([self.sliders[f"W_x{g}"], self.sliders[f"W_h{g}"], self.sliders[f"b_{g}"]])
                    for g in "figo" if f"b_{g}" in self.sliders]
        controls = widgets.HBox(columns, layout=widgets.Layout(flex_flow="row wrap"))

        with style_context():
            self.figure = Figure(figsize=figsize, dpi=dpi)
            fast_canvas(self.figure)
            self._view = PanelFigure(self.figure, kind, animated=True)
        self.live = LiveImage(self.figure)
        self.widget = panel_box([controls], self.main_slider, self.live)
        self.step = None
        self._apply(values)
        self.redraw()
        for w in list(self.sliders.values()) + list(self.checkboxes.values()):
            w.observe(self._on_change, names="value")

    # ----- state -----------------------------------------------------------------------------
    @property
    def values(self):
        """{slider name: value} as the sliders show them."""
        return {n: float(s.value) for n, s in self.sliders.items()}

    @property
    def pins(self):
        """Names of the ticked pin checkboxes, e.g. ('pin_f',)."""
        return tuple(n for n, c in self.checkboxes.items() if c.value)

    def inputs(self):
        """(step, x_t, h_prev, c_prev) for the current slider values, from lstm_core."""
        return compute(self.kind, self.values, self.pins, self.base)

    def _apply(self, values):
        for name, v in values.items():
            if name in self.checkboxes:
                if not isinstance(v, (bool, np.bool_)):
                    raise ValueError(f"{name}: expected True or False, got {v!r}")
                with self._silenced():
                    self.checkboxes[name].value = bool(v)
                if v:
                    self._exclusive(name)
                continue
            if name not in self.sliders:
                raise ValueError(f"{name}: expected a slider or pin of panel {self.kind!r} "
                                 f"({sorted(self.sliders) + sorted(self.checkboxes)}), got {name!r}")
            s = self._specs[name]
            v = float(float_array(name, v))
            if not s.lo <= v <= s.hi:
                raise ValueError(f"{name}: expected a value in [{s.lo}, {s.hi}], got {v}")
            with self._silenced():
                self.sliders[name].value = v

    def set(self, **values):
        """Set sliders / pins by name (e.g. set(b_f=2.0, pin_i=True)) and redraw once, synchronously.
        Returns the new PNG bytes."""
        return super().set(**values)

    def _exclusive(self, name):
        """Untick the other pins of the same gate ("o = 1" and "o = 0" cannot both hold)."""
        gates = set(PINS[self.kind][name][1])
        for other, box in self.checkboxes.items():
            if other != name and box.value and gates & set(PINS[self.kind][other][1]):
                with self._silenced():
                    box.value = False

    def _on_change(self, change):
        if self._quiet:
            return
        if change["owner"] in self.sliders.values() and abs(change["new"] - change["old"]) < 1e-9:
            return     # the browser echoing a value it rounded to the step (0.2 -> 0.19999999999999996)
        for name, box in self.checkboxes.items():
            if change["owner"] is box and change["new"]:
                self._exclusive(name)
        self.redraw()

    # ----- drawing -----------------------------------------------------------------------------
    def redraw(self):
        """Recompute the step with lstm_core, refresh the artists, blit, encode the PNG, bump the
        status label.  Returns the PNG bytes."""
        step, x_t, h_prev, c_prev = self.inputs()
        self.step = step
        return self.live.show(lambda: self._view.update(step, x_t, h_prev, c_prev, self.pins),
                              self._view.artists)

    def static_figure(self, pyplot=True):
        """A fresh, ordinary (non-blitted) figure of the current state, e.g. for plt.show() or
        savefig.  With pyplot=True it is created through pyplot so the inline backend shows it."""
        with style_context():
            fig = self._blank_figure(pyplot)
            view = PanelFigure(fig, self.kind)
            step, x_t, h_prev, c_prev = self.inputs()
            view.update(step, x_t, h_prev, c_prev, self.pins)
        return fig

    def __repr__(self):
        vals = ", ".join(f"{n}={fmt(v, self._specs[n].decimals)}" for n, v in self.values.items())
        return f"Panel({self.kind!r}, {vals})"


def make_panel(kind, **options):
    """Build a Panel without displaying anything (tests, benchmarks).  options: initial slider and
    pin values by name (e.g. b_f=0.0, pin_i=True), params= (the fixed part of the cell),
    figsize=, dpi=."""
    return Panel(kind, **options)


def show_panel(kind, **options):
    """Show the static figure of the panel's default state (plt.show(), so GitHub and nbviewer
    readers see it), then the live widget; return the Panel.  kind: "f", "i", "c" or "o".
    options as for make_panel."""
    panel = make_panel(kind, **options)
    return show_static_then_live(panel, panel.static_figure(pyplot=True))
