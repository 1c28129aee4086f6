"""Session fixtures for the browser tests: one JupyterLab server and one headless Chromium per run.

Both are always shut down, even when a test fails or the run is interrupted.  Without Playwright or
without /usr/bin/chromium every browser test skips and says why.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lab_harness  # noqa: E402


@pytest.fixture(scope="session")
def browser_harness_available():
    reason = lab_harness.unavailable_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def notebook_hashes_before():
    """Hashes of notebooks/*.ipynb taken before the server starts."""
    return lab_harness.file_hashes(lab_harness.notebook_paths())


@pytest.fixture(scope="session")
def lab_server(browser_harness_available, notebook_hashes_before):
    server = lab_harness.LabServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium(browser_harness_available):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = lab_harness.launch_chromium(pw)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()


@pytest.fixture
def open_notebook(lab_server, chromium):
    """open_notebook(name) -> a NotebookPage in a fresh browser context, closed after the test."""
    contexts = []

    def _open(name):
        context = chromium.new_context(viewport={"width": 1366, "height": 1024})
        contexts.append(context)
        return lab_harness.NotebookPage(context.new_page(), lab_server, name)

    yield _open
    for context in contexts:
        context.close()
    lab_server.shut_down_kernels()
