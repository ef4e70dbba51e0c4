"""Accessible PDFs: every document renders tagged (PDF/UA-1) with language and title.

Checks the PDF that ``render_pdf`` makes from each document's sample.json with pypdf:
the catalog's /MarkInfo, /StructTreeRoot, /Lang and /ViewerPreferences, the /Title in
the document information and the XMP metadata, and that the Fachaufsicht list's rows
are a real table (one cell per value) in the structure tree.
"""

import io
import re
import warnings

import pytest
from pypdf import PdfReader

with warnings.catch_warnings():  # see test_documents_render.py
    warnings.filterwarnings("ignore", "HarfBuzz-Subset will be required", DeprecationWarning)
    import weasyprint  # noqa: F401

from absolvent.documents.render import registry, render_pdf  # noqa: E402
from absolvent.documents.render.engine import PDF_VARIANT  # noqa: E402
from tests.test_documents_render import FORMS, SPECS  # noqa: E402

PDF_SPECS = [s for s in SPECS if "pdf" in s.formats]


def structure_types(node, found=None):
    """Every structure type (/S) below ``node`` of the structure tree, in document order."""
    found = [] if found is None else found
    node = node.get_object()
    if isinstance(node, dict):
        if "/S" in node:
            found.append(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, list) else [kids]:
                if not isinstance(kid, int):  # an int is a marked-content id, not an element
                    structure_types(kid, found)
    return found


def rows_of(node, rows=None):
    """The table rows below ``node``: per /TR the list of its cells' types (/TH, /TD)."""
    rows = [] if rows is None else rows
    node = node.get_object()
    if not isinstance(node, dict):
        return rows
    kids = node.get("/K")
    kids = kids.get_object() if kids is not None else []
    kids = [k.get_object() for k in (kids if isinstance(kids, list) else [kids]) if not isinstance(k, int)]
    if str(node.get("/S")) == "/TR":
        rows.append([str(k["/S"]) for k in kids if isinstance(k, dict) and "/S" in k])
        return rows
    for kid in kids:
        rows_of(kid, rows)
    return rows


def test_the_renderer_uses_the_pdf_ua_variant():
    assert PDF_VARIANT == "pdf/ua-1"


@pytest.mark.parametrize("spec", PDF_SPECS, ids=lambda s: s.name)
def test_print_template_names_language_and_title(spec):
    source = spec.html_path.read_text(encoding="utf-8")
    assert re.search(r'<html lang="de(-DE)?">', source), spec.name
    title = re.search(r"<title>(.*?)</title>", source, re.S)
    assert title and len(title.group(1).strip()) > 5, spec.name


@pytest.mark.parametrize("spec", PDF_SPECS, ids=lambda s: s.name)
def test_pdf_is_tagged_with_language_and_title(spec):
    pdf = render_pdf(spec.html_path, registry.load_sample(spec))
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] in ("de", "de-DE")
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    types = structure_types(catalog["/StructTreeRoot"])
    assert types[0] == "/Document" and ("/P" in types or "/Table" in types), types[:10]
    assert all(page.get("/StructParents") is not None for page in reader.pages)
    title = reader.metadata.title
    assert title and title.strip() and "{{" not in title
    xmp = reader.xmp_metadata
    assert xmp is not None and xmp.dc_title.get("x-default") == title


def test_fachaufsicht_list_is_a_real_table():
    spec = registry.get(FORMS, "fachaufsicht-liste")
    ctx = registry.load_sample(spec)
    reader = PdfReader(io.BytesIO(render_pdf(spec.html_path, ctx)))
    rows = rows_of(reader.trailer["/Root"]["/StructTreeRoot"])
    columns = len(ctx["columns"]) + 3  # data columns, Handzeichen, Datum, Bemerkung
    assert rows[0] == ["/TH"] * columns
    body = [row for row in rows if "/TD" in row]
    assert len(body) == len(ctx["rows"])
    assert all(row == ["/TD"] * columns for row in body)
    title = reader.metadata.title
    assert title == f"Fachaufsicht {ctx['team']['name']} – {ctx['month_label']}"
