"""Fast rendering for figures redrawn behind a slider: a text-caching Agg canvas, a quick PNG encoder.

    fast_canvas(fig)     attach an Agg canvas whose renderer rasterises each plain string once
    render_png(fig)      PNG bytes of what the canvas holds now, without drawing again
    LiveImage(fig)       the live plot of a slider panel: Image + status Label, blit, encode, bump
    panel_box(rows, main_slider, live)   the panel's VBox with the browser-test CSS classes
    LivePanel            mixin: a panel's .image, .status, .png, .updates read from its .live

Why: on this machine a panel update spent about a third of its time laying out and rasterising
the same short numbers glyph by glyph (matplotlib 3.11's Agg text path) and another third in
Pillow's PNG encoder (adaptive row filters).  benchmarks/slider_latency.py measures the result.
"""
import math
from contextlib import contextmanager
import struct
import warnings
import zlib

import numpy as np

_TEXT_CACHE = {}          # (string, font properties, dpi, antialiased) -> bitmap and metrics
_TEXT_CACHE_SIZE = 4096
_RENDERER_CLASS = None


def _rasterise(renderer, s, prop, antialiased=True):
    """(image, xo, yo, descent, width, height) of plain text `s`, from one FreeType layout."""
    from matplotlib.backends.backend_agg import get_hinting_flag
    key = (s, hash(prop), renderer.dpi, antialiased)
    hit = _TEXT_CACHE.get(key)
    if hit is None:
        font = renderer._prepare_font(prop)
        font.set_text(s, 0, flags=get_hinting_flag())
        w, h = font.get_width_height()
        d = font.get_descent()
        font.draw_glyphs_to_bitmap(antialiased=antialiased)
        xo, yo = font.get_bitmap_offset()
        hit = (np.array(font.get_image()), xo / 64.0, yo / 64.0, d / 64.0, w / 64.0, h / 64.0)
        if len(_TEXT_CACHE) >= _TEXT_CACHE_SIZE:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[key] = hit
    return hit


def _renderer_class():
    global _RENDERER_CLASS
    if _RENDERER_CLASS is not None:
        return _RENDERER_CLASS
    from matplotlib.backends.backend_agg import RendererAgg

    class CachedTextRenderer(RendererAgg):
        """RendererAgg that lays out and rasterises each plain-text string once (per font, size
        and dpi), then stamps the cached bitmap with draw_text_image, as matplotlib <= 3.10 did.
        Maths text goes through matplotlib unchanged (the panels draw it only in the background).
        """

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath:
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            image, xo, yo, d, _, _ = _rasterise(self, s, prop, gc.get_antialiased())
            a = math.radians(angle)
            self._renderer.draw_text_image(image, round(x + xo + d * math.sin(a)),
                                           round(y + yo + d * math.cos(a)) + 1, angle, gc)

        def get_text_width_height_descent(self, s, prop, ismath):
            if ismath:
                return super().get_text_width_height_descent(s, prop, ismath)
            _, _, _, d, w, h = _rasterise(self, s, prop)
            return w, h, d

    _RENDERER_CLASS = CachedTextRenderer
    return CachedTextRenderer


