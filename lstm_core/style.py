"""One look for the whole series: the gate palette, matplotlib defaults and number formatting.

GATE_COLORS is Okabe-Ito (colour-blind safe); each gate keeps its colour in every notebook,
plot, widget and figure.  Nothing here computes the cell.
"""

GATE_COLORS = {"f": "#0072B2", "i": "#009E73", "g": "#E69F00", "o": "#CC79A7", "c": "#D55E00",
               "h": "#56B4E9", "x": "#999999"}

# How each symbol is written in plot text (matplotlib mathtext) and in widget labels (MathJax).
GATE_LABELS = {"f": r"$f_t$", "i": r"$i_t$", "g": r"$g_t$", "o": r"$o_t$", "c": r"$c_t$",
               "h": r"$h_t$", "x": r"$x_t$"}

INK = "#222222"     # text and outlines
MUTED = "#BBBBBB"   # reference curves, inactive parts of the diagram

RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.edgecolor": INK,
    "text.color": INK,
    "axes.labelcolor": INK,
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "figure.facecolor": "white",
    "axes.formatter.useoffset": False,
}


def use_style():
    """Apply the series' matplotlib defaults (font sizes, grid, no top/right spines)."""
    import matplotlib as mpl
    mpl.rcParams.update(RC)


def style_context():
    """A context manager with the series' defaults, leaving global rcParams untouched."""
    import matplotlib as mpl
    return mpl.rc_context(RC)


def fmt(x, decimals=3):
    """A number with fixed decimals, never '-0.000': fmt(0.73105, 3) -> '0.731'.

    Infinite values read 'inf' / '-inf' (a half-life with f = 1 is infinite).
    """
    x = float(x)
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{int(decimals)}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def fmt_vec(values, decimals=3):
    """A short vector with fixed decimals: fmt_vec([0.5, 1]) -> '[0.500, 1.000]'."""
    return "[" + ", ".join(fmt(v, decimals) for v in values) + "]"


class Readout:
    """A maths label drawn once, followed by a number that changes: "$c_{t-1}$ = " + "1.000".

    Parsing mathtext costs milliseconds for every new string, so the label (mathtext, static,
    part of the background) and the number (plain text, redrawn on every update) are two Text
    artists: the label ends at (x, y) and the number starts there.  `value` is the changing Text;
    set it with set(v).
    """

    def __init__(self, ax, x, y, label, decimals=3, transform=None, suffix="", label_kw=None, **text_kw):
        from matplotlib.transforms import offset_copy
        transform = ax.transData if transform is None else transform
        self.decimals, self.suffix = decimals, suffix
        self.label = ax.text(x, y, label + " =", ha="right", transform=transform,
                             **{**text_kw, **(label_kw or {})})
        gap = offset_copy(transform, fig=ax.figure, x=3, y=0, units="points")
        self.value = ax.text(x, y, "", ha="left", transform=gap, **text_kw)

    def set(self, v, extra=""):
        self.value.set_text(fmt(v, self.decimals) + self.suffix + extra)
