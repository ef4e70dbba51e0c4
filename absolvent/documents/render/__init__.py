"""The document renderer (pure: no Flask, no database).

Documents are rendered from plain dicts: DOCX with docxtpl, PDF with
WeasyPrint, both through a Jinja sandbox with autoescape, in a time- and
size-limited child process. Document templates live as data folders under
``forms/`` (see ``registry``); ``preflight`` lists missing required fields.
"""

from .engine import PdfResult
from .errors import (
    ContextRefused,
    DocumentError,
    RenderTimeout,
    RenderTooLarge,
    TemplateRefused,
)
from .fetcher import BASE_URL, SafeFetcher
from .render import (
    DEFAULT_FORMS_DIR,
    DEFAULT_LIMITS,
    DEFAULT_STATIC_DIR,
    Limits,
    render_docx,
    render_pdf,
    render_pdf_result,
    validate_docx_template,
)

__all__ = [
    "BASE_URL",
    "DEFAULT_FORMS_DIR",
    "DEFAULT_LIMITS",
    "DEFAULT_STATIC_DIR",
    "ContextRefused",
    "DocumentError",
    "Limits",
    "PdfResult",
    "RenderTimeout",
    "RenderTooLarge",
    "SafeFetcher",
    "TemplateRefused",
    "render_docx",
    "render_pdf",
    "render_pdf_result",
    "validate_docx_template",
]
