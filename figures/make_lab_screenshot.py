"""Write figures/jupyterlab_panel.png: what a learner sees, a notebook's interactive panel in a real JupyterLab.

    python figures/make_lab_screenshot.py [NOTEBOOK.ipynb]     # default 01_forget_gate.ipynb

Uses the browser tests' harness (tests/e2e/lab_harness.py): JupyterLab over a temporary copy of notebooks/,
headless Debian Chromium at /usr/bin/chromium. It runs all cells, moves the first panel's main slider three
steps to the right (so the picture shows a live redraw, "update N" included), and screenshots the panel.
A browser screenshot is not byte-for-byte reproducible (font hinting), unlike make_figures.py's figures.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import lab_harness  # noqa: E402

OUT = Path(__file__).resolve().parent / "jupyterlab_panel.png"


def main(notebook: str = "01_forget_gate.ipynb") -> None:
    reason = lab_harness.unavailable_reason()
    if reason:
        sys.exit(f"cannot take the screenshot: {reason}")
    from playwright.sync_api import sync_playwright

    with lab_harness.LabServer() as server, sync_playwright() as pw:
        browser = lab_harness.launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400}, device_scale_factor=1)
            nb = lab_harness.NotebookPage(page, server, notebook)
            nb.open()
            nb.run_all()
            problems = nb.cell_problems()
            if problems:
                sys.exit(f"{notebook} does not run cleanly:\n" + "\n".join(problems))
            nb.wait_widgets_rendered()
            if nb.panel_count() == 0:
                sys.exit(f"{notebook} shows no interactive panel")
            for _ in range(3):
                problems = lab_harness.step_problems(nb.step_main_slider(0, key="ArrowRight"))
                if problems:
                    sys.exit(f"{notebook}: the slider did not redraw: {problems}")
            page.mouse.move(0, 0)  # no hover highlight in the picture
            panel = page.locator(lab_harness.PANEL).first
            panel.scroll_into_view_if_needed()
            panel.screenshot(path=str(OUT))
        finally:
            browser.close()
    print(f"wrote {OUT.relative_to(OUT.parents[1])}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
