"""Plots of the gates, drawn from lstm_core results (a plot never computes a gate itself).

Each plot is a small class built once on an Axes and then refreshed with `update(...)`, which only
changes artist data (the panels redraw ~30 times a second while a slider moves).  `update`
returns True when the axes limits had to change, i.e. when a full redraw is needed instead of a
blit.  `artists` lists what changes on update, in drawing order.

One-call functions draw a finished plot for notebooks and the figure script:
    plot_activation(ax, z, a, kind="sigmoid", gate="f", pinned=False, focus=1) -> ActivationCurve
    plot_gate_values(ax, values, gates, title="") -> GateBars        e.g. ([step.f], ["f"])
    plot_memory(ax, f, steps=25, focus=1) -> MemoryPlot              f: (H,) forget gate
    plot_forget_bias_effect(ax, X=4, H=32, T=40, seed=0) -> {b_f: (T+1, H) memory kept}
    memory_check(f, steps) -> (f^t from memory.retention, c_t/c_0 from lstm_forward with i = 0)
    forget_bias_effect(X, H, T, seed) -> the data of plot_forget_bias_effect
"""
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from .activations import sigmoid, tanh
from .cell import lstm_forward
from .memory import half_life, retention
from .params import LSTMParams
from .style import GATE_COLORS, GATE_LABELS, INK, MUTED, Readout, fmt

_ACTIVATIONS = {"sigmoid": (sigmoid, r"\sigma", (-0.05, 1.05)), "tanh": (tanh, r"\tanh", (-1.1, 1.1))}
_Y_LADDER = (1.15, 2.5, 5.0, 12.0, 25.0)


def _ladder(extent, steps):
    """The first limit in `steps` that holds `extent` (limits move in jumps, so blits stay valid)."""
    for s in steps:
        if extent <= s * 0.97:
            return s
    return float(np.ceil(extent * 1.1))


def _next_limit(current, extent, steps):
    """Grow the limit as soon as `extent` leaves it; shrink it only once `extent` fits in less
    than 40 % of it.  The hysteresis keeps an axis still (and updates cheap) during a drag."""
    need = _ladder(extent, steps)
    if current is None or need > current or extent < 0.4 * current:
        return need
    return current


