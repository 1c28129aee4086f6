"""Write every figure in figures/ that is drawn from lstm_core.  Deterministic: seeded, same bytes
each run, each PNG under 200 KB (the script stops if one is not).

    python figures/make_figures.py

(The JupyterLab screenshot, figures/jupyterlab_panel.png, comes from a browser instead:
figures/make_lab_screenshot.py.)

Writes
    lstm_cell.png           README hero: the cell diagram with the numbers of one step
    cell_<g>.png            the same diagram with one gate highlighted, g in f, i, g, o, c
    panel_<k>.png           each gate notebook's panel in its default state, k in f, i, c, o
    panel_sequence.png      notebook 05's time-slider panel at step t = 8 (mid-sequence, memory in c)
    forget_bias.png         memory kept with b_f = 0 vs b_f = 1 at initialisation (Jozefowicz et al. 2015)

The step shown in the diagrams is the panels' default: the toy cell lstm_core.panel.toy_params()
(X = 1, H = 3, seed 0, forget bias 1) at x_t = 0.5, h_{t-1} = 0.2·1, c_{t-1} = 1·1, unit 2.
"""
import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lstm_core import LSTMParams, lstm_step  # noqa: E402
from lstm_core.diagram import draw_cell  # noqa: E402
from lstm_core.panel import KINDS, make_panel, toy_params  # noqa: E402
from lstm_core.plots import plot_forget_bias_effect  # noqa: E402
from lstm_core.style import style_context  # noqa: E402

HERE = Path(__file__).resolve().parent
DPI = 100
MAX_BYTES = 200 * 1024
METADATA = {"Software": None}      # no version string, so the bytes depend only on the drawing


def save(fig, name, dpi=DPI):
    """Save as PNG, check it stays small, report it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=METADATA)
    data = buf.getvalue()
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{name}: {len(data) / 1024:.0f} KB is over the {MAX_BYTES // 1024} KB budget")
    (HERE / name).write_bytes(data)
    print(f"figures/{name:22s} {len(data) / 1024:6.1f} KB")


def default_step():
    x, h, c = np.array([0.5]), np.full(3, 0.2), np.full(3, 1.0)
    return lstm_step(toy_params(), x, h, c), c, h, x


def cell_figures():
    step, c, h, x = default_step()
    for highlight, name in [(None, "lstm_cell.png")] + [(g, f"cell_{g}.png") for g in "figoc"]:
        with style_context():
            fig = Figure(figsize=(10, 4.4))
            ax = fig.add_axes((0.0, 0.0, 1.0, 0.93))
            draw_cell(ax, step, c, h, x, highlight=highlight, unit=1)
            save(fig, name)


def panel_figures():
    for kind in KINDS:
        fig = make_panel(kind).static_figure(pyplot=False)
        save(fig, f"panel_{kind}.png")


def sequence_figure():
    from lstm_core.sequence_panel import make_sequence_panel
    params = LSTMParams.random(2, 6, seed=0, forget_bias=1.0)
    xs = np.random.default_rng(0).standard_normal((24, 2))
    fig = make_sequence_panel(params, xs, t=8).static_figure(pyplot=False)
    save(fig, "panel_sequence.png")


def forget_bias_figure():
    with style_context():
        fig = Figure(figsize=(8, 4.2))
        ax = fig.add_subplot()
        plot_forget_bias_effect(ax, X=4, H=32, T=40, seed=0)
        fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.13)
        save(fig, "forget_bias.png")


def main():
    cell_figures()
    panel_figures()
    sequence_figure()
    forget_bias_figure()
    return 0


if __name__ == "__main__":
    sys.exit(main())
