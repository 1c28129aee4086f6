"""End-to-end slider latency in a real JupyterLab: from a key press on a panel's main slider until the new
plot image is displayed in headless Chromium.

For every notebook in notebooks/ that shows an interactive panel, the script runs all cells, then presses an
arrow key on each panel's main slider (2 warm-up presses, then --presses measured ones) and times each step
inside the page with performance.now(): from the keydown event to the moment the new PNG is decoded and the
next frame is being painted.  The panel's "update N" status label (set in the kernel after drawing) must
advance on every step, so each sample is one complete redraw.

Uses the same harness as the browser tests (tests/e2e/lab_harness.py): a JupyterLab over a temporary copy of
the notebooks, Debian's /usr/bin/chromium.  Goal: median <= 100 ms.

    python benchmarks/e2e_latency.py                      # every notebook
    python benchmarks/e2e_latency.py --presses 40 01_forget_gate.ipynb
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import lab_harness  # noqa: E402

GOAL_MS = 100.0
WARMUP = 2


def p95(samples: list[float]) -> float:
    """95th percentile, linear interpolation between order statistics (numpy's default)."""
    s = sorted(samples)
    k = 0.95 * (len(s) - 1)
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def measure_notebook(nb_page, presses: int) -> list[dict]:
    """One row per panel: display latencies (ms) for `presses` measured key presses."""
    rows = []
    for i in range(nb_page.panel_count()):
        display, status = [], []
        for k in range(WARMUP + presses):
            step = nb_page.step_main_slider(i)
            problems = lab_harness.step_problems(step)
            if problems or step["why"] != "done":
                raise RuntimeError(f"{nb_page.name} panel #{i}: step {k} did not redraw ({step['why']}): "
                                   f"{'; '.join(problems)}; kernel: {nb_page.kernel_messages()}")
            if k >= WARMUP:
                display.append(step["latency_ms"])
                status.append(step["status_ms"])
        rows.append({"notebook": nb_page.name, "panel": i, "n": len(display),
                     "median": statistics.median(display), "p95": p95(display),
                     "status_median": statistics.median(status)})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebook file names in notebooks/ (default: all)")
    ap.add_argument("--presses", type=int, default=24, help="measured key presses per panel (>= 20)")
    args = ap.parse_args(argv)
    if args.presses < 20:
        ap.error("--presses must be at least 20 for a meaningful p95")
    reason = lab_harness.unavailable_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    paths = lab_harness.notebook_paths()
    if args.notebooks:
        wanted = set(args.notebooks)
        paths = [p for p in paths if p.name in wanted]
        missing = wanted - {p.name for p in paths}
        if missing:
            ap.error(f"not in notebooks/: {sorted(missing)}")

    from playwright.sync_api import sync_playwright

    print(f"# e2e slider latency: {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f} at start; {WARMUP} warm-up + {args.presses} presses per panel")
    rows, no_panel, broken = [], [], {}
    t_start = time.perf_counter()
    with lab_harness.LabServer() as server, sync_playwright() as pw:
        browser = lab_harness.launch_chromium(pw)
        try:
            for n, path in enumerate(paths, 1):
                print(f"[{n}/{len(paths)}] {path.name}: running all cells ...", flush=True)
                context = browser.new_context(viewport={"width": 1366, "height": 1024})
                try:
                    nb = lab_harness.NotebookPage(context.new_page(), server, path.name)
                    nb.open()
                    nb.run_all()
                    problems = nb.cell_problems()
                    if problems:
                        raise RuntimeError(problems[0].split("\n")[0])
                    nb.wait_widgets_rendered()
                    if nb.panel_count() == 0:
                        no_panel.append(path.name)
                        continue
                    new = measure_notebook(nb, args.presses)
                    rows += new
                    for r in new:
                        print(f"    panel #{r['panel']}: median {r['median']:.1f} ms, p95 {r['p95']:.1f} ms", flush=True)
                except Exception as exc:  # one broken notebook must not hide the others' figures
                    broken[path.name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                    print(f"    not measured: {broken[path.name]}", flush=True)
                finally:
                    context.close()
                    server.shut_down_kernels()
        finally:
            browser.close()

    print("\n| notebook | panel | presses | median (ms) | p95 (ms) | status label, median (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['notebook']} | {r['panel']} | {r['n']} | {r['median']:.1f} | {r['p95']:.1f} | "
              f"{r['status_median']:.1f} |")
    if no_panel:
        print(f"\nno interactive panel: {', '.join(no_panel)}")
    for name, why in broken.items():
        print(f"NOT MEASURED {name}: {why}")
    worst = max((r["median"] for r in rows), default=float("nan"))
    verdict = "meets" if rows and worst <= GOAL_MS else "misses"
    print(f"\nslowest median {worst:.1f} ms: {verdict} the goal (median <= {GOAL_MS:.0f} ms); "
          f"load average {os.getloadavg()[0]:.2f} at the end; total {time.perf_counter() - t_start:.1f} s")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