class ActivationCurve:
    """σ(z) or tanh(z) over z, with the operating point of every unit marked.

    update(z, a, pinned=False): z and a are (H,) from an lstm_core Step (e.g. step.z_f, step.f).
    A pinned gate ignores z, so its points leave the curve; they are drawn as crosses.
    `focus` is the unit whose value is written out and guided to the axes.  The z-axis is fixed
    to ±zlim, so it never jumps while a slider moves; a point beyond it is drawn as an arrow head
    at the edge (its exact z is in the readout).
    """

    def __init__(self, ax, kind="sigmoid", gate="f", focus=1, zname=None, aname=None, title=None, zlim=8.0):
        if kind not in _ACTIVATIONS:
            raise ValueError(f"kind: expected one of {sorted(_ACTIVATIONS)}, got {kind!r}")
        self.ax, self.kind, self.gate, self.focus = ax, kind, gate, focus
        self.fn, fname, ylim = _ACTIVATIONS[kind]
        # mathtext names: the input on the x-axis and the output (e.g. "z_f" and "f")
        self.zname, self.aname = zname or f"z_{gate}", aname or gate
        color = GATE_COLORS[gate]
        self.zlim = float(zlim)
        zs = np.linspace(-self.zlim, self.zlim, 241)
        (self.curve,) = ax.plot(zs, self.fn(zs), color=color, lw=2, zorder=2)
        ax.set_xlim(-self.zlim, self.zlim)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, symmetric=True))
        ax.set_ylim(*ylim)
        zn, an = self.zname, self.aname
        ax.set_xlabel(f"${zn}$" if zname else f"pre-activation ${zn}$")
        ax.set_ylabel(f"${an}$")
        ax.set_title(title or f"${an} = {fname}({zn})$")
        ax.axhline(0, color=MUTED, lw=0.8, zorder=1)
        ax.axvline(0, color=MUTED, lw=0.8, zorder=1)
        self.guide_v, = ax.plot([], [], ls=":", color=color, lw=1)
        self.guide_h, = ax.plot([], [], ls=":", color=color, lw=1)
        self.points, = ax.plot([], [], "o", ms=7, mfc=color, mec="white", mew=1.2, zorder=4)
        self.focus_pt, = ax.plot([], [], "o", ms=10, mfc=color, mec=INK, mew=1.5, zorder=5)
        self.pins, = ax.plot([], [], "X", ms=9, mfc=color, mec=INK, zorder=5)
        self.off_left, = ax.plot([], [], "<", ms=9, color=color, mec=INK, clip_on=False, zorder=5)
        self.off_right, = ax.plot([], [], ">", ms=9, color=color, mec=INK, clip_on=False, zorder=5)
        # readout box bottom right: σ and tanh both leave that corner empty (z > 0 gives a > mid)
        ax.add_patch(FancyBboxPatch((0.5, 0.04), 0.48, 0.29, transform=ax.transAxes, fc="white",
                                    ec=MUTED, alpha=0.9, zorder=3, boxstyle="round,pad=0.01"))
        kw = dict(transform=ax.transAxes, fontsize=9, va="center", zorder=7)
        ax.text(0.53, 0.28, f"unit {focus + 1} (large dot)", fontsize=8, color="#555555", **{
            k: v for k, v in kw.items() if k != "fontsize"})
        anchor = 0.76 if len(an) < 5 else 0.80
        self.z_text = Readout(ax, anchor, 0.18, f"${zn}$", 3, **kw)
        self.a_text = Readout(ax, anchor, 0.09, f"${an}$", 3, **kw)
        self.artists = [self.guide_v, self.guide_h, self.points, self.focus_pt, self.pins,
                        self.off_left, self.off_right, self.z_text.value, self.a_text.value]

    def update(self, z, a, pinned=False):
        z, a = np.atleast_1d(np.asarray(z, float)), np.atleast_1d(np.asarray(a, float))
        lim = self.zlim
        inside = np.abs(z) <= lim
        zc = np.clip(z, -lim, lim)
        y0 = self.ax.get_ylim()[0]
        k = min(self.focus, z.size - 1)
        if pinned:
            self.points.set_data([], [])
            self.pins.set_data(zc[inside], a[inside])
        else:
            self.pins.set_data([], [])
            self.points.set_data(zc[inside], a[inside])
        self.off_left.set_data(zc[z < -lim], a[z < -lim])
        self.off_right.set_data(zc[z > lim], a[z > lim])
        self.focus_pt.set_data([zc[k]], [a[k]])
        self.guide_v.set_data([zc[k], zc[k]], [y0, a[k]])
        self.guide_h.set_data([-lim, zc[k]], [a[k], a[k]])
        self.z_text.set(z[k])
        self.a_text.set(a[k])
        return False


