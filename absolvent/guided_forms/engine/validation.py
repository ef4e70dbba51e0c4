"""Parsing raw input of a step and validating answers, with German messages.

Raw input is ``request.form.to_dict(flat=False)`` style: name -> list of
strings. Input names: the field name; multichoice/checklist repeat the key;
yesno sends "ja"/"nein"; list rows send ``f"{name}-{row}-{column}"``.

Bad input never raises. ``parse_step`` returns ``(values, errors)``:
``errors`` maps a field name (or a list cell ``f"{name}-{row}-{column}"``,
rows counted after blank rows are dropped) to a German message, and for
every such key ``values`` keeps the raw input instead of a clean value
(text as typed; for a list the row dicts with the raw text in the bad cells),
so nothing typed is lost. Do not submit while ``errors`` is not empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from absolvent.formats import DateFormatError, parse_date

from .definition import Field, FormDefinition
from .expressions import evaluate, names_in, truthy
from .runtime import MAX_NUMBER, clean_value, de_iso, de_number, is_empty, plain, resolve

_NUMBER_RE = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?[1-9][0-9]{0,2}\.[0-9]{3}$")  # "1.000": thousands or decimal?


def _values_of(raw: Mapping, key: str) -> list[str]:
    if hasattr(raw, "getlist"):   # a werkzeug MultiDict (request.form) works as well
        return [str(v) for v in raw.getlist(key)]
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value]


def _first(raw: Mapping, key: str) -> str:
    values = _values_of(raw, key)
    return values[0] if values else ""


def _clean_text(text: str, multiline: bool) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text if multiline else " ".join(text.split("\n"))


def parse_number(text: str, field: Field):
    """Return (number or None, message or None) for German input like "12", "12,5"."""
    text = text.strip().replace(" ", "")
    if not text:
        return None, None
    if _THOUSANDS_RE.match(text):
        return None, f"{field.label}: bitte ohne Tausenderpunkt eingeben; Dezimalstellen mit Komma (z. B. 12,5)."
    if not _NUMBER_RE.match(text):
        return None, f"{field.label}: bitte eine Zahl eingeben (z. B. 12 oder 12,5)."
    value = float(text.replace(",", ".")) if ("," in text or "." in text) else int(text)
    if abs(value) > MAX_NUMBER:
        return None, f"{field.label}: die Zahl ist zu groß."
    if field.integer and not (isinstance(value, int) or value.is_integer()):
        return None, f"{field.label} muss eine ganze Zahl sein."
    return (int(value) if field.integer else value), None


def parse_scalar(field: Field, text: str):
    """Return (clean value or None, message or None) for one text input of a scalar field."""
    text = _clean_text(text, field.type == "textarea")
    if not text:
        return None, None
    if field.type == "date":
        try:
            return parse_date(text).isoformat(), None
        except DateFormatError as exc:
            return None, f"{field.label}: {exc}"
    if field.type == "number":
        return parse_number(text, field)
    if field.type == "yesno":
        if text in ("ja", "nein"):
            return text == "ja", None
        return None, "Bitte „ja“ oder „nein“ wählen."
    if field.type == "choice" and text not in field.option_labels:
        return None, f"Unbekannter Wert für {field.label}: „{text}“."
    return text, None


def _parse_list(field: Field, raw: Mapping):
    """Return (rows, errors) of a list field; blank rows are dropped, bad cells keep their raw text."""
    pattern = re.compile(rf"^{re.escape(field.name)}-([0-9]{{1,4}})-([a-z0-9_]+)$")
    by_row: dict[int, dict[str, str]] = {}
    for key in raw:
        match = pattern.match(str(key))
        if match and match.group(2) in {c.name for c in field.columns}:
            by_row.setdefault(int(match.group(1)), {})[match.group(2)] = _first(raw, key)
    texts = [by_row[i] for i in sorted(by_row) if any(v.strip() for v in by_row[i].values())]
    if len(texts) > (field.max_rows or 200):
        return texts, {field.name: _rows_message(field.max_rows or 200, minimum=False)}
    rows, errors = [], {}
    for index, row_text in enumerate(texts):
        row = {}
        for column in field.columns:
            value, message = parse_scalar(column, row_text.get(column.name, ""))
            row[column.name] = value
            if message:
                errors[f"{field.name}-{index}-{column.name}"] = message
        rows.append(row)
    if errors:
        rows = [{c.name: (t.get(c.name, "") if f"{field.name}-{i}-{c.name}" in errors else r[c.name])
                 for c in field.columns} for i, (r, t) in enumerate(zip(rows, texts, strict=True))]
    return rows, errors


def parse_field(field: Field, raw: Mapping, items: tuple[str, ...] = ()):
    """Return (value, errors) of one field from ``raw``; for bad input value is the raw input."""
    if field.type == "list":
        rows, errors = _parse_list(field, raw)
        return rows or None, errors
    if field.type in ("multichoice", "checklist"):
        known = field.option_labels if field.type == "multichoice" else items
        chosen = list(dict.fromkeys(v for v in _values_of(raw, field.name) if v.strip()))
        unknown = [v for v in chosen if v not in known]
        if unknown:
            return chosen, {field.name: f"Unbekannter Wert für {field.label}: „{unknown[0]}“."}
        return chosen or None, {}
    text = _first(raw, field.name)
    value, message = parse_scalar(field, text)
    if message:
        return text, {field.name: message}
    return value, {}


def to_raw(field: Field, value) -> dict[str, list[str]]:
    """Return the raw input that reproduces a stored ``value`` (for re-validation and forms)."""
    if is_empty(value):
        return {}
    if field.type == "list":
        raw = {}
        for index, row in enumerate(value if isinstance(value, list) else []):
            for column in field.columns:
                cell = row.get(column.name) if isinstance(row, Mapping) else None
                raw.update({f"{field.name}-{index}-{column.name}": v for v in to_raw(column, cell).values()})
        return raw
    if isinstance(value, bool):
        return {field.name: ["ja" if value else "nein"]}
    if isinstance(value, list):
        return {field.name: [str(v) for v in value]}
    if isinstance(value, int | float):
        return {field.name: [de_number(value)]}
    return {field.name: [str(value)]}


# ------------------------------------------------------------------ checks of clean values

def _window_message(field: Field, low, high, too_low: bool) -> str:
    custom = field.min_message if too_low else field.max_message
    low_text, high_text = (de_iso(v) if isinstance(v, str) else de_number(v) if v is not None else ""
                           for v in (low, high))
    if custom:
        return custom.replace("{min}", low_text).replace("{max}", high_text)
    if field.type == "number":
        return f"{field.label} muss mindestens {low_text} sein." if too_low \
            else f"{field.label} darf höchstens {high_text} sein."
    if low is not None and high is not None:
        return f"Das Datum muss zwischen dem {low_text} und dem {high_text} liegen."
    return f"Das Datum darf nicht vor dem {low_text} liegen." if too_low \
        else f"Das Datum darf nicht nach dem {high_text} liegen."


def _bounds(field: Field, env: Mapping):
    if field.type == "number":
        return field.min, field.max
    low, high = (plain(evaluate(e, env)) if isinstance(e, str) else None for e in (field.min, field.max))
    return (low if isinstance(low, str) else None), (high if isinstance(high, str) else None)


def _rows_message(count: int, minimum: bool) -> str:
    rows = "Zeile" if count == 1 else "Zeilen"
    return f"Bitte mindestens {count} {rows} ausfüllen." if minimum else f"Höchstens {count} {rows} möglich."


def required_message(field: Field) -> str:
    """Return the German message for a missing required answer."""
    if field.required_message:
        return field.required_message
    if field.type in ("choice", "yesno"):
        return f"Bitte {field.label} auswählen." if field.type == "choice" else "Bitte „ja“ oder „nein“ wählen."
    if field.type in ("multichoice", "checklist"):
        return "Bitte mindestens einen Punkt auswählen."
    if field.type == "list":
        return "Bitte mindestens eine Zeile ausfüllen."
    if field.type == "date":
        return f"Bitte {field.label} angeben (TT.MM.JJJJ)."
    return f"Bitte {field.label} angeben."


def check_value(field: Field, value, env: Mapping, key: str | None = None) -> dict[str, str]:
    """Return {key: message} for a clean ``value`` of a visible field (required, length, ranges, rows)."""
    key = key or field.name
    required = field.required or (field.required_if is not None and truthy(evaluate(field.required_if, env)))
    if is_empty(value) and field.type == "list" and field.min_rows and not field.required_message:
        return {key: _rows_message(field.min_rows, minimum=True)}
    if is_empty(value):
        return {key: required_message(field)} if required else {}
    if field.type in ("text", "textarea") and field.max_length and len(value) > field.max_length:
        return {key: f"{field.label} darf höchstens {field.max_length} Zeichen lang sein."}
    if field.type in ("number", "date"):
        low, high = _bounds(field, env)
        if low is not None and value < low:
            return {key: _window_message(field, low, high, too_low=True)}
        if high is not None and value > high:
            return {key: _window_message(field, low, high, too_low=False)}
    if field.type == "list":
        if field.min_rows and len(value) < field.min_rows:
            return {key: _rows_message(field.min_rows, minimum=True)}
        if field.max_rows is not None and len(value) > field.max_rows:
            return {key: _rows_message(field.max_rows, minimum=False)}
        errors = {}
        for index, row in enumerate(value):
            for column in field.columns:
                errors.update(check_value(column, row.get(column.name), env, f"{field.name}-{index}-{column.name}"))
        return errors
    return {}


def _rule_fields(defn: FormDefinition, rule) -> set[str]:
    names = {field.name for field in defn.fields}
    used = names_in(rule.assert_) | (names_in(rule.when) if rule.when else set())
    return {name for name in used if name in names} | {rule.field}


def rule_errors(defn: FormDefinition, rules, env: Mapping, shown: set[str], bad: set[str]) -> dict[str, str]:
    """Return {field: message} of the cross-field ``rules`` that fail (None = unknown, not a failure)."""
    errors = {}
    for rule in rules:
        if rule.field not in shown or _rule_fields(defn, rule) & bad or rule.field in errors:
            continue
        if rule.when and not truthy(evaluate(rule.when, env)):
            continue
        result = evaluate(rule.assert_, env)
        if result is not None and not truthy(result):
            errors[rule.field] = rule.message
    return errors


# ------------------------------------------------------------------ public API

def parse_step(defn: FormDefinition, step_id: str, raw: Mapping, answers: Mapping, facts: Mapping | None,
               *, defaults: bool = True):
    """Return ``(values, errors)`` for the submitted step ``step_id`` (see module docstring).

    ``values`` has every non-computed field of the step: clean values, None for
    hidden fields, the default for empty fields that have one (unless
    ``defaults`` is false), the raw input where ``errors`` has a message. Rules
    whose fields are all on this step are checked. Raises KeyError for an
    unknown step; ExpressionError only for a broken form definition (one that
    fails ``check_form``).
    """
    step = defn.step(step_id)
    base = resolve(defn, answers, facts)
    values, errors = {}, {}
    for field in step.fields:
        if not field.compute:
            items = base.items(field) if field.type == "checklist" else ()
            values[field.name], field_errors = parse_field(field, raw, items)
            errors.update(field_errors)
    bad = {name for name in values if name in errors or any(k.startswith(f"{name}-") for k in errors)}
    merged = {**answers, **{name: value for name, value in values.items() if name not in bad}}
    resolved = resolve(defn, merged, facts)
    shown = {field.name for field in resolved.fields_of(step_id) or []}
    for field in step.fields:
        if field.name not in shown and not field.compute:
            values[field.name] = None
            errors = {k: m for k, m in errors.items() if k != field.name and not k.startswith(f"{field.name}-")}
            bad.discard(field.name)
        elif defaults and field.default and field.name not in bad and is_empty(values[field.name]):
            default = clean_value(field, plain(evaluate(field.default, resolved.env)))
            if default is not None:
                values[field.name] = merged[field.name] = default
                resolved = resolve(defn, merged, facts)
    for field in step.fields:
        if field.name in shown and field.name not in bad and not field.compute:
            errors.update(check_value(field, resolved.env[field.name], resolved.env))
    on_step = {field.name for field in step.fields}
    local = [rule for rule in defn.rules if _rule_fields(defn, rule) <= on_step]
    errors.update(rule_errors(defn, local, resolved.env, shown, bad | set(errors)))
    return values, errors


def step_raw(defn: FormDefinition, step_id: str, answers: Mapping) -> dict[str, list[str]]:
    """Return the raw input of a step as stored in ``answers`` (to re-render or re-check it)."""
    raw: dict[str, list[str]] = {}
    for field in defn.step(step_id).fields:
        if not field.compute:
            raw.update(to_raw(field, answers.get(field.name)))
    return raw


def validate_field(defn: FormDefinition, step_id: str, name: str, raw, answers: Mapping,
                   facts: Mapping | None) -> str | None:
    """Return the message for one input while typing (same as on submit), or None.

    ``raw`` is the submitted mapping (name -> list of strings) or the single
    value; inputs it lacks come from ``answers``. ``name`` may be a list cell.
    """
    given = raw if isinstance(raw, Mapping) else {name: raw if isinstance(raw, list) else [raw]}
    field_name = name.split("-", 1)[0]
    combined = {k: v for k, v in step_raw(defn, step_id, answers).items()
                if k != field_name and not k.startswith(f"{field_name}-")}
    combined.update(given)
    _, errors = parse_step(defn, step_id, combined, answers, facts)
    if name in errors:
        return errors[name]
    return next((message for key, message in errors.items() if key.startswith(f"{name}-")), None)


def validate_all(defn: FormDefinition, answers: Mapping, facts: Mapping | None) -> dict[str, dict[str, str]]:
    """Return {step_id: {field or cell: message}} for the submit; only steps with problems (empty = valid).

    Every visible step is re-checked from ``answers`` exactly as ``parse_step``
    would (but defaults are not filled in: the stored answers must be complete),
    then the rules spanning several steps.
    """
    result: dict[str, dict[str, str]] = {}
    resolved = resolve(defn, answers, facts)
    for step, _ in resolved.steps:
        _, errors = parse_step(defn, step.id, step_raw(defn, step.id, answers), answers, facts, defaults=False)
        if errors:
            result[step.id] = errors
    shown = {field.name for _, fields in resolved.steps for field in fields}
    bad = {key.split("-", 1)[0] for errors in result.values() for key in errors}
    spanning = [rule for rule in defn.rules
                if not _rule_fields(defn, rule) <= {f.name for f in defn.step_of(rule.field).fields}]
    for field, message in rule_errors(defn, spanning, resolved.env, shown, bad).items():
        result.setdefault(defn.step_of(field).id, {})[field] = message
    return result
