"""One slider update in the kernel, until the new PNG is ready, against redrawing from scratch.

    python benchmarks/slider_latency.py            # every registered panel, ~1 minute
    python benchmarks/slider_latency.py --only f   # panels whose label starts with "f"

For every panel in PANELS: build it, then sweep its main slider across the whole range (a drag,
including the jumps where an axis has to grow) and time `panel.set(...)`, which recomputes the
step with lstm_core, updates the artists, blits and encodes the PNG the Image widget sends.  In
the same run the naive way is timed on the same content: a new figure for every change, drawn
and saved as PNG (what `interact` does; without bbox_inches="tight", which would cost more).
Prints the median and p95 of both and their ratio, against the goal of issue 3 §7: median
<= 50 ms and >= 6x faster than the naive way.  Wall-clock times (the goal is about them); the
CPU time of the process is printed too, and the load average, because the machine is shared.
"""
import argparse
import io
import os
import platform
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

GOAL_MS, GOAL_RATIO = 50.0, 6.0


def _sweep(name, lo, hi, n):
    """n values across [lo, hi] and back, as a drag would send them."""
    there = np.linspace(lo, hi, n // 2 + 1)
    return [{name: float(v)} for v in np.concatenate([there, there[-2::-1]])][:n]


def _gate_panel(kind):
    def factory():
        from lstm_core.panel import make_panel
        return make_panel(kind)
    return factory


def _sequence_panel():
    from lstm_core import LSTMParams
    from lstm_core.sequence_panel import make_sequence_panel
    params = LSTMParams.random(2, 6, seed=0, forget_bias=1.0)
    xs = np.random.default_rng(0).standard_normal((24, 2))
    return make_sequence_panel(params, xs)


def _int_sweep(name, lo, hi, n):
    return [{name: int(round(d[name]))} for d in _sweep(name, lo, hi, n)]


def _gradflow_panel():
    from lstm_core.gradflow_panel import GradFlowPanel
    return GradFlowPanel()


def _gradflow_naive(panel):
    """Notebook 00's panel has no static_figure(); its plain figure is flow_figure(compare_flow(...))."""
    import matplotlib.pyplot as plt
    from lstm_core.gradflow import compare_flow
    from lstm_core.gradflow_panel import flow_figure
    v = panel.values
    fig = flow_figure(compare_flow(v["rho"], v["b_f"], panel.setup), figsize=panel.figure.get_size_inches(),
                      dpi=panel.figure.dpi)
    try:
        return _png_of(fig)
    finally:
        plt.close(fig)


def _png_of(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def naive_png(panel):
    """The naive update: a brand-new figure of the same content, drawn and encoded."""
    return _png_of(panel.static_figure(pyplot=False))


# One line per panel: (label, factory returning an object with .set(**values) -> PNG bytes and
# .figure, values(n) -> list of set() keyword dicts[, naive(panel) -> PNG bytes of a new figure of
# the same state; default naive_png, which uses panel.static_figure(pyplot=False)]).
PANELS = [
    ("00 gradient flow (00), drag rho", _gradflow_panel, lambda n: _sweep("rho", 0.05, 2.5, n), _gradflow_naive),
    ("f  forget gate (01), drag b_f", _gate_panel("f"), lambda n: _sweep("b_f", -10, 10, n)),
    ("i  input gate (02), drag b_i", _gate_panel("i"), lambda n: _sweep("b_i", -10, 10, n)),
    ("c  cell state (03), drag f", _gate_panel("c"), lambda n: _sweep("f", 0, 1, n)),
    ("o  output gate (04), drag b_o", _gate_panel("o"), lambda n: _sweep("b_o", -10, 10, n)),
    ("05 time slider (05), drag t", _sequence_panel, lambda n: _int_sweep("t", 0, 23, n)),
]


def _ms(seconds):
    return [1000.0 * s for s in seconds]


def _p95(xs):
    return float(np.percentile(xs, 95))


def measure(label, factory, values, n_fast, n_naive, naive_png=naive_png):
    t0 = time.perf_counter()
    panel = factory()
    build = time.perf_counter() - t0
    fast_values = values(n_fast)
    panel.set(**fast_values[1])            # warm caches (fonts, mathtext) before timing
    fast, cpu = [], []
    for v in fast_values:
        t0, c0 = time.perf_counter(), time.process_time()
        png = panel.set(**v)
        fast.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        assert png[:4] == b"\x89PNG"
    naive = []
    naive_values = values(n_naive)
    naive_png(panel)                        # warm-up
    for v in naive_values:
        panel.set(**v)                      # untimed: bring the panel to the same state
        t0 = time.perf_counter()
        png = naive_png(panel)
        naive.append(time.perf_counter() - t0)
        assert png[:4] == b"\x89PNG"
    fast, naive, cpu = _ms(fast), _ms(naive), _ms(cpu)
    w, h = panel.figure.canvas.get_width_height(physical=True)
    return dict(label=label, build=build, size=f"{w}x{h}", n=len(fast), median=statistics.median(fast),
                p95=_p95(fast), cpu_median=statistics.median(cpu), naive_median=statistics.median(naive),
                naive_p95=_p95(naive), ratio=statistics.median(naive) / statistics.median(fast),
                png_kb=len(panel.png) / 1024)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="", help="run only panels whose label starts with this")
    ap.add_argument("--updates", type=int, default=40, help="timed slider updates per panel")
    ap.add_argument("--naive", type=int, default=12, help="timed naive redraws per panel")
    args = ap.parse_args(argv)
    import matplotlib as mpl
    print(f"# slider latency — {platform.python_version()}, matplotlib {mpl.__version__}, "
          f"{os.cpu_count()} cores, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    for label, factory, values, *naive in PANELS:
        if not label.startswith(args.only):
            continue
        r = measure(label, factory, values, args.updates, args.naive, *naive)
        rows.append(r)
        ok = r["median"] <= GOAL_MS and r["ratio"] >= GOAL_RATIO
        print(f"{label:32s} median {r['median']:6.1f} ms  p95 {r['p95']:6.1f} ms  (CPU {r['cpu_median']:5.1f} ms)"
              f"  | naive median "
              f"{r['naive_median']:6.1f} ms  p95 {r['naive_p95']:6.1f} ms  | {r['ratio']:5.1f}x  "
              f"{'meets' if ok else 'MISSES'} goal", flush=True)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n| panel | image | updates | median | p95 | CPU median | naive median | naive p95 | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['label']} | {r['size']} px, {r['png_kb']:.0f} KB | {r['n']} | {r['median']:.1f} ms | "
              f"{r['p95']:.1f} ms | {r['cpu_median']:.1f} ms | {r['naive_median']:.1f} ms | "
              f"{r['naive_p95']:.1f} ms | {r['ratio']:.1f}x |")
    missed = [r["label"] for r in rows if r["median"] > GOAL_MS or r["ratio"] < GOAL_RATIO]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