class GateBars:
    """Grouped bars: one group per unit, one bar per series, each annotated with its value.

    series: list of (label, color); update(values) takes one (H,) array per series.  With one
    series the groups are labelled by `units` (default 'unit 1', ...); with several, every bar is
    labelled by its series under the axis and the unit names go below.  The y-axis grows in
    jumps when a value leaves it, unless `ylim` fixes it.
    """

    def __init__(self, ax, series, n_units, ylim=None, units=None, title="", decimals=3):
        from matplotlib.transforms import blended_transform_factory
        self.ax, self.series, self.decimals = ax, series, decimals
        self.fixed_ylim = ylim
        n = len(series)
        width = 0.84 / n
        x = np.arange(n_units)
        units = units or [f"unit {k + 1}" for k in range(n_units)]
        self.rotate = 90 if n > 2 else 0
        self.bars, self.labels = [], []
        ticks, names = [], []
        for s, (label, color) in enumerate(series):
            xs = x - 0.42 + width * (s + 0.5)
            bars = ax.bar(xs, np.zeros(n_units), width * 0.9, color=color, label=label, zorder=3)
            self.bars.append(list(bars))
            self.labels.append([ax.text(xx, 0, "", ha="center", va="bottom", fontsize=8, zorder=4,
                                        rotation=self.rotate, rotation_mode="anchor" if self.rotate else "default")
                                for xx in xs])
            ticks.extend(xs)
            names.extend([label] * n_units)
        ax.axhline(0, color=INK, lw=0.8, zorder=2)
        if n == 1:
            ax.set_xticks(x, units)
        else:
            ax.set_xticks(ticks, names, fontsize=8)
            below = blended_transform_factory(ax.transData, ax.transAxes)
            for k, name in enumerate(units):
                ax.text(k, -0.13, name, transform=below, ha="center", va="top", fontsize=9)
            for k in range(1, n_units):
                ax.axvline(k - 0.5, color=MUTED, lw=0.6, zorder=1)
        ax.tick_params(axis="x", length=0)
        ax.set_xlim(-0.5, n_units - 0.5)
        ax.grid(axis="x", visible=False)
        if title:
            ax.set_title(title)
        self.ylim = self._hi = self._lo = None
        self._set_ylim(1.0)
        self.artists = [b for bars in self.bars for b in bars] + [t for ts in self.labels for t in ts]

    def _set_ylim(self, top, bottom=0.0):
        """top, bottom: the largest positive value and the largest |negative| value shown."""
        if self.fixed_ylim is not None:
            lo, hi = self.fixed_ylim
        else:
            hi = _next_limit(self._hi, top, _Y_LADDER)
            lo = -_next_limit(self._lo, bottom, _Y_LADDER) if bottom > 0 else 0.0
            self._hi, self._lo = hi, (-lo if lo < 0 else None)
        # headroom for the value labels
        room = 0.3 if self.rotate else 0.15
        lim = (lo - room * (hi - lo) if lo < 0 else lo, hi + room * (hi - lo))
        if lim != self.ylim:
            self.ylim = lim
            self.ax.set_ylim(*lim)
            return True
        return False

    def update(self, values):
        values = [np.atleast_1d(np.asarray(v, float)) for v in values]
        top = max(0.0, max(float(v.max()) for v in values))
        bottom = max(0.0, -min(float(v.min()) for v in values))
        full = self._set_ylim(top, bottom)
        lo, hi = self.ylim
        pad = 0.02 * (hi - lo)
        for bars, texts, vals in zip(self.bars, self.labels, values):
            for bar, text, v in zip(bars, texts, vals):
                bar.set_height(v)
                text.set_text(fmt(v, self.decimals))
                shown = min(max(v, lo), hi)
                up = v >= 0
                text.set_y(min(shown + pad, hi - pad) if up else max(shown - pad, lo + pad))
                if self.rotate:    # vertical text reads upwards: anchor its start at the bar end
                    text.set_ha("left" if up else "right")
                    text.set_va("center")
                else:
                    text.set_va("bottom" if up else "top")
        return full


def memory_check(f, steps):
    """(retention, measured): f^t from lstm_core.memory.retention and c_t / c_0 measured by
    lstm_forward with i pinned to 0 and f pinned to `f`.  f: (H,); both arrays are (steps, H),
    row t holding the fraction of c_0 left after t steps (row 0 is 1)."""
    f = np.atleast_1d(np.asarray(f, float))
    H = f.size
    ret = np.stack([retention(fk, steps) for fk in f], axis=1)
    trace = lstm_forward(LSTMParams.zeros(1, H), np.zeros((steps - 1, 1)), c0=np.ones(H),
                         overrides={"i": 0.0, "f": f})
    measured = np.vstack([np.ones((1, H)), trace.c])
    return ret, measured


