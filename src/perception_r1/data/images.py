"""Image decoding and the paper run's normalisation: RGB, pixel count clamped to [min_pixels, max_pixels]."""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path

from PIL import Image

MIN_PIXELS = 3136
MAX_PIXELS = 1806336


def open_image(src: str | bytes | Path) -> Image.Image:
    """Decode a path or encoded bytes fully (so a truncated file fails here, not later)."""
    img = Image.open(io.BytesIO(src)) if isinstance(src, (bytes, bytearray)) else Image.open(src)
    img.load()
    return img


def clamp_pixels(img: Image.Image, min_pixels: int = MIN_PIXELS, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Aspect-preserving resize so that width*height lies in [min_pixels, max_pixels] (EasyR1's rule)."""
    w, h = img.size
    if w * h > max_pixels:
        f = math.sqrt(max_pixels / (w * h))
    elif w * h < min_pixels:
        f = math.sqrt(min_pixels / (w * h))
    else:
        return img
    nw, nh = max(1, int(w * f)), max(1, int(h * f))
    # int() truncation can leave us just under min_pixels; round up in that case.
    if w * h < min_pixels and nw * nh < min_pixels:
        nw, nh = math.ceil(w * f), math.ceil(h * f)
    return img.resize((nw, nh), Image.BICUBIC)


def load_image(src: str | bytes | Path, min_pixels: int = MIN_PIXELS, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open, convert to RGB and clamp: the one way images enter training, eval and annotation."""
    return clamp_pixels(open_image(src).convert("RGB"), min_pixels, max_pixels)


def to_png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def data_url(src: str | bytes | Path, min_pixels: int = MIN_PIXELS, max_pixels: int = MAX_PIXELS) -> str:
    """`data:image/png;base64,…` of the image after `load_image`: how an image travels in an OpenAI
    chat request (the mllm judge, the annotation teacher)."""
    return "data:image/png;base64," + base64.b64encode(to_png_bytes(load_image(src, min_pixels, max_pixels))).decode()