def fast_canvas(fig):
    """Attach to `fig` an Agg canvas that renders text through CachedTextRenderer; return it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    renderer_class = _renderer_class()

    class FastCanvas(FigureCanvasAgg):
        def get_renderer(self):
            w, h = self.get_width_height(physical=True)
            key = w, h, self.figure.dpi
            if self._lastKey != key:
                self.renderer = renderer_class(w, h, self.figure.dpi)
                self._lastKey = key
            return self.renderer

    return FastCanvas(fig)


def _chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def render_png(fig, compress_level=1):
    """PNG bytes (8-bit RGBA) of what fig's Agg canvas holds now; it does not draw again.

    Rows are stored unfiltered and deflated at `compress_level` (1: fast, ~70 KB for a panel):
    plots are mostly flat colour, so row filters buy little size for much time."""
    buf = np.asarray(fig.canvas.buffer_rgba())
    height, width, _ = buf.shape
    raw = np.empty((height, width * 4 + 1), np.uint8)
    raw[:, 0] = 0                                   # filter type "None" for every row
    raw[:, 1:] = buf.reshape(height, width * 4)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)   # 8-bit RGBA, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw.tobytes(), compress_level)) + _chunk(b"IEND", b""))


# ----- the live plot of the slider panels ------------------------------------------------------
# Contract with the browser tests (BRIEF), shared by every panel: the widget is a VBox with class
# `lstm-panel`, the main slider has class `lstm-main-slider`, the plot is an ipywidgets.Image with
# class `lstm-plot`, and a Label with class `lstm-status` reads "update N" after the N-th drawing.
class LiveImage:
    """The live plot of one slider panel: `figure` (with an Agg canvas attached), the Image widget
    showing it (class lstm-plot), the status Label (class lstm-status), the cached background,
    png (latest PNG bytes) and updates (drawings so far)."""

    def __init__(self, figure):
        import ipywidgets as widgets
        self.figure = figure
        self.image = widgets.Image(format="png")
        self.image.add_class("lstm-plot")
        self.status = widgets.Label("update 0")
        self.status.add_class("lstm-status")
        self.background = None
        self.updates = 0
        self.png = b""

    def show(self, update, artists, full=False):
        """Draw one update and return its PNG bytes.

        Under the package style, with RuntimeWarning raised as an error: call update() (it moves
        the panel's artists and returns True when more than the animated `artists` changed), then
        redraw the background fully (if update() or `full` asks, or none is cached yet) or restore
        the cached one, and draw `artists` over it.  Then encode the PNG, put it in the Image, and
        only after that set the status to "update N" (the browser tests wait on the status)."""
        from .style import style_context
        fig = self.figure
        canvas = fig.canvas
        with style_context(), warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            full = update() or full
            if full or self.background is None:
                canvas.draw()      # animated artists are skipped: this is the background
                self.background = canvas.copy_from_bbox(fig.bbox)
            else:
                canvas.restore_region(self.background)
            for a in artists:
                fig.draw_artist(a)
        self.png = render_png(fig)
        self.image.value = self.png
        self.updates += 1
        self.status.value = f"update {self.updates}"
        return self.png


def show_static_then_live(panel, static_figure):
    """Display a panel the way every notebook does: first `static_figure` (a pyplot figure of the
    starting state, via plt.show(), so GitHub and nbviewer readers see it), then the live widget.
    Returns the panel."""
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython.display import display
    if matplotlib.get_backend().lower() == "agg":
        plt.close(static_figure)     # nowhere to show it, and plt.show() would warn
    else:
        plt.show()
    display(panel.widget)
    return panel


def panel_box(rows, main_slider, live):
    """The widget to display: VBox(rows + [live.image, live.status]) with class lstm-panel;
    `main_slider` gets class lstm-main-slider."""
    import ipywidgets as widgets
    main_slider.add_class("lstm-main-slider")
    box = widgets.VBox([*rows, live.image, live.status])
    box.add_class("lstm-panel")
    return box


class LivePanel:
    """Mixin for a panel keeping its LiveImage in `self.live`: image, status, png and updates, and
    the slider plumbing every panel shares.  A panel supplies `_apply(values)` (validate and move
    its sliders, inside `_silenced()` so no callback fires) and `redraw()`."""

    _quiet = False

    def set(self, **values):
        """Set sliders by name and redraw once, synchronously.  Returns the new PNG bytes."""
        self._apply(values)
        return self.redraw()

    @contextmanager
    def _silenced(self):
        """Move widgets without each move triggering a redraw."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _on_change(self, change):
        if not self._quiet:
            self.redraw()

    def _blank_figure(self, pyplot=True):
        """An empty ordinary figure the size of the live one, for static_figure(): through pyplot
        (so the inline backend shows it) or a plain Agg figure."""
        size, dpi = self.figure.get_size_inches(), self.figure.dpi
        if pyplot:
            import matplotlib.pyplot as plt
            return plt.figure(figsize=size, dpi=dpi)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        fig = Figure(figsize=size, dpi=dpi)
        FigureCanvasAgg(fig)
        return fig

    @property
    def image(self):
        """The ipywidgets.Image (class lstm-plot) showing the figure."""
        return self.live.image

    @property
    def status(self):
        """The Label (class lstm-status) reading "update N" after the N-th drawing."""
        return self.live.status

    @property
    def png(self):
        """The latest PNG bytes."""
        return self.live.png

    @property
    def updates(self):
        """How many drawings so far (the first, when the panel is built, is update 1)."""
        return self.live.updates
