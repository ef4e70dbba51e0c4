"""Imported once by the render forkserver (never by the app): warm everything up.

Children forked from the server inherit the imported modules and an initialised
fontconfig/Pango (one render of a tiny page), so a render starts in milliseconds.
"""

import logging

from . import engine
from .render import DEFAULT_FORMS_DIR, DEFAULT_STATIC_DIR


def _warm() -> None:
    mounts = {"/static/": DEFAULT_STATIC_DIR, "/forms/_print/": DEFAULT_FORMS_DIR / "_print"}
    try:
        engine.pdf_result("<p>Absolvent</p>", {}, mounts, 1_000_000)
    except Exception:
        logging.getLogger(__name__).warning("Aufwärmen des Renderers fehlgeschlagen", exc_info=True)


_warm()
