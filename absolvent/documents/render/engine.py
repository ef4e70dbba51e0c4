"""The in-process renderers (run inside the isolated child by ``render.py``).

Both take a context already checked by ``context.prepare_context`` and return
the document bytes; both raise ``TemplateRefused`` / ``RenderTooLarge``.
Imported by the forkserver at start (preload), so children start warm.
"""

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2.exceptions import TemplateError

from .errors import RenderTooLarge, TemplateRefused
from .fetcher import BASE_URL, SafeFetcher
from .sandbox import make_env, refused_from
from .ua import PrintHTML, uses_notes

NOT_A_DOCX = "Die Datei ist keine gültige Word-Vorlage (DOCX)."
# Every PDF is tagged for screen readers (structure tree, /MarkInfo, /Lang from <html lang>,
# /Title from <title> shown as the window title, XMP metadata): WeasyPrint's PDF/UA-1 variant.
PDF_VARIANT = "pdf/ua-1"


@dataclass
class PdfResult:
    """A rendered PDF and the URLs its fetcher allowed and refused."""

    pdf: bytes
    fetched: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def open_docx_template(template: bytes) -> DocxTemplate:
    """Return a ``DocxTemplate`` for the bytes; raise ``TemplateRefused`` if not a DOCX."""
    if not zipfile.is_zipfile(BytesIO(template)):
        raise TemplateRefused(NOT_A_DOCX)
    try:
        with zipfile.ZipFile(BytesIO(template)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise TemplateRefused(NOT_A_DOCX)
        doc = DocxTemplate(BytesIO(template))
        doc.init_docx()
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise TemplateRefused(NOT_A_DOCX) from exc
    return doc


_EXTERNAL = re.compile(rb'<Relationship\b[^>]*\bTargetMode="External"[^>]*>')
_HYPERLINK = b"/relationships/hyperlink"


def refuse_external_relationships(template: bytes) -> None:
    """Raise ``TemplateRefused`` when a part of the DOCX refers to an outside address that
    Word would load when the letter is opened (linked images, attached templates, OLE,
    frames …). Plain hyperlinks are fine: Word follows them only when clicked."""
    if not zipfile.is_zipfile(BytesIO(template)):
        raise TemplateRefused(NOT_A_DOCX)
    with zipfile.ZipFile(BytesIO(template)) as archive:
        for name in archive.namelist():
            if not name.endswith(".rels"):
                continue
            for rel in _EXTERNAL.findall(archive.read(name)):
                if _HYPERLINK not in rel:
                    target = re.search(rb'Target="([^"]*)"', rel)
                    shown = target.group(1).decode("utf-8", "replace")[:80] if target else "?"
                    raise TemplateRefused(f"Die Vorlage lädt beim Öffnen Inhalte von außen („{shown}“); "
                                          "bitte verknüpfte Bilder, Vorlagen oder Objekte einbetten oder entfernen.")


def docx_bytes(template: bytes, context: dict, max_output_bytes: int) -> bytes:
    """Fill a docxtpl template in the sandbox (autoescape on) and return the DOCX."""
    doc = open_docx_template(template)
    try:
        doc.render(context, jinja_env=make_env(), autoescape=True)
    except TemplateError as exc:
        raise refused_from(exc) from None
    except Exception as exc:  # noqa: BLE001 - e.g. {{ 1 / 0 }}: the template's fault
        raise refused_from(exc) from None
    out = BytesIO()
    doc.save(out)
    return check_output(out.getvalue(), max_output_bytes)


def pdf_result(
    html_template: str, context: dict, mounts: dict[str, Path], max_output_bytes: int
) -> PdfResult:
    """Fill the print HTML in the sandbox, lay it out with ``SafeFetcher``; return PdfResult."""
    try:
        html = make_env().from_string(html_template).render(context)
    except Exception as exc:  # noqa: BLE001 - TemplateError, or e.g. {{ 1 / 0 }}
        raise refused_from(exc) from None
    fetcher = SafeFetcher(mounts, max_bytes=max_output_bytes)
    document = PrintHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, lean_ua=not uses_notes(html))
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return PdfResult(check_output(pdf, max_output_bytes), fetcher.fetched, fetcher.refused)


def check_output(data: bytes, max_output_bytes: int) -> bytes:
    """Return ``data``; raise ``RenderTooLarge`` when it exceeds the limit."""
    if len(data) > max_output_bytes:
        raise RenderTooLarge(
            f"Das erzeugte Dokument ist mit {len(data) / 1_000_000:.1f} MB größer als die "
            f"erlaubten {max_output_bytes / 1_000_000:g} MB."
        )
    return data
