"""The standard LSTM cell picture, drawn with matplotlib patches and annotated with live numbers.

    c_{t-1} ──×───────+────────────┬──────── c_t            cell-state line (top)
              │ f     │ i⊙g        tanh
              │    ┌──×──┐          │
             [σ]  [σ]  [tanh]  [σ]──×──┐                    the four gates f, i, g, o
              │    │     │      │      │
    h_{t-1} ──┴────┴─────┴──────┘      └── h_t             hidden-state line (bottom)
       x_t ──┘

Build once with CellDiagram(ax, highlight="f"), then call update(step, c_prev, h_prev, x_t):
only texts and line widths change, so a slider can drive it.  draw_cell(ax, ...) does both in one
call; cell_figure(step, ...) makes a figure of the right shape (10 x 4.4 inches) around it.  On an
axes narrower than ~9.5 inches the text shrinks so that nothing overlaps.  The numbers come from an
lstm_core Step; the two terms of Eq. (4), f·c_{t-1} (keep) and i·g (write), are labelled
separately and also come from lstm_core.cell_update.
"""
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, FancyBboxPatch

from .activations import tanh
from .cell import cell_update
from .style import GATE_COLORS, INK, MUTED, Readout

# Coordinates of the picture (data units on an axes with xlim 0..12, ylim 0..7).
_Y_C, _Y_H, _Y_GATE, _Y_IG, _Y_TANH, _Y_O = 5.9, 1.0, 2.35, 4.35, 4.5, 3.2
_X = {"f": 2.6, "i": 4.4, "g": 5.9, "o": 7.4, "tanh": 8.9, "xin": 1.5, "out": 10.3}
_BOX_W, _BOX_H, _NODE_R = 1.0, 0.75, 0.36
_GATE_FN = {"f": r"$\sigma$", "i": r"$\sigma$", "g": r"$\tanh$", "o": r"$\sigma$"}
HIGHLIGHTS = (None, "f", "i", "g", "o", "c", "h")


def _width(value, scale):
    """Line width for a flow carrying `value`: 0.8 pt for 0 up to 7 pt at |value| >= scale."""
    return 0.8 + 6.2 * min(abs(float(value)) / scale, 1.0)


