"""Every notebook in a real JupyterLab, in headless Chromium: all cells run without an error, and every
interactive panel redraws its plot when its main slider moves by one keyboard step.

The notebooks are discovered from notebooks/*.ipynb, so a new notebook is covered without editing this
file.  The server runs over a temporary copy: the notebooks on disk are never written (checked last).
On failure, a screenshot and the page's console log go to test-artifacts/.
"""
import contextlib

import pytest

import lab_harness

NOTEBOOKS = lab_harness.notebook_paths()


@contextlib.contextmanager
def artifacts_on_failure(nb_page, stem):
    try:
        yield
    except BaseException:
        saved = nb_page.save_artifacts(stem)
        print("saved " + ", ".join(str(p.relative_to(lab_harness.REPO)) for p in saved))
        raise


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

        for i in range(nb.panel_count()):
            step = nb.step_main_slider(i)
            where = f"{notebook.name}, panel #{i}, {step['key']} on the main slider"
            before, after = step["before"], step["after"]
            failures = []
            if after["slider"]["value"] == before["slider"]["value"]:
                failures.append(f"the slider did not move (its value stayed {before['slider']['text']})")
            if after["src"] == before["src"]:
                failures.append("the plot image (.lstm-plot) did not change")
            n_before = lab_harness.status_number(before["status"])
            n_after = lab_harness.status_number(after["status"])
            if n_after is None or (n_before is not None and n_after <= n_before):
                failures.append(f"the .lstm-status label went from {before['status']!r} to {after['status']!r}, "
                                f"expected 'update N' with a larger N")
            if failures and step["why"] == "timeout":
                failures.append("nothing more happened within the step timeout")
            assert not failures, (f"{where}:\n  " + "\n  ".join(failures)
                                  + "\nkernel errors/stderr: " + repr(nb.kernel_messages()))

        messages = nb.kernel_messages()
        assert not messages, f"{notebook.name}: the kernel reported errors:\n" + "\n".join(messages)


def test_notebooks_on_disk_unchanged(lab_server, notebook_hashes_before):
    """Runs after the notebooks: the browser worked on a temporary copy only."""
    after = lab_harness.file_hashes(lab_harness.notebook_paths())
    changed = sorted(n for n in notebook_hashes_before if after.get(n) != notebook_hashes_before[n])
    assert not changed, (f"notebooks on disk changed while the browser tests ran: {changed} (the tests must "
                         f"only touch a temporary copy, unless someone edited these files meanwhile)")
