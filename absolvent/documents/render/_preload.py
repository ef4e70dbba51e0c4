"""Imported once by the render forkserver (never by the app): warm everything up.

Children forked from the server inherit the imported modules, the decompressed
Noto Emoji fonts of the default static folder and an initialised
fontconfig/Pango, so a render starts in milliseconds.
"""

import logging

from . import engine
from .fetcher import warm_font_cache
from .render import DEFAULT_FORMS_DIR, DEFAULT_STATIC_DIR


def _warm() -> None:
    fonts = DEFAULT_STATIC_DIR / "vendor" / "fonts"
    if fonts.is_dir():
        warm_font_cache(fonts)
    mounts = {"/static/": DEFAULT_STATIC_DIR, "/forms/_print/": DEFAULT_FORMS_DIR / "_print"}
    try:
        engine.pdf_result("<p>Absolvent</p>", {}, mounts, 1_000_000)
    except Exception:
        logging.getLogger(__name__).warning("Aufwärmen des Renderers fehlgeschlagen", exc_info=True)


_warm()
