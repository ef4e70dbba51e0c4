"""Public rendering API: DOCX via docxtpl and PDF via WeasyPrint, from plain dicts.

Every render
1. checks the context (plain values only, at most ``Limits.max_input_bytes``
   of text; see ``context.prepare_context``),
2. runs in a pooled worker process (``isolation.run_isolated``) that is killed after
   ``Limits.timeout_s`` seconds (``RenderTimeout``) and has an address-space
   limit,
3. fills the template in a Jinja ``SandboxedEnvironment`` with autoescape on
   (unsafe attribute access → ``TemplateRefused``),
4. refuses output larger than ``Limits.max_output_bytes`` (``RenderTooLarge``).

PDFs load resources only through ``fetcher.SafeFetcher``: ``data:`` URLs and
files under ``/static/`` (the Flask static folder) and ``/forms/_print/``
(the shared print stylesheet).
"""

from dataclasses import dataclass
from pathlib import Path

from . import engine
from .context import prepare_context
from .errors import RenderTimeout, RenderTooLarge, TemplateRefused
from .isolation import run_isolated

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
DEFAULT_STATIC_DIR = PACKAGE_DIR / "static"
DEFAULT_FORMS_DIR = PACKAGE_DIR.parent / "forms"


@dataclass(frozen=True)
class Limits:
    """Per-render limits (all configurable, e.g. from the Flask config)."""

    timeout_s: float = 30.0
    max_input_bytes: int = 1_000_000  # text of all context values together
    max_template_bytes: int = 10_000_000
    max_output_bytes: int = 20_000_000
    max_memory_bytes: int | None = 2_000_000_000  # address space of the render process


DEFAULT_LIMITS = Limits()
# an uploaded template is test-rendered with its small sample: a usable one takes well under a
# second and a few hundred KB; these margins catch runaway loops and text bombs before activation
VALIDATION_LIMITS = Limits(timeout_s=5.0, max_output_bytes=5_000_000)


def render_docx(template: bytes | Path, context: dict, *, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Return the DOCX made from a docxtpl ``template`` (bytes or path) and ``context``.

    Raises TemplateRefused, ContextRefused, RenderTimeout, RenderTooLarge (all DocumentError).
    """
    data = _read_template(template, limits, binary=True)
    ctx = prepare_context(context, limits.max_input_bytes)
    return run_isolated(
        engine.docx_bytes, (data, ctx, limits.max_output_bytes),
        limits.timeout_s, limits.max_memory_bytes,
    )


def render_pdf(
    html_template: str | Path,
    context: dict,
    *,
    static_dir: Path = DEFAULT_STATIC_DIR,
    print_dir: Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """Return the PDF made from a Jinja print-HTML template (source text or path).

    ``static_dir`` is the Flask static folder (served as ``/static/``);
    ``print_dir`` holds the shared print stylesheet (served as ``/forms/_print/``,
    default ``forms/_print`` of this checkout). Raises like ``render_docx``.
    """
    return render_pdf_result(
        html_template, context, static_dir=static_dir, print_dir=print_dir, limits=limits
    ).pdf


def render_pdf_result(
    html_template: str | Path,
    context: dict,
    *,
    static_dir: Path = DEFAULT_STATIC_DIR,
    print_dir: Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> engine.PdfResult:
    """Like ``render_pdf`` but return ``PdfResult(pdf, fetched, refused)`` (URL lists)."""
    source = _read_template(html_template, limits, binary=False)
    ctx = prepare_context(context, limits.max_input_bytes)
    mounts = {
        "/static/": Path(static_dir),
        "/forms/_print/": Path(print_dir) if print_dir else DEFAULT_FORMS_DIR / "_print",
    }
    return run_isolated(
        engine.pdf_result, (source, ctx, mounts, limits.max_output_bytes),
        limits.timeout_s, limits.max_memory_bytes,
    )


def validate_docx_template(
    template_bytes: bytes, sample_context: dict, *, limits: Limits = VALIDATION_LIMITS
) -> None:
    """Check an uploaded DOCX template by rendering it with ``sample_context``.

    Returns None when usable; raises ``TemplateRefused`` (not a DOCX, syntax
    error with line, access to internals, render fails with the sample, an
    external relationship Word would load) or another ``DocumentError``
    (slower or larger than ``VALIDATION_LIMITS`` with the sample).
    """
    if not isinstance(template_bytes, bytes | bytearray):
        raise TemplateRefused(engine.NOT_A_DOCX)
    engine.refuse_external_relationships(bytes(template_bytes))
    try:
        render_docx(bytes(template_bytes), sample_context, limits=limits)
    except RenderTimeout as exc:
        raise RenderTimeout(f"{exc} Mit den Beispieldaten braucht eine brauchbare Vorlage weniger als eine "
                            "Sekunde; bitte Schleifen in der Vorlage prüfen.") from None


def _read_template(template, limits: Limits, *, binary: bool):
    if isinstance(template, Path):
        size = template.stat().st_size
        if size > limits.max_template_bytes:
            raise RenderTooLarge(_template_too_large(limits))
        return template.read_bytes() if binary else template.read_text(encoding="utf-8")
    if len(template) > limits.max_template_bytes:
        raise RenderTooLarge(_template_too_large(limits))
    if binary and isinstance(template, str):
        raise TemplateRefused(engine.NOT_A_DOCX)
    return template


def _template_too_large(limits: Limits) -> str:
    return f"Die Vorlage ist größer als {limits.max_template_bytes / 1_000_000:g} MB."
