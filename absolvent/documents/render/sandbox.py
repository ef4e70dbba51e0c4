"""The Jinja environment every document template is rendered in.

A ``SandboxedEnvironment`` with autoescape on, no loader (a template cannot
include or import files), and one extra rule: touching an unsafe attribute
(``__class__``, ``__globals__`` …) raises at once instead of yielding an
Undefined that might pass unnoticed in an ``{% if %}``.
"""

import hashlib
import threading
from collections import OrderedDict

from jinja2 import TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from .errors import TemplateRefused

INTERNALS_MESSAGE = (
    "Die Vorlage versucht, auf interne Python-Objekte zuzugreifen; "
    "das ist in Dokumentvorlagen nicht erlaubt"
)


MAX_REPEAT = 100_000  # characters or items a template may make with "*" (e.g. {{ 'A' * 100000000 }})
COMPILED_TEMPLATES = 64  # compiled sources a render worker keeps (a few hundred KB each at most)
_compiled: OrderedDict[bytes, object] = OrderedDict()
_compiled_lock = threading.Lock()


class DocumentSandbox(SandboxedEnvironment):
    """Sandbox that refuses (raises ``SecurityError``) instead of returning Undefined,
    and bounds what ``*`` and ``**`` may produce."""

    intercepted_binops = frozenset(["*", "**"])

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r}")

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_REPEAT:
                    raise SecurityError(f"Vervielfachung auf mehr als {MAX_REPEAT} Zeichen")
        if operator == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError("Potenz mit zu großem Exponenten")
        return super().call_binop(context, operator, left, right)

    def from_string(self, source, globals=None, template_class=None):
        """Like Jinja's, but the compiled code of a source is kept (``COMPILED_TEMPLATES``, least
        recently used out): a warm render worker fills the same letter again and again, and
        compiling its XML took a third to a half of a DOCX render. The key holds the class, the
        autoescape setting and the filters' names with the source, so code is only shared
        between sandboxes configured alike (``make_env``); a source that does not compile is
        not kept and raises as before."""
        if not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        config = f"{type(self).__qualname__}|{self.autoescape!r}|{sorted(self.filters)!r}\n"
        key = hashlib.sha256((config + source).encode("utf-8", "surrogatepass")).digest()
        with _compiled_lock:
            code = _compiled.get(key)
            if code is not None:
                _compiled.move_to_end(key)
        if code is None:
            code = self.compile(source)
            with _compiled_lock:
                _compiled[key] = code
                while len(_compiled) > COMPILED_TEMPLATES:
                    _compiled.popitem(last=False)
        return (template_class or self.template_class).from_code(self, code, self.make_globals(globals), None)


def lines(value):
    """Filter ``lines``: a list of lines (or a text) as one text with newlines.

    Newlines survive in both outputs: docxtpl turns a newline inside a text run
    into ``<w:br/>`` after rendering, and the print stylesheet sets
    ``white-space: pre-line`` on ``.lines`` blocks.
    """
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return value


def make_env() -> DocumentSandbox:
    """Return a fresh sandbox (autoescape on, no loader, extra filter ``lines``)."""
    env = DocumentSandbox(autoescape=True)
    env.filters["lines"] = lines
    return env


def refused_from(exc: Exception) -> TemplateRefused:
    """Translate a Jinja error into a German ``TemplateRefused`` (with line when known)."""
    if isinstance(exc, SecurityError) and str(exc).startswith(("Vervielfachung", "Potenz")):
        return TemplateRefused(f"Die Vorlage erzeugt zu viel Text: {exc}.")
    if isinstance(exc, SecurityError):
        return TemplateRefused(f"{INTERNALS_MESSAGE} ({exc}).")
    if isinstance(exc, TemplateSyntaxError):
        where = f" in Zeile {exc.lineno}" if exc.lineno else ""
        snippet = ""
        context = getattr(exc, "docx_context", None)
        if context:
            text = " ".join(line.strip() for line in context if line.strip())
            snippet = f" (Umgebung: „{text[:120]}“)"
        return TemplateRefused(
            f"Die Vorlage hat einen Syntaxfehler{where}: {exc.message}{snippet}."
        )
    if isinstance(exc, UndefinedError):
        return TemplateRefused(f"Die Vorlage verwendet ein unbekanntes Feld: {exc.message}.")
    return TemplateRefused(
        f"Die Vorlage konnte nicht ausgefüllt werden: {type(exc).__name__}: {exc}."
    )