class MemoryPlot:
    """How long a memory lasts under a constant forget gate: f^t for every unit, the measured
    c_t / c_0 from lstm_forward (i = 0) as dots, and each half-life t½ = ln 0.5 / ln f marked.

    Faint reference curves show the gate at initialisation with b_f = 0 (f = σ(0)) and with
    b_f = 1 (f = σ(1), Jozefowicz et al. 2015).
    """

    _STYLES = ("--", "-", "-.")

    def __init__(self, ax, n_units, steps=25, focus=1):
        self.ax, self.steps, self.focus = ax, steps, focus
        color = GATE_COLORS["f"]
        t = np.arange(steps)
        for b, ls in ((0.0, ":"), (1.0, "--")):
            fb = float(sigmoid(b))
            ax.plot(t, retention(fb, steps), color=MUTED, lw=1.2, ls=ls, zorder=1,
                    label=rf"$b_f={b:.0f}$: f={fmt(fb, 2)}")
        ax.axhline(0.5, color=INK, lw=0.7, ls=":", zorder=1)
        ax.text(steps - 1, 0.52, "half", ha="right", va="bottom", fontsize=8, color=INK)
        self.lines, self.dots, self.marks = [], [], []
        for k in range(n_units):
            alpha = 1.0 if k == focus else 0.55
            self.lines.append(ax.plot([], [], color=color, lw=2 if k == focus else 1.3, alpha=alpha,
                                      ls=self._STYLES[k % 3], zorder=3)[0])
            self.dots.append(ax.plot([], [], "o", ms=3.5 if k == focus else 2.5, color=color,
                                     alpha=alpha, zorder=4)[0])
            self.marks.append(ax.plot([], [], "|", ms=14, mew=2, color=color, alpha=alpha, zorder=5)[0])
        ax.set_xlim(0, steps - 1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("steps $t$ with $i = 0$")
        ax.set_ylabel(r"memory left $c_t / c_0 = f^{\,t}$")
        ax.set_title(r"if $f$ stays: $t_{1/2} = \ln 0.5\, /\, \ln f$")
        # the readouts and the legend sit to the right of the axes, where no curve can hide them
        ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0), frameon=False, fontsize=7,
                  title="bias only, $z_f = b_f$", title_fontsize=7, handlelength=1.6, borderaxespad=0.3)
        right = offset_copy(ax.transAxes, fig=ax.figure, x=54, y=0, units="points")
        ax.text(1.03, 0.98, "$t_{1/2}$ (steps)", transform=ax.transAxes, fontsize=8, va="top")
        self.readouts = [Readout(ax, 1.0, 0.86 - 0.1 * k, f"unit {k + 1}", 2, transform=right,
                                 fontsize=8, va="center", color=color)
                         for k in range(n_units)]
        for k, line in enumerate(self.lines):     # a sample of each unit's line style
            sample = offset_copy(ax.transAxes, fig=ax.figure, x=0, y=0, units="points")
            ax.add_line(Line2D([1.025, 1.075], [0.86 - 0.1 * k] * 2, transform=sample, clip_on=False,
                               color=color, lw=line.get_linewidth(), ls=line.get_linestyle(),
                               alpha=line.get_alpha()))
        self.artists = self.lines + self.dots + self.marks + [r.value for r in self.readouts]

    def update(self, f):
        f = np.atleast_1d(np.asarray(f, float))
        ret, measured = memory_check(f, self.steps)
        t = np.arange(self.steps)
        hl = np.atleast_1d(half_life(f))
        for k in range(f.size):
            self.lines[k].set_data(t, ret[:, k])
            self.dots[k].set_data(t, measured[:, k])
            if np.isfinite(hl[k]) and hl[k] <= self.steps - 1:
                self.marks[k].set_data([hl[k]], [0.5])
            else:
                self.marks[k].set_data([], [])
            self.readouts[k].set(hl[k])
        return False


class CellSequencePlot:
    """c_t over a few steps with f, i, g held constant (pinned through lstm_forward's overrides):
    the cell keeps f of what it had and adds i·g each step.  update(f, i, g, c_prev) with scalars."""

    def __init__(self, ax, steps=15):
        self.ax, self.steps = ax, steps
        self.line, = ax.plot([], [], "-o", ms=3.5, color=GATE_COLORS["c"], lw=2, zorder=3)
        ax.axhline(0, color=INK, lw=0.8, zorder=1)
        for y in (-1, 1):
            ax.axhline(y, color=MUTED, lw=0.8, ls="--", zorder=1)
        ax.set_xlim(0, steps)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("step $t$ (same $f$, $i$, $g$ every step)")
        ax.set_ylabel("cell state $c_t$")
        ax.set_title(r"$c_t$ over steps: not bounded by $\pm 1$")
        self.text = ax.text(0.97, 0.04, "", transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
                            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=MUTED, alpha=0.9),
                            zorder=6)
        self.ylim = None
        self.artists = [self.line, self.text]

    def update(self, f, i, g, c_prev):
        trace = lstm_forward(LSTMParams.zeros(1, 1), np.zeros((self.steps, 1)), c0=[float(c_prev)],
                             overrides={"f": float(f), "i": float(i), "g": float(g)})
        cs = np.concatenate([[float(c_prev)], trace.c[:, 0]])
        top = _next_limit(self.ylim, float(np.max(np.abs(cs))), _Y_LADDER)
        full = top != self.ylim
        if full:
            self.ylim = top
            self.ax.set_ylim(-top, top)
        self.line.set_data(np.arange(self.steps + 1), cs)
        self.text.set_text(f"c₀ = {fmt(cs[0], 3)}\nc after {self.steps} steps = {fmt(cs[-1], 3)}")
        return full


