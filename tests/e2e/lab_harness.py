"""A real JupyterLab driven by headless Chromium: the harness behind the browser tests and
`benchmarks/e2e_latency.py`.

- `LabServer` starts `jupyter lab` on 127.0.0.1 (free port, random token) over a TEMPORARY COPY of the
  notebooks, with every directory Jupyter, IPython and matplotlib write to pointed into that temp folder, and
  a `python3` kernelspec that runs this very interpreter.  Nothing it does writes into the repository.
- `launch_chromium` starts Debian's `/usr/bin/chromium` through Playwright (never `playwright install`).
- `NotebookPage` opens one notebook in a fresh page, runs every cell through JupyterLab's own command,
  reports errors, and steps an interactive panel's main slider, timing the redraw in the page.

The interactive-panel contract (BRIEF.md): a panel is an ipywidgets VBox with class `lstm-panel`; its main
slider has class `lstm-main-slider`; the plot is an `ipywidgets.Image` with class `lstm-plot`; a Label with
class `lstm-status` reads "update N" after each redraw finishes.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO / "notebooks"
ARTIFACTS_DIR = REPO / "test-artifacts"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
# The status bar names the kernel by its kernelspec display name.
KERNEL_DISPLAY_NAME = "Python 3 (ipykernel)"
# Lab settings for a quiet page: no "Get notified about news" pop-up covering the notebook.
# Windowing off: every cell stays in the DOM, so every panel can be found and scrolled to.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}

# The same selectors appear in the in-page scripts below (the plot: "img.lstm-plot, .lstm-plot img"; the
# label: ".lstm-status").  ipywidgets 8 sliders are noUiSliders; the handle takes the keyboard focus.
PANEL = ".lstm-panel"
MAIN_SLIDER_HANDLE = ".lstm-main-slider .noUi-handle[role=slider]"


def notebook_paths(notebooks_dir: Path | None = None) -> list[Path]:
    """Every notebook of the series, in order; new notebooks are picked up without editing anything."""
    return sorted(Path(notebooks_dir or NOTEBOOKS_DIR).glob("*.ipynb"))


def file_hashes(paths) -> dict[str, str]:
    return {Path(p).name: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def unavailable_reason() -> str | None:
    """Why the browser harness cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Python Playwright is not importable ({exc}); pip install -r requirements.txt"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM}; apt-get install -y chromium"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """`jupyter lab` over a temporary copy of `notebooks_dir`; use as a context manager or call stop()."""

    def __init__(self, notebooks_dir: Path | None = None, startup_timeout: float = 60.0):
        self.notebooks_dir = Path(notebooks_dir or NOTEBOOKS_DIR)
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(24)
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.tmp = Path(tempfile.mkdtemp(prefix="lstm-e2e-"))
        self.root_dir = self.tmp / "notebooks"
        self.log_path = self.tmp / "jupyter-lab.log"
        self.proc: subprocess.Popen | None = None

    # -- set-up -----------------------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        home = self.tmp / "home"
        dirs = {
            "HOME": home,
            "JUPYTER_CONFIG_DIR": home / ".jupyter",
            "JUPYTER_DATA_DIR": home / ".local/share/jupyter",
            "JUPYTER_RUNTIME_DIR": home / ".local/share/jupyter/runtime",
            "IPYTHONDIR": home / ".ipython",
            "MPLCONFIGDIR": home / ".config/matplotlib",
            "JUPYTERLAB_SETTINGS_DIR": home / ".jupyter/lab/user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": home / ".jupyter/lab/workspaces",
        }
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               # A user's MPLBACKEND (e.g. Agg) would replace the inline backend and warn on plt.show();
               # JUPYTER_PATH could bring in another python3 kernelspec.
               if k not in ("MPLBACKEND", "JUPYTER_PATH", "JUPYTER_PREFER_ENV_PATH")}
        env.update({k: str(v) for k, v in dirs.items()})
        # In a venv Jupyter would look in the env's data dir first; ours comes first, so its kernelspec wins.
        env["JUPYTER_PREFER_ENV_PATH"] = "0"
        env["PYTHONUNBUFFERED"] = "1"

        # Lab settings as user settings: one JSON file per plugin.
        for plugin_id, values in LAB_SETTINGS.items():
            package, plugin = plugin_id.split(":")
            target = dirs["JUPYTERLAB_SETTINGS_DIR"] / package / f"{plugin}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values, indent=2), encoding="utf-8")

        # The kernel is this interpreter (the one running pytest), whatever kernelspecs the machine has.
        spec_dir = dirs["JUPYTER_DATA_DIR"] / "kernels" / "python3"
        spec_dir.mkdir(parents=True, exist_ok=True)
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": KERNEL_DISPLAY_NAME,
            "language": "python",
            "metadata": {"debugger": False},
        }, indent=2), encoding="utf-8")
        return env

    def start(self) -> "LabServer":
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        shutil.copytree(self.notebooks_dir, self.root_dir,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        env = self._environment()
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
            "--LabApp.expose_app_in_browser=True",
        ]
        with open(self.log_path, "wb") as log:
            # Its own process group, so stop() can end everything it started. Kernels get their own sessions
            # from jupyter_client; the server shuts them down on SIGTERM, and they exit if it dies.
            self.proc = subprocess.Popen(cmd, cwd=self.root_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        url = f"{self.base_url}/api/status?token={self.token}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise TimeoutError(f"jupyter lab did not answer {url} within {self.startup_timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    # -- use ---------------------------------------------------------------------------------------
    def notebook_url(self, name: str) -> str:
        return f"{self.base_url}/lab/tree/{quote(name)}?reset&token={self.token}"

    def api(self, path: str):
        """GET /api/<path> from the server, as JSON."""
        with urllib.request.urlopen(f"{self.base_url}/api/{path}?token={self.token}", timeout=10) as resp:
            return json.load(resp)

    def shut_down_kernels(self) -> None:
        """End every notebook session (and its kernel), so one notebook's kernel does not load the next test."""
        for session in self.api("sessions"):
            req = urllib.request.Request(f"{self.base_url}/api/sessions/{session['id']}?token={self.token}",
                                         method="DELETE")
            with contextlib.suppress(urllib.error.URLError):
                urllib.request.urlopen(req, timeout=30).close()

    def log_tail(self, n_chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-n_chars:]
        except OSError:
            return "(no server log)"

    # -- tear-down ---------------------------------------------------------------------------------
    def stop(self) -> None:
        """SIGTERM (the server then shuts its kernels down), SIGKILL if needed; delete the temp folder."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if proc is not None:
            try:  # anything left in the server's process group
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def launch_chromium(playwright):
    """Headless Debian Chromium; the caller closes it."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


# ------------------------------------------------------------------------------------------------
# In-page helpers.  `window.jupyterapp` exists because the server runs with expose_app_in_browser.
_JS_HELPERS = r"""
() => {
  if (window.__lstm) return;
  const app = window.jupyterapp;
  const notebookPanel = () => {
    const w = app.shell.currentWidget;
    return (w && w.content && w.content.model && w.sessionContext) ? w : null;
  };
  const codeCells = () => {
    const p = notebookPanel();
    if (!p) return [];
    const out = [];
    const cells = p.content.model.cells;
    for (let i = 0; i < cells.length; i++) {
      const m = cells.get(i);
      if (m.type === 'code') out.push({index: i, model: m});
    }
    return out;
  };
  window.__lstm = {
    iopub: [],
    notebookPanel,
    ready() {
      const p = notebookPanel();
      if (!p) return false;
      const s = p.sessionContext;
      const k = s.session && s.session.kernel;
      return Boolean(p.context.isReady && s.isReady && k && k.status === 'idle');
    },
    watchKernel() {
      // Errors and stderr the kernel sends while sliders move never reach a cell: record them here.
      const k = notebookPanel().sessionContext.session.kernel;
      k.iopubMessage.connect((_, msg) => {
        const t = msg.header.msg_type, c = msg.content;
        if (t === 'error') this.iopub.push(`${c.ename}: ${c.evalue}`);
        if (t === 'stream' && c.name === 'stderr') this.iopub.push(`stderr: ${c.text}`);
      });
    },
    slider(i) {
      // noUiSlider rounds aria-valuenow to one decimal: read the slider's own API and readout instead.
      const s = document.querySelectorAll('.lstm-panel')[i].querySelector('.lstm-main-slider');
      const t = s.querySelector('.noUi-target');
      const h = s.querySelector('.noUi-handle[role=slider]');
      const api = t && t.noUiSlider;
      const readout = s.querySelector('.widget-readout');
      return {value: api ? Number(api.get()) : Number(h.getAttribute('aria-valuenow')),
              min: api ? Number(api.options.range.min) : Number(h.getAttribute('aria-valuemin')),
              max: api ? Number(api.options.range.max) : Number(h.getAttribute('aria-valuemax')),
              text: readout ? readout.textContent.trim() : h.getAttribute('aria-valuetext')};
    },
    widgetOutputs() {
      // Cell outputs showing a widget view (not the outputs nested inside an Output widget).
      return Array.from(document.querySelectorAll('.jp-Cell .jp-OutputArea-output')).filter(
        (o) => !o.parentElement.closest('.jupyter-widgets')
               && o.firstElementChild && o.firstElementChild.classList.contains('jupyter-widgets'));
    },
    kernelStatus() {
      const p = notebookPanel();
      const k = p && p.sessionContext.session && p.sessionContext.session.kernel;
      return k ? k.status : 'none';
    },
    cells() {
      return codeCells().map(({index, model}) => {
        const j = model.toJSON();
        const src = Array.isArray(j.source) ? j.source.join('') : j.source;
        return {index, empty: src.trim() === '', execution_count: model.executionCount,
                running: model.executionState === 'running', outputs: j.outputs || []};
      });
    },
  };
}
"""

# Arms one slider step on panel `i`: resolves with in-page timings after the key press.
_JS_ARM_STEP = r"""
([i, timeoutMs]) => {
  const panel = document.querySelectorAll('.lstm-panel')[i];
  const handle = panel.querySelector('.lstm-main-slider .noUi-handle[role=slider]');
  const img = panel.querySelector('img.lstm-plot, .lstm-plot img');
  const status = panel.querySelector('.lstm-status');
  const before = {src: img.getAttribute('src'), status: status.textContent.trim(), slider: window.__lstm.slider(i)};
  const r = {before, t0: null, tImg: null, tStatus: null};
  window.__lstmStep = new Promise((resolve) => {
    const finish = (why) => {
      imgObs.disconnect(); stObs.disconnect(); clearTimeout(timer);
      handle.removeEventListener('keydown', onKey, true);
      resolve(Object.assign(r, {why, after: {src: img.getAttribute('src'), status: status.textContent.trim(),
                                             slider: window.__lstm.slider(i)}}));
    };
    const maybeDone = () => { if (r.tImg !== null && r.tStatus !== null) finish('done'); };
    const onKey = () => { if (r.t0 === null) r.t0 = performance.now(); };
    handle.addEventListener('keydown', onKey, true);
    // The new plot counts as displayed once its PNG is decoded and the next frame is being painted.
    const imgObs = new MutationObserver(() => {
      const src = img.getAttribute('src');
      if (r.tImg !== null || src === before.src) return;
      img.decode().catch(() => {}).then(() => requestAnimationFrame(() => {
        r.tImg = performance.now(); maybeDone();
      }));
    });
    imgObs.observe(img, {attributes: true, attributeFilter: ['src']});
    const stObs = new MutationObserver(() => {
      if (r.tStatus === null && status.textContent.trim() !== before.status) {
        r.tStatus = performance.now(); maybeDone();
      }
    });
    stObs.observe(status, {childList: true, characterData: true, subtree: true});
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
  });
  return before;
}
"""


class NotebookPage:
    """One notebook open in its own Playwright page."""

    def __init__(self, page, server: LabServer, name: str):
        self.page = page
        self.server = server
        self.name = name
        self.console: list[str] = []
        page.on("console", lambda m: self.console.append(f"[{m.type}] {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"[pageerror] {e}"))

    # -- opening and running -------------------------------------------------------------------------
    def open(self, timeout_s: float = 120.0) -> None:
        """Open the notebook and wait until its kernel is idle ("Python 3 (ipykernel) | Idle")."""
        self.page.goto(self.server.notebook_url(self.name), wait_until="domcontentloaded")
        with self._explained("JupyterLab did not load"):
            self.page.wait_for_function("() => Boolean(window.jupyterapp && window.jupyterapp.shell)",
                                        timeout=timeout_s * 1000)
        self.page.evaluate(_JS_HELPERS)
        with self._explained(f"the kernel did not become idle within {timeout_s:.0f} s"):
            # The status bar is the reliable signal (the execution indicator says idle too early).
            self.page.get_by_text(re.compile(rf"{re.escape(KERNEL_DISPLAY_NAME)} \| Idle")).first.wait_for(
                timeout=timeout_s * 1000)
            self.page.wait_for_function("() => window.__lstm.ready()", timeout=timeout_s * 1000)
        self.page.evaluate("() => window.__lstm.watchKernel()")

    def run_all(self, timeout_s: float = 600.0) -> None:
        """Clear every output, run all cells with JupyterLab's command, wait until all have run."""
        self.page.evaluate("""async () => {
            const c = window.jupyterapp.commands;
            await c.execute('notebook:clear-all-cell-outputs');
            window.__lstmRun = 'running';
            c.execute('notebook:run-all-cells').then(
                (ok) => { window.__lstmRun = ok ? 'ok' : 'stopped'; },
                (err) => { window.__lstmRun = 'failed: ' + err; });
        }""")
        # Done when the command has returned and the kernel is idle with no cell left running.
        with self._explained(f"running all cells took longer than {timeout_s:.0f} s"):
            self.page.wait_for_function("""() => window.__lstmRun !== 'running'
                && window.__lstm.kernelStatus() === 'idle'
                && window.__lstm.cells().every((c) => !c.running)""", timeout=timeout_s * 1000, polling=250)

    @contextlib.contextmanager
    def _explained(self, what: str):
        """Turn a bare Playwright timeout into a message saying where the notebook was stuck."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            yield
        except PlaywrightTimeout as exc:
            raise TimeoutError(f"{self.name}: {what}.\n{self._where_stuck()}") from exc

    def _where_stuck(self) -> str:
        try:
            info = self.page.evaluate("""() => ({
                status: Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
                             .map((e) => e.textContent.trim()).filter(Boolean),
                dialogs: Array.from(document.querySelectorAll('.jp-Dialog')).map((e) => e.innerText.trim()),
                run: window.__lstmRun || null,
                cells: window.__lstm ? window.__lstm.cells().filter((c) => c.running || (!c.empty
                         && c.execution_count === null)).map((c) => `${c.index}${c.running ? ' (running)' : ''}`)
                       : null,
            })""")
        except Exception as exc:  # the page itself may be gone
            return f"(page state unavailable: {exc})"
        return (f"status bar: {info['status']}; dialogs: {info['dialogs'] or 'none'}; run-all: {info['run']}; "
                f"cells running or not run: {info['cells']}")

    def cells(self) -> list[dict]:
        return self.page.evaluate("() => window.__lstm.cells()")

    def run_state(self) -> str:
        return self.page.evaluate("() => window.__lstmRun")

    # -- checks -------------------------------------------------------------------------------------------
    def cell_problems(self) -> list[str]:
        """Errors, tracebacks, warnings and cells that never ran, each naming its cell."""
        problems = []
        for c in self.cells():
            where = f"cell {c['index']}"
            if not c["empty"] and c["execution_count"] is None:
                problems.append(f"{where} did not run")
            for out in c["outputs"]:
                if out.get("output_type") == "error":
                    tb = "\n".join(out.get("traceback", []))
                    tb = re.sub(r"\x1b\[[0-9;]*m", "", tb)  # ANSI colours
                    problems.append(f"{where} raised {out.get('ename')}: {out.get('evalue')}\n{tb[-1500:]}")
                elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                    # Warnings, tracebacks, text progress bars: the notebooks promise no stderr at all.
                    text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
                    problems.append(f"{where} wrote to stderr:\n{text[-1500:]}")
        # What the page shows, in case a renderer failed where the model looks fine.
        if not problems:
            shown = self.page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            for text in shown.all_inner_texts():
                if "Traceback" in text or "Error" in text.split("\n")[0]:
                    problems.append(f"an output shows an error:\n{text[-1500:]}")
        for text in self.page.locator(".jp-OutputArea-output").all_inner_texts():
            if "Error displaying widget" in text:
                problems.append(f"a widget failed to display: {text.strip()[:300]}")
        return problems

    def kernel_messages(self) -> list[str]:
        """Errors and stderr the kernel sent since the notebook opened (including slider callbacks)."""
        return self.page.evaluate("() => window.__lstm.iopub.slice()")

    def wait_widgets_rendered(self, timeout_s: float = 60.0) -> None:
        """Wait until every widget the cells display has a view in the page (or shows a display error)."""
        self.page.wait_for_function("""() => {
            const expected = window.__lstm.cells().reduce((n, c) => n + c.outputs.filter(
                (o) => o.data && o.data['application/vnd.jupyter.widget-view+json']).length, 0);
            const shown = window.__lstm.widgetOutputs().length + Array.from(
                document.querySelectorAll('.jp-OutputArea-output')).filter(
                (o) => o.textContent.includes('Error displaying widget')).length;
            return shown >= expected;
        }""", timeout=timeout_s * 1000, polling=250)

    def contract_violations(self) -> list[str]:
        """Interactive figures that do not follow the panel contract of BRIEF.md."""
        return self.page.evaluate(r"""() => {
          const bad = [];
          window.__lstm.widgetOutputs().forEach((o, k) => {
            const hasSlider = o.querySelector('.widget-slider');
            const hasPlot = o.querySelector('img, canvas');
            if (hasSlider && hasPlot && !o.querySelector('.lstm-panel'))
              bad.push(`widget output #${k} has a slider and a plot but no .lstm-panel (ipywidgets VBox ` +
                       `with add_class('lstm-panel'), see BRIEF.md "The interactive-panel contract")`);
          });
          document.querySelectorAll('.lstm-panel').forEach((p, i) => {
            const need = {
              '.lstm-main-slider (slider with add_class("lstm-main-slider"))':
                  '.lstm-main-slider .noUi-handle[role=slider]',
              '.lstm-plot (ipywidgets.Image with add_class("lstm-plot"))': 'img.lstm-plot, .lstm-plot img',
              '.lstm-status (Label with add_class("lstm-status"))': '.lstm-status',
            };
            for (const [what, sel] of Object.entries(need)) {
              const n = p.querySelectorAll(sel).length;
              if (n !== 1) bad.push(`panel #${i}: expected exactly one ${what}, found ${n}`);
            }
          });
          return bad;
        }""")

    def panel_count(self) -> int:
        return self.page.locator(PANEL).count()

    # -- sliders --------------------------------------------------------------------------------------------
    def step_main_slider(self, i: int, key: str | None = None, timeout_s: float = 30.0) -> dict:
        """Press one arrow key on panel i's main slider; return in-page timings (ms) and before/after state.

        `key` defaults to ArrowRight, or ArrowLeft when the slider is already at its maximum.
        Result: {before, after, why ('done' | 'timeout'), latency_ms (key press -> new plot displayed),
        status_ms (key press -> status label changed)}.
        """
        panel = self.page.locator(PANEL).nth(i)
        handle = panel.locator(MAIN_SLIDER_HANDLE)
        handle.scroll_into_view_if_needed()
        if key is None:
            state = self.page.evaluate("(i) => window.__lstm.slider(i)", i)
            key = "ArrowLeft" if state["value"] >= state["max"] else "ArrowRight"
        handle.focus()
        self.page.evaluate(_JS_ARM_STEP, [i, timeout_s * 1000])
        handle.press(key)
        r = self.page.evaluate("() => window.__lstmStep")
        r["key"] = key
        r["latency_ms"] = r["tImg"] - r["t0"] if r["tImg"] is not None and r["t0"] is not None else None
        r["status_ms"] = r["tStatus"] - r["t0"] if r["tStatus"] is not None and r["t0"] is not None else None
        return r

    # -- evidence on failure -----------------------------------------------------------------------------
    def save_artifacts(self, stem: str, directory: Path | None = None) -> list[Path]:
        """A full-page screenshot, the page's console log and the server log tail."""
        directory = Path(directory or ARTIFACTS_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        saved = []
        shot = directory / f"{stem}.png"
        try:
            self.page.screenshot(path=str(shot), full_page=True)
            saved.append(shot)
        except Exception as exc:  # a crashed page must not hide the original failure
            self.console.append(f"[harness] screenshot failed: {exc}")
        log = directory / f"{stem}.console.txt"
        log.write_text("\n".join(self.console) + "\n\n--- jupyter lab log (tail) ---\n" + self.server.log_tail(),
                       encoding="utf-8")
        saved.append(log)
        return saved


def step_problems(step: dict) -> list[str]:
    """What went wrong in one slider step (empty when the slider moved, the plot changed, the label advanced)."""
    before, after = step["before"], step["after"]
    problems = []
    if after["slider"]["value"] == before["slider"]["value"]:
        problems.append(f"the slider did not move (its value stayed {before['slider']['text']})")
    if after["src"] == before["src"]:
        problems.append("the plot image (.lstm-plot) did not change")
    n_before, n_after = status_number(before["status"]), status_number(after["status"])
    if n_after is None or (n_before is not None and n_after <= n_before):
        problems.append(f"the .lstm-status label went from {before['status']!r} to {after['status']!r}, "
                        f"expected 'update N' with a larger N")
    if problems and step["why"] == "timeout":
        problems.append("nothing more happened within the step timeout")
    return problems


def status_number(text: str) -> int | None:
    """N from the panel's "update N" label, or None."""
    m = re.search(r"update\s+(\d+)", text or "")
    return int(m.group(1)) if m else None
