"""Which required fields of a document are still empty in a context."""

from .registry import DocumentSpec

_MISSING = object()


def lookup(context: dict, path: str):
    """Return the value at dotted ``path`` (e.g. ``"agreement.goal"``) or a sentinel."""
    value = context
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def is_empty(value) -> bool:
    """True for missing values, None, blank text and empty lists/dicts (0 and False count)."""
    if value is _MISSING or value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return not value
    if isinstance(value, (list, tuple)):
        return all(is_empty(item) for item in value)
    return False


def missing_fields(spec: DocumentSpec, context: dict) -> list[tuple[str, str]]:
    """Return ``[(path, label), …]`` of required fields missing or empty in ``context``.

    A field with ``when = {key = value}`` is only required when every
    ``lookup(context, key) == value``.
    """
    missing = []
    for field in spec.required:
        if any(lookup(context, key) != expected for key, expected in field.when.items()):
            continue
        if is_empty(lookup(context, field.path)):
            missing.append((field.path, field.label))
    return missing
