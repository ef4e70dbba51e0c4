"""The lean user-agent stylesheet of the PDF renderer (absolvent/documents/render/ua.py)."""

import io
import warnings

from pypdf import PdfReader

with warnings.catch_warnings():  # see test_documents_render.py
    warnings.filterwarnings("ignore", "HarfBuzz-Subset will be required", DeprecationWarning)
    from weasyprint.html import UA_STYLESHEET

from absolvent.documents.render.ua import LEAN_UA_STYLESHEET, PrintHTML, uses_notes  # noqa: E402


def text_of(html: str, **kwargs) -> str:
    pdf = PrintHTML(string=html, **kwargs).write_pdf()
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_lean_stylesheet_is_used_unless_the_document_has_notes():
    assert PrintHTML(string="<p>x</p>")._ua_stylesheets() == [LEAN_UA_STYLESHEET]
    assert PrintHTML(string="<p>x</p>", lean_ua=False)._ua_stylesheets() == [UA_STYLESHEET]
    assert not uses_notes('<ol><li>Eins</li></ol><p style="float: left">x</p>')
    assert uses_notes('<span style="float: footnote">Fußnote</span>')
    assert uses_notes("<style>::note-call { content: '*' }</style>")


def test_list_items_keep_their_markers():
    html = "<ol><li>Eins</li><li>Zwei</li></ol><ul><li>Punkt</li></ul>"
    text = text_of(html)
    assert "1." in text and "2." in text and "•" in text and "Zwei" in text
    assert text == text_of(html, lean_ua=False)


def test_footnotes_still_get_their_call_with_the_full_stylesheet():
    html = '<p>Text<span style="float: footnote">Die Fußnote</span> weiter</p>'
    text = text_of(html, lean_ua=not uses_notes(html))
    assert "Text1" in text.replace(" ", "") and "Die Fußnote" in text
