"""Running a form over answers and facts: conditions, prefill, computed values, display.

``answers`` maps field names to stored values (JSON-able: text/choice str,
date ISO str, number int/float, yesno bool, multichoice/checklist list[str],
list list[dict]); ``facts`` is the mapping described by ``definition.FACTS``.
Everything here is pure and deterministic: ``today`` is a fact, never the clock.

Fields are resolved in form order: a field that is hidden (its ``show_if``
or its step's is false) or unanswered is None in expressions, so conditions
should refer to earlier fields. A stored value of the wrong type (e.g. raw
text kept from a bad input) also counts as None. The functions raise
``ExpressionError`` only for a broken form definition (one that fails
``check_form``), never for bad answers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from absolvent.formats import de_date

from .definition import FACTS, Field, FormDefinition, Step
from .expressions import evaluate, is_iso_date, truthy

MAX_NUMBER = 1e12


def _fact_value(value):
    """Return a fact as a plain value: dates become ISO text, tuples lists, mappings dicts."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_fact_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _fact_value(v) for k, v in value.items()}
    return value


def fact_names(facts: Mapping | None) -> dict:
    """Return the expression names of ``facts``: every root of FACTS (a missing mapping becomes {}).

    Dates given as ``datetime.date`` are turned into ISO text, so callers may pass either.
    """
    facts = facts or {}
    names = {}
    for root, keys in FACTS.items():
        value = _fact_value(facts.get(root))
        names[root] = value if not keys or isinstance(value, Mapping) else {}
    return names


def is_empty(value) -> bool:
    """True for None, blank text and empty lists."""
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, list | tuple) and not value)


