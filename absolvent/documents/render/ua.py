"""WeasyPrint's HTML user-agent stylesheet, without the pseudo-elements no document uses.

WeasyPrint 70's ``html5_ua.css`` has six rules on *every* element's pseudo-elements
(``::marker``, ``::footnote-call``, ``::footnote-marker``, ``::note-call``,
``::note-marker``, ``::note-callback``). The cascade keeps a style per matched
element and pseudo-element and computes each one, so a document pays six extra
computed styles per element: a 500-row Fachaufsicht list (12 cells a row) spends
about 0.8 s of CPU on them, a fifth of its render.

``PrintHTML`` renders with a copy of the stylesheet where the marker rule applies to
list items only (the only list items our print templates have) and the footnote and
note rules are gone. A document that uses footnotes or notes (``float: footnote``,
``::footnote-…``, ``::note-…``) gets WeasyPrint's full stylesheet, unchanged.
"""

import re

from weasyprint import CSS, HTML
from weasyprint.html import UA, UA_COUNTER_STYLE

_NOTES = re.compile(r"\n::(?:footnote|note)-[a-z]+ \{[^}]*\}")
_MARKER = "\n::marker {"
_USES_NOTES = re.compile(r"footnote|::note-|float\s*:\s*note", re.IGNORECASE)


def _lean_source(source: str) -> str:
    """The UA stylesheet with ``li::marker`` for ``::marker`` and no footnote/note rules."""
    if _MARKER not in source or len(_NOTES.findall(source)) != 5:
        raise RuntimeError("WeasyPrint's user-agent stylesheet changed: review absolvent/documents/render/ua.py")
    return _NOTES.sub("", source.replace(_MARKER, "\nli::marker {", 1))


LEAN_UA_STYLESHEET = CSS(string=_lean_source(UA), counter_style=UA_COUNTER_STYLE)


def uses_notes(html: str) -> bool:
    """True when the document may use footnotes or notes (then the full stylesheet applies)."""
    return _USES_NOTES.search(html) is not None


class PrintHTML(HTML):
    """``weasyprint.HTML`` with the lean user-agent stylesheet (see the module doc)."""

    def __init__(self, *args, lean_ua: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self._lean_ua = lean_ua

    def _ua_stylesheets(self, forms=False):
        if not self._lean_ua or forms:
            return super()._ua_stylesheets(forms)
        return [LEAN_UA_STYLESHEET]
