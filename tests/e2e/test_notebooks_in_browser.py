"""Every notebook in a real JupyterLab, in headless Chromium: all cells run without an error, and every
interactive panel redraws its plot when its main slider moves by one keyboard step.

The notebooks are discovered from notebooks/*.ipynb, so a new notebook is covered without editing this
file.  The server runs over a temporary copy: the notebooks on disk are never written (checked last).
On failure, a screenshot and the page's console log go to test-artifacts/.
"""
import contextlib
import os
import sys
from pathlib import Path

import pytest

import lab_harness

NOTEBOOKS = lab_harness.notebook_paths()


@contextlib.contextmanager
def artifacts_on_failure(nb_page, stem):
    try:
        yield
    except BaseException:
        saved = nb_page.save_artifacts(stem)
        print("saved " + ", ".join(os.path.relpath(p) for p in saved))
        raise


def test_lab_kernel_is_this_python(lab_server):
    """The notebooks run in the interpreter running pytest, as nbval's --nbval-current-env does."""
    specs = lab_server.api("kernelspecs")
    assert specs["default"] == "python3", f"default kernel is {specs['default']!r}"
    argv = specs["kernelspecs"]["python3"]["spec"]["argv"]
    assert Path(argv[0]) == Path(sys.executable), f"python3 kernel runs {argv[0]}, not {sys.executable}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_its_panels_respond(notebook, open_notebook):
    nb = open_notebook(notebook.name)
    with artifacts_on_failure(nb, f"e2e-{notebook.stem}"):
        nb.open()
        nb.run_all()

        problems = nb.cell_problems()
        assert not problems, f"{notebook.name} in JupyterLab:\n" + "\n\n".join(problems)

        nb.wait_widgets_rendered()
        violations = nb.contract_violations()
        assert not violations, f"{notebook.name} breaks the panel contract:\n" + "\n".join(violations)

        # Each panel: one keyboard step on its main slider, then one step back.
        for i in range(nb.panel_count()):
            forward = nb.step_main_slider(i)
            back = nb.step_main_slider(i, key="ArrowLeft" if forward["key"] == "ArrowRight" else "ArrowRight")
            for step in (forward, back):
                problems = lab_harness.step_problems(step)
                assert not problems, (f"{notebook.name}, panel #{i}, {step['key']} on the main slider:\n  "
                                      + "\n  ".join(problems) + "\nkernel errors/stderr: "
                                      + repr(nb.kernel_messages()))
            start, end = forward["before"]["slider"]["value"], back["after"]["slider"]["value"]
            assert abs(end - start) <= 1e-9 * max(1.0, abs(start)), (
                f"{notebook.name}, panel #{i}: one step and one step back should return the slider to {start}, "
                f"got {end}")

        messages = nb.kernel_messages()
        assert not messages, f"{notebook.name}: the kernel reported errors:\n" + "\n".join(messages)


def test_notebooks_on_disk_unchanged(lab_server, notebook_hashes_before):
    """Runs after the notebooks: the browser worked on a temporary copy only."""
    after = lab_harness.file_hashes(lab_harness.notebook_paths())
    changed = sorted(n for n in notebook_hashes_before if after.get(n) != notebook_hashes_before[n])
    assert not changed, (f"notebooks on disk changed while the browser tests ran: {changed} (the tests must "
                         f"only touch a temporary copy, unless someone edited these files meanwhile)")