# ----- one-call versions for notebooks and the figure script ---------------------------------
def plot_activation(ax, z, a, kind="sigmoid", gate="f", pinned=False, focus=1):
    """Draw σ or tanh with the operating points (z, a) of a Step marked.  Returns the ActivationCurve."""
    curve = ActivationCurve(ax, kind, gate, focus=focus)
    curve.update(z, a, pinned)
    return curve


def plot_gate_values(ax, values, gates, title=""):
    """Bars of one or more (H,) gate vectors, e.g. plot_gate_values(ax, [step.f], ["f"])."""
    values = [np.atleast_1d(v) for v in values]
    bars = GateBars(ax, [(GATE_LABELS.get(g, g), GATE_COLORS.get(g, INK)) for g in gates],
                    values[0].size, title=title)
    bars.update(values)
    return bars


def plot_memory(ax, f, steps=25, focus=1):
    """Retention f^t with half-lives for the (H,) forget gate `f`.  Returns the MemoryPlot."""
    f = np.atleast_1d(np.asarray(f, float))
    mem = MemoryPlot(ax, f.size, steps, focus=min(focus, f.size - 1))
    mem.update(f)
    return mem


def forget_bias_effect(X=4, H=32, T=40, seed=0, biases=(0.0, 1.0)):
    """How much of c_0 survives T steps of random input when b_f starts at 0 vs 1.

    For each forget bias: params = LSTMParams.random(X, H, seed, forget_bias=b), inputs drawn from
    N(0, 1), and lstm_forward with the input gate pinned to 0, so c_t / c_0 = f_1 ⋯ f_t exactly.
    Returns {b: (T+1, H) array of c_t / c_0}, row 0 being 1.
    """
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((T, X))
    out = {}
    for b in biases:
        p = LSTMParams.random(X, H, seed=seed, forget_bias=b)
        trace = lstm_forward(p, xs, c0=np.ones(H), overrides={"i": 0.0})
        out[b] = np.vstack([np.ones((1, H)), trace.c])
    return out


def plot_forget_bias_effect(ax, X=4, H=32, T=40, seed=0):
    """The forget-bias trick of Jozefowicz et al. (2015): starting b_f at 1 instead of 0 makes the
    untrained cell keep its memory for longer.  Median and 10-90 % band over units of c_t / c_0."""
    data = forget_bias_effect(X, H, T, seed)
    t = np.arange(T + 1)
    for b, color, ls in ((0.0, MUTED, "--"), (1.0, GATE_COLORS["f"], "-")):
        kept = data[b]
        med = np.median(kept, axis=1)
        ax.fill_between(t, np.percentile(kept, 10, axis=1), np.percentile(kept, 90, axis=1),
                        color=color, alpha=0.25, lw=0)
        hl = float(np.interp(0.5, med[::-1], t[::-1])) if med[-1] < 0.5 else float("inf")
        ax.plot(t, med, color=color if b else "#666666", lw=2, ls=ls,
                label=f"$b_f$ = {b:.0f}: median half-life ≈ {fmt(hl, 1)} steps")
    ax.axhline(0.5, color=INK, lw=0.7, ls=":")
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 1.5)
    ax.set_xlim(0, T)
    ax.set_xlabel(f"step $t$ (random input, $i = 0$, H = {H} units)")
    ax.set_ylabel("memory left $c_t / c_0$ (log scale)")
    ax.set_title("forget bias at initialisation: $b_f = 1$ vs $b_f = 0$ (Jozefowicz et al. 2015)")
    ax.legend(loc="lower left", frameon=False)
    return data
