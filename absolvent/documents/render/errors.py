"""Exceptions of the document layer; every message is German and shown to users."""


class DocumentError(Exception):
    """Base class: the document could not be produced. ``str(exc)`` is the German message."""


class TemplateRefused(DocumentError):
    """The template is unusable: not a DOCX, a syntax error, or it reaches for internals."""


class ContextRefused(DocumentError):
    """The context is not made of plain values (dict, list, str, int, float, bool, None)."""


class RenderTimeout(DocumentError):
    """The render took longer than the time limit and was stopped."""


class RenderTooLarge(DocumentError):
    """The input text or the produced document exceeds the size limit."""