def is_number(value) -> bool:
    """True for a finite int or float (not bool) within ±1e12."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) <= MAX_NUMBER)


def checklist_items(field: Field, env: Mapping) -> tuple[str, ...]:
    """Return the items of a checklist: fixed ``items`` or the texts ``items_from`` yields."""
    if field.items or not field.items_from:
        return field.items
    value = evaluate(field.items_from, env)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(item for item in value if isinstance(item, str) and item.strip())


def _options_of(field: Field, env: Mapping) -> tuple[tuple[str, str], ...]:
    """The [value, label] pairs ``options_from`` yields (anything else in the result is skipped)."""
    value = evaluate(field.options_from, env)
    if not isinstance(value, list | tuple):
        return ()
    pairs = {}
    for item in value:
        if isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(v, str) and v.strip() for v in item):
            pairs.setdefault(item[0], item[1])
    return tuple(pairs.items())


def _bind_field(field: Field, env: Mapping) -> Field:
    if field.options_from:
        return replace(field, options=_options_of(field, env))
    if field.columns and any(column.options_from for column in field.columns):
        return replace(field, columns=tuple(_bind_field(column, env) for column in field.columns))
    return field


def bind_options(defn: FormDefinition, facts: Mapping | None) -> FormDefinition:
    """Return ``defn`` with the options of every ``options_from`` choice (also list columns) taken
    from ``facts`` (e.g. a measure's participants); ``defn`` itself when it has none.

    Call it once per run before the other functions: an unbound choice has no options, so
    every value of it is refused as unknown. A value no longer among the options (a
    participation moved to another measure, a tampered id) is refused like any unknown choice.
    """
    if not any(f.options_from or any(c.options_from for c in f.columns) for f in defn.fields):
        return defn
    env = fact_names(facts)
    steps = tuple(replace(step, fields=tuple(_bind_field(f, env) for f in step.fields)) for step in defn.steps)
    return replace(defn, steps=steps)


def clean_value(field: Field, value, items: tuple[str, ...] | None = None):
    """Return ``value`` when it is a valid stored value of ``field``, else None (empty → None)."""
    if is_empty(value):
        return None
    kind = field.type
    if kind in ("text", "textarea"):
        return value if isinstance(value, str) else None
    if kind == "date":
        return value if is_iso_date(value) else None
    if kind == "number":
        return value if is_number(value) and not (field.integer and not isinstance(value, int)) else None
    if kind == "choice":
        return value if isinstance(value, str) and value in field.option_labels else None
    if kind == "yesno":
        return value if isinstance(value, bool) else None
    if kind in ("multichoice", "checklist"):
        known = field.option_labels if kind == "multichoice" else (items if items is not None else None)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return None
        kept = [v for v in value if known is None or v in known]
        return kept or None
    if kind == "list":
        if not isinstance(value, list | tuple) or not all(isinstance(row, Mapping) for row in value):
            return None
        rows = [{c.name: clean_value(c, row.get(c.name)) for c in field.columns} for row in value]
        return [row for row in rows if any(v is not None for v in row.values())] or None
    return None


def plain(value):
    """Return an expression result as a JSON-able value (tuples become lists)."""
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value


@dataclass
class Resolved:
    """The expression names after resolution and the visible steps with their visible fields."""

    env: dict
    steps: list[tuple[Step, list[Field]]]

    def fields_of(self, step_id: str) -> list[Field] | None:
        """Return the visible fields of ``step_id``, or None when the step is hidden."""
        for step, fields in self.steps:
            if step.id == step_id:
                return fields
        return None

    def items(self, field: Field) -> tuple[str, ...]:
        return checklist_items(field, self.env)


def _condition(expr: str | None, env: Mapping) -> bool:
    return True if not expr else truthy(evaluate(expr, env))


def resolve(defn: FormDefinition, answers: Mapping, facts: Mapping | None) -> Resolved:
    """Return the resolution of ``answers`` over ``facts``; raises ExpressionError for a broken form."""
    env = fact_names(facts)
    env.update({field.name: None for field in defn.fields})
    for field in defn.fields:
        if field.name in answers and not field.compute:
            items = checklist_items(field, env) if field.type == "checklist" else None
            env[field.name] = clean_value(field, answers[field.name], items)
    steps = []
    for step in defn.steps:
        step_shown = _condition(step.show_if, env)
        shown_fields = []
        for field in step.fields:
            shown = step_shown and _condition(field.show_if, env)
            if shown and field.compute:
                env[field.name] = plain(evaluate(field.compute, env))
            elif not shown:
                env[field.name] = None
            if shown:
                shown_fields.append(field)
        if step_shown:
            steps.append((step, shown_fields))
    return Resolved(env, steps)


def visible_steps(defn: FormDefinition, answers: Mapping, facts: Mapping | None) -> list[Step]:
    """Return the steps whose ``show_if`` holds, in order."""
    return [step for step, _ in resolve(defn, answers, facts).steps]


def visible_fields(step: Step, answers: Mapping, facts: Mapping | None,
                   defn: FormDefinition | None = None) -> list[Field]:
    """Return the fields of ``step`` whose ``show_if`` holds ([] when the step is hidden).

    With ``defn`` hidden fields of other steps count as None (as everywhere);
    without it the answers are taken as given.
    """
    if defn is not None:
        return resolve(defn, answers, facts).fields_of(step.id) or []
    env = fact_names(facts)
    env.update({field.name: None for field in step.fields})
    env.update(answers)
    if not _condition(step.show_if, env):
        return []
    return [field for field in step.fields if _condition(field.show_if, env)]


def effective_answers(defn: FormDefinition, answers: Mapping, facts: Mapping | None) -> dict:
    """Return every field's value as it counts: hidden/invalid → None, computed fields computed."""
    env = resolve(defn, answers, facts).env
    return {field.name: env[field.name] for field in defn.fields}


def computed_values(defn: FormDefinition, answers: Mapping, facts: Mapping | None) -> dict:
    """Return {name: value} of the computed fields (None when hidden)."""
    env = resolve(defn, answers, facts).env
    return {field.name: env[field.name] for field in defn.fields if field.compute}


def initial_answers(defn: FormDefinition, facts: Mapping | None) -> tuple[dict, set[str]]:
    """Return (answers, prefilled names) for a new run: ``prefill`` first, else ``default``.

    Defaults may use earlier answers (e.g. ``add_months(concluded_on, 6)``).
    Values of the wrong type are dropped; hidden fields are left out.
    """
    env = fact_names(facts)
    env.update({field.name: None for field in defn.fields})
    answers, prefilled = {}, set()
    for field in defn.fields:
        if field.compute:
            continue
        items = checklist_items(field, env) if field.type == "checklist" else None
        value = None
        if field.prefill:
            value = clean_value(field, plain(evaluate(field.prefill, env)), items)
            if value is not None:
                prefilled.add(field.name)
        if value is None and field.default:
            value = clean_value(field, plain(evaluate(field.default, env)), items)
        if value is not None:
            answers[field.name] = env[field.name] = value
    shown = {field.name for _, fields in resolve(defn, answers, facts).steps for field in fields}
    answers = {name: value for name, value in answers.items() if name in shown}
    return answers, prefilled & set(answers)


# ------------------------------------------------------------------ display

def de_number(value) -> str:
    """Return a number in German notation (12,5; 4)."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.10f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def de_iso(value: str) -> str:
    """Return ISO "JJJJ-MM-TT" as TT.MM.JJJJ (other text unchanged)."""
    return de_date(dt.date.fromisoformat(value)) if is_iso_date(value) else value


def format_plain(value):
    """Return a value for documents: None → "", bool → ja/nein, ISO dates → TT.MM.JJJJ, German numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int | float):
        return de_number(value)
    if isinstance(value, str):
        return de_iso(value)
    if isinstance(value, list | tuple):
        return [format_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: format_plain(v) for k, v in value.items()}
    return str(value)


