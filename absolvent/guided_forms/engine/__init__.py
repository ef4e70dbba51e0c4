"""The pure guided-forms engine: form definitions as data, run over answers and facts.

No Flask, no database: every function takes plain values (answers, the case
``facts`` described by ``FACTS``) and returns plain values. Imports only
``absolvent.formats``, ``absolvent.rules`` and (lazily, for the static check)
the document registry.

Typical use by the web/database layer::

    defn = load_form(forms_dir / "eingliederungsvereinbarung")
    answers, prefilled = initial_answers(defn, facts)
    for step in visible_steps(defn, answers, facts): ...
    values, errors = parse_step(defn, step.id, request.form.to_dict(flat=False), answers, facts)
    problems = validate_all(defn, answers, facts)          # on submit: {} = valid
    computed_values(defn, answers, facts); review(defn, answers, facts)
    document_context(defn, answers, facts)                 # the [document] part of the context
"""

from .check import DOCUMENT_EXTRA_ROOTS, EFFECT_FIELDS, STANDARD_DOCUMENT_ROOTS, check_form
from .definition import (
    CONTEXT_FACTS,
    FACTS,
    SAMPLE_FACTS,
    CrossRule,
    Field,
    FormDefinition,
    FormError,
    Step,
    default_forms_dir,
    form_paths,
    list_forms,
    load_form,
    load_form_text,
)
from .expressions import SAFE_FUNCTIONS, ExpressionError, evaluate, names_in
from .runtime import (
    bind_options,
    computed_values,
    display_value,
    document_context,
    effective_answers,
    initial_answers,
    review,
    review_sections,
    visible_fields,
    visible_steps,
)
from .schema import COLUMN_TYPES, CONTEXTS, EFFECTS, FIELD_TYPES
from .validation import parse_step, step_raw, validate_all, validate_field

__all__ = [
    "CONTEXT_FACTS",
    "COLUMN_TYPES",
    "CONTEXTS",
    "DOCUMENT_EXTRA_ROOTS",
    "EFFECTS",
    "EFFECT_FIELDS",
    "FACTS",
    "FIELD_TYPES",
    "SAFE_FUNCTIONS",
    "SAMPLE_FACTS",
    "STANDARD_DOCUMENT_ROOTS",
    "CrossRule",
    "ExpressionError",
    "Field",
    "FormDefinition",
    "FormError",
    "Step",
    "bind_options",
    "check_form",
    "computed_values",
    "default_forms_dir",
    "display_value",
    "document_context",
    "effective_answers",
    "evaluate",
    "form_paths",
    "initial_answers",
    "list_forms",
    "load_form",
    "load_form_text",
    "names_in",
    "parse_step",
    "review",
    "review_sections",
    "step_raw",
    "validate_all",
    "validate_field",
    "visible_fields",
    "visible_steps",
]
