"""Checking and normalising a render context (plain values only, bounded size)."""

import re

from .errors import ContextRefused, RenderTooLarge

# Characters XML 1.0 forbids (they would corrupt a DOCX); \t and \n are kept.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PLAIN_SCALARS = (str, int, float, bool, type(None))


def prepare_context(context: dict, max_input_bytes: int) -> dict:
    """Return a normalised deep copy of ``context``.

    Only dict (str keys), list/tuple and str/int/float/bool/None are accepted
    (never ORM objects, dates or callables: the caller formats dates as German
    strings). Line endings become ``\\n``; characters XML forbids are dropped.

    Raises ``ContextRefused`` for other types and ``RenderTooLarge`` when the
    text of all values together exceeds ``max_input_bytes`` (UTF-8).
    """
    if not isinstance(context, dict):
        raise ContextRefused("Der Dokumentkontext muss ein Wörterbuch (dict) sein.")
    total = 0

    def walk(value, path):
        nonlocal total
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ContextRefused(f"Schlüssel {key!r} unter „{path}“ ist kein Text.")
                total += len(key.encode("utf-8"))
                out[key] = walk(item, f"{path}.{key}" if path else key)
            return out
        if isinstance(value, (list, tuple)):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, str):
            total += len(value.encode("utf-8", "surrogatepass"))
            if total > max_input_bytes:
                raise RenderTooLarge(
                    f"Die Eingaben sind zu umfangreich (mehr als {_mb(max_input_bytes)} Text); "
                    "bitte kürzen."
                )
            text = value.replace("\r\n", "\n").replace("\r", "\n")
            return _XML_INVALID.sub("", text)
        if isinstance(value, _PLAIN_SCALARS):
            return value
        raise ContextRefused(
            f"Der Wert unter „{path}“ hat den Typ {type(value).__name__}; erlaubt sind nur "
            "Text, Zahlen, Wahrheitswerte, Listen und Wörterbücher."
        )

    return walk(context, "")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB"