def _document_value(field: Field, value):
    if value is None:
        return ""
    if field.type == "choice":
        return field.option_labels.get(value, value)
    if field.type == "multichoice":
        return [field.option_labels.get(v, v) for v in value]
    if field.type == "list":
        return [{c.name: _document_value(c, row.get(c.name)) for c in field.columns} for row in value]
    return format_plain(value)


def display_value(field: Field, value, items: tuple[str, ...] = ()) -> str:
    """Return the German display text of a stored value ("–" when empty).

    Dates TT.MM.JJJJ, yesno "ja"/"nein", choices by label, checklists one
    line per item (☒ ticked, ☐ not), lists one line per row.
    """
    if field.type == "checklist" and (items or value):
        ticked = set(value or ())
        return "\n".join(f"{'☒' if item in ticked else '☐'} {item}" for item in (items or value))
    if is_empty(value):
        return "–"
    if field.type == "list":
        return "\n".join(" · ".join(f"{c.label}: {display_value(c, row.get(c.name))}" for c in field.columns)
                         for row in value)
    shown = _document_value(field, value)
    return ", ".join(shown) if isinstance(shown, list) else str(shown)


def review(defn: FormDefinition, answers: Mapping, facts: Mapping | None) -> list[tuple[Step, list[tuple[Field, str]]]]:
    """Return the visible steps with their visible fields and German display texts (computed fields included)."""
    resolved = resolve(defn, answers, facts)
    result = []
    for step, fields in resolved.steps:
        rows = [(field, display_value(field, resolved.env[field.name],
                                      resolved.items(field) if field.type == "checklist" else ()))
                for field in fields]
        if rows:
            result.append((step, rows))
    return result


def review_sections(defn: FormDefinition, answers: Mapping, facts: Mapping | None) -> list[dict]:
    """Return ``review`` as plain data for documents: ``[{"title", "rows": [{"label", "value"}]}]``.

    This is the shape of ``form.sections`` in the Gesprächsvermerk (forms/gespraechsvermerk).
    """
    return [{"title": step.title, "rows": [{"label": field.label, "value": text} for field, text in rows]}
            for step, rows in review(defn, answers, facts)]


def document_context(defn: FormDefinition, answers: Mapping, facts: Mapping | None) -> dict:
    """Return the nested context part the ``[document]`` map fills (dates TT.MM.JJJJ, choices by label).

    A map entry that is a bare field name is shown like the field (labels,
    ja/nein); any other expression is formatted generically (``format_plain``).
    """
    resolved = resolve(defn, answers, facts)
    names = {field.name: field for field in defn.fields}
    context: dict = {}
    for path, expr in defn.document.items():
        name = expr.strip()
        if name in names:
            value = _document_value(names[name], resolved.env[name])
        else:
            value = format_plain(plain(evaluate(expr, resolved.env)))
        *parents, leaf = path.split(".")
        target = context
        for key in parents:
            target = target.setdefault(key, {})
        target[leaf] = value
    return context