class CellDiagram:
    """The LSTM cell on `ax`, with one unit's live values.

    highlight: None or one of "f", "i", "g", "o", "c", "h" — that part is drawn strong and the
    rest faded (notebooks 01-04 highlight their own gate).  unit: which hidden unit's numbers are
    shown when the Step holds vectors.  decimals: digits after the point in every label.
    """

    def __init__(self, ax, highlight=None, unit=0, decimals=2, title=True):
        if highlight not in HIGHLIGHTS:
            raise ValueError(f"highlight: expected one of {HIGHLIGHTS}, got {highlight!r}")
        self.ax, self.highlight, self.unit, self.decimals = ax, highlight, int(unit), decimals
        ax.set_xlim(0, 12)
        ax.set_ylim(0, 7)
        ax.set_axis_off()
        # nodes are drawn round on screen whatever the axes' shape: x radius in x units
        box = ax.get_position()
        w, h = box.width * ax.figure.get_figwidth(), box.height * ax.figure.get_figheight()
        self.rx = _NODE_R * (h / 7) / (w / 12)
        # the picture is laid out for an axes about 10 inches wide; text shrinks with a smaller one
        self.scale = min(1.0, w / 9.5, h / 2.6)
        ax.add_patch(FancyBboxPatch((1.25, 0.45), 9.7, 6.05, boxstyle="round,pad=0.02,rounding_size=0.35",
                                    fc="#F6F6F6", ec=MUTED, lw=1, zorder=0))
        if title:
            what = {None: "", "f": " — forget gate", "i": " — input gate", "g": " — candidate",
                    "o": " — output gate", "c": " — cell state", "h": " — hidden state"}[highlight]
            ax.set_title(f"LSTM cell{what}: values of unit {self.unit + 1}, line width ∝ |value|",
                         fontsize=10 * max(self.scale, 0.8))
        self.flows = {}     # name -> (Line2D, scale)
        self.values = {}    # name -> Readout (static maths label + live number)
        self._build_flows()
        self._build_nodes()
        self._build_labels()
        # what update() changes; the nodes and boxes stay in the background (flows stop at their
        # edges, so drawing the flows over the background never covers them)
        self.artists = [ln for ln, _ in self.flows.values()] + [r.value for r in self.values.values()]

    # ----- building ---------------------------------------------------------------------------
    def _alpha(self, *parts):
        if self.highlight is None or any(p == self.highlight for p in parts):
            return 1.0
        return 0.35

    def _flow(self, name, xs, ys, color, scale, parts):
        line = Line2D(xs, ys, color=color, lw=1, alpha=self._alpha(*parts), solid_capstyle="butt",
                      solid_joinstyle="miter", zorder=2)
        self.ax.add_line(line)
        self.flows[name] = (line, scale)

    def _build_flows(self):
        X, r, rx = _X, _NODE_R, self.rx
        top = _Y_GATE + _BOX_H / 2
        cc, hc = GATE_COLORS["c"], GATE_COLORS["h"]
        # cell-state line, left to right
        self._flow("c_prev", [0.2, X["f"] - rx], [_Y_C, _Y_C], cc, 2.0, "c")
        self._flow("keep", [X["f"] + rx, X["g"] - rx], [_Y_C, _Y_C], cc, 2.0, "cf")
        self._flow("c", [X["g"] + rx, 11.8], [_Y_C, _Y_C], cc, 2.0, "c")
        self._flow("c_down", [X["tanh"], X["tanh"]], [_Y_C, _Y_TANH + r], cc, 2.0, "co")
        self._flow("tanh_c", [X["tanh"], X["tanh"]], [_Y_TANH - r, _Y_O + r], cc, 1.0, "oh")
        # gates up to their multiplications
        self._flow("f", [X["f"], X["f"]], [top, _Y_C - r], GATE_COLORS["f"], 1.0, "f")
        self._flow("i", [X["i"], X["i"], X["g"] - rx], [top, _Y_IG, _Y_IG], GATE_COLORS["i"], 1.0, "i")
        self._flow("g", [X["g"], X["g"]], [top, _Y_IG - r], GATE_COLORS["g"], 1.0, "g")
        self._flow("write", [X["g"], X["g"]], [_Y_IG + r, _Y_C - r], cc, 1.0, "igc")
        self._flow("o", [X["o"], X["o"], X["tanh"] - rx], [top, _Y_O, _Y_O], GATE_COLORS["o"], 1.0, "o")
        # hidden-state line
        self._flow("h", [X["tanh"] + rx, X["out"], X["out"], 11.8], [_Y_O, _Y_O, _Y_H, _Y_H], hc, 1.0, "h")
        self._flow("h_prev", [0.2, X["o"]], [_Y_H, _Y_H], hc, 1.0, "h")
        self._flow("x", [X["xin"], X["xin"]], [0.05, _Y_H], GATE_COLORS["x"], 2.0, "x")
        bottom = _Y_GATE - _BOX_H / 2
        for g in "figo":   # every gate reads [h_{t-1}, x_t]: thin, constant
            self.ax.add_line(Line2D([X[g], X[g]], [_Y_H, bottom], color=INK, lw=0.8,
                                    alpha=self._alpha(g, "h", "x"), zorder=1))
        # arrow heads where flows leave the cell
        for x, y in ((11.8, _Y_C), (11.8, _Y_H)):
            self.ax.plot([x], [y], ">", ms=8, color=INK, zorder=3)

    def _node(self, x, y, symbol, parts):
        alpha = self._alpha(*parts)
        wide = 1.5 if len(symbol) > 2 else 1.0
        circle = Ellipse((x, y), 2 * self.rx * wide, 2 * _NODE_R, fc="white", ec=INK, lw=1.2,
                         alpha=max(alpha, 0.6), zorder=4)
        self.ax.add_patch(circle)
        text = self.ax.text(x, y, symbol, ha="center", va="center", fontsize=(10 if len(symbol) < 3 else 7) * self.scale,
                            zorder=5, alpha=max(alpha, 0.6))
        self.nodes += [circle, text]

    def _build_nodes(self):
        X = _X
        self.nodes = []
        self._node(X["f"], _Y_C, "×", "f")
        self._node(X["g"], _Y_IG, "×", "ig")
        self._node(X["g"], _Y_C, "+", "igc")
        self._node(X["tanh"], _Y_TANH, "tanh", "co")
        self._node(X["tanh"], _Y_O, "×", "oh")
        for g in "figo":
            strong = self.highlight == g or (self.highlight == "i" and g == "g")
            box = FancyBboxPatch((X[g] - _BOX_W / 2, _Y_GATE - _BOX_H / 2), _BOX_W, _BOX_H,
                                 boxstyle="round,pad=0.02,rounding_size=0.12", fc=GATE_COLORS[g],
                                 ec=INK if strong else "white", lw=3 if strong else 1,
                                 alpha=self._alpha(g, "i" if g == "g" else g), zorder=4)
            self.ax.add_patch(box)
            self.nodes.append(box)
            self.nodes.append(self.ax.text(X[g], _Y_GATE, f"{g}: " + _GATE_FN[g], ha="center",
                                           va="center", color="white", fontsize=10 * self.scale,
                                           fontweight="bold", zorder=5))

    def _label(self, name, x, y, label, color=INK, va="center"):
        """A readout: static maths label ending at x, live number after it (see style.Readout)."""
        # the static label gets a white backing: it may sit over the cell's outline
        self.values[name] = Readout(self.ax, x, y, label, self.decimals, color=color, fontsize=9 * self.scale,
                                    va=va, zorder=6, label_kw=dict(bbox=dict(
                                        boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.85)))

    def _build_labels(self):
        X, C = _X, GATE_COLORS
        up = 0.3
        self._label("c_prev", 0.75, _Y_C + up, "$c_{t-1}$", C["c"], "bottom")
        self._label("keep", 4.35, _Y_C + up, r"keep $f\,c_{t-1}$", C["c"], "bottom")
        self._label("c", 10.95, _Y_C + up, "$c_t$", C["c"], "bottom")
        self._label("f", X["f"] + 0.55, (_Y_GATE + _Y_C) / 2 + 0.2, "$f$", C["f"])
        self._label("i", X["i"] - 0.75, (_Y_GATE + _Y_IG) / 2 + 0.1, "$i$", C["i"])
        self._label("g", X["g"] + 0.5, (_Y_GATE + _Y_IG) / 2 + 0.1, "$g$", C["g"])
        self._label("write", X["g"] + 1.45, (_Y_IG + _Y_C) / 2, r"write $i\,g$", C["c"])
        self._label("tanh_c", X["tanh"] + 1.35, _Y_TANH, r"$\tanh\,c_t$", C["c"])
        self._label("o", X["o"] + 0.9, _Y_GATE + 0.2, "$o$", C["o"])
        self._label("h", 10.95, _Y_H + up, "$h_t$", C["h"], "bottom")
        self._label("h_prev", 0.75, _Y_H + up, "$h_{t-1}$", C["h"], "bottom")
        self._label("x", X["xin"] + 0.75, 0.3, "$x_t$", "#555555")

    # ----- live values ------------------------------------------------------------------------
    def _pick(self, v):
        """Unit `self.unit` of a (H,) vector (or of the first row of a batch); a scalar as is."""
        v = np.asarray(v, float)
        if v.ndim == 0:
            return float(v)
        if not 0 <= self.unit < v.shape[-1]:
            raise ValueError(f"unit: expected a unit index in 0..{v.shape[-1] - 1}, got {self.unit}")
        return float(v.reshape(-1, v.shape[-1])[0, self.unit])

    def update(self, step, c_prev, h_prev, x_t):
        """Show one unit of `step` (an lstm_core Step computed from c_prev, h_prev, x_t).

        x_t may be a vector of inputs; the diagram then shows its first entry (x has no unit
        index).  Returns False: the axes never change, so a blit suffices."""
        u = {k: self._pick(getattr(step, k)) for k in ("f", "i", "g", "o", "c", "h")}
        cp, hp = self._pick(c_prev), self._pick(h_prev)
        x0 = float(np.asarray(x_t, float).reshape(-1)[0])
        keep = float(cell_update(u["f"], cp, 0.0, 0.0))    # the two terms of Eq. (4), from lstm_core
        write = float(cell_update(0.0, cp, u["i"], u["g"]))
        tc = float(tanh(u["c"]))
        vals = {"c_prev": cp, "keep": keep, "c": u["c"], "c_down": u["c"], "tanh_c": tc, "f": u["f"],
                "i": u["i"], "g": u["g"], "write": write, "o": u["o"], "h": u["h"], "h_prev": hp, "x": x0}
        for name, (line, scale) in self.flows.items():
            line.set_linewidth(_width(vals[name], scale))
        for name, readout in self.values.items():
            readout.set(vals[name])
        return False


def cell_figure(step, c_prev, h_prev, x_t, highlight=None, unit=0, decimals=2, width=10.0):
    """A new pyplot figure holding just the cell diagram at the size it was drawn for (text at
    full size from width=9.5 inches up).  Returns (fig, CellDiagram); end the cell with plt.show()."""
    import matplotlib.pyplot as plt

    from .style import style_context
    with style_context():
        fig = plt.figure(figsize=(width, 0.44 * width))
        ax = fig.add_axes((0.0, 0.0, 1.0, 0.93))
        diagram = draw_cell(ax, step, c_prev, h_prev, x_t, highlight=highlight, unit=unit, decimals=decimals)
    return fig, diagram


def draw_cell(ax, step, c_prev, h_prev, x_t, highlight=None, unit=0, decimals=2):
    """Draw the cell for one lstm_core Step on `ax` and return the CellDiagram (call its
    update(step, c_prev, h_prev, x_t) to show another step without rebuilding)."""
    diagram = CellDiagram(ax, highlight=highlight, unit=unit, decimals=decimals)
    diagram.update(step, c_prev, h_prev, x_t)
    return diagram
