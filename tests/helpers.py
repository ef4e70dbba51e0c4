"""Small helpers shared by the document tests."""
import io

import docx
from pypdf import PdfReader


def pdf_text(data):
    """All text of a PDF (bytes), pages joined by newlines."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def tiny_docx(*paragraphs):
    """A minimal DOCX with one paragraph per argument (template text for tests)."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_text(data):
    """All paragraph and table-cell text of a DOCX (bytes)."""
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)
