"""Fast rendering for figures redrawn behind a slider: a text-caching Agg canvas, a quick PNG encoder.

    fast_canvas(fig)     attach an Agg canvas whose renderer rasterises each plain string once
    render_png(fig)      PNG bytes of what the canvas holds now, without drawing again

Why: on this machine a panel update spent about a third of its time laying out and rasterising
the same short numbers glyph by glyph (matplotlib 3.11's Agg text path) and another third in
Pillow's PNG encoder (adaptive row filters).  benchmarks/slider_latency.py measures the result.
"""
import math
import struct
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
