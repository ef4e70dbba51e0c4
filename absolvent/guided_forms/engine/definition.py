"""Form definitions: ``forms/<name>/form.toml`` loaded into frozen dataclasses.

A guided form is data. Loading checks the structure (keys, types, field
types, duplicates) and raises ``FormError`` with German lines
``DATEI: schlüssel: problem``; ``check.check_form`` adds the checks that need
more (names in expressions, rulebooks, documents).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .schema import DEFAULT_MAX_LENGTH, MAX_ROWS, check, syntax_error_line

# The case facts the caller supplies to every engine function, as plain values
# (dates as ISO text "JJJJ-MM-TT", missing values None): root -> keys. ``today``
# is an ISO date, not a mapping. ``step`` is the follow-up that opened the form
# (all values None when it was opened without one). Expressions read them as
# ``measure.type_code``; the static check allows exactly these paths.
FACTS: dict[str, tuple[str, ...]] = {
    "customer": ("customer_number", "salutation", "first_name", "last_name", "birth_date", "age"),
    # exit_kind: "regulaer" | "abbruch" | None; duration_months (int): RULES.md §3 measure
    # duration entry..planned_end; duration_days: both days included
    "participation": ("entry", "planned_end", "exit", "exit_kind", "duration_months", "duration_days"),
    # type_code: MAT, MAG, AVGS, AGH, FBW, FBW-ABS, BAE, BVB, EQ, 16E, 16I; capacity: places (int)
    "measure": ("type_code", "measure_number", "title", "provider_name", "start", "end", "capacity"),
    # agreement_term: "EV" | "KP" in force today; agreement_term_name its German name;
    # kp_from: the first day the rulebook says Kooperationsplan (ISO; None: always EV)
    "rulebook": ("id", "agreement_term", "agreement_term_name", "kp_from", "bundesland"),
    "step": ("id", "title", "phase", "due", "checklist"),
    # the participation's latest agreement (exists False and the rest None when there is none)
    "previous_agreement": ("exists", "concluded_on", "kind", "goal", "steps", "customer_duties",
                           "own_efforts_number", "own_efforts_period", "own_efforts_proof",
                           "jobcenter_support", "contacts_during_measure", "valid_until", "review_date"),
    "user": ("name",),
    "jobcenter": ("name",),
    "today": (),
    # measure forms only: the measure's participations as [[value, label], …] (value: the
    # participation's id as text) – the options of a choice with options_from = "roster"
    "roster": (),
}

# The facts a form of each ``context`` sees: a case form the case, a measure form (the MB's
# Sprechstunde, the anonymous survey) the measure and its participants, never one customer.
CONTEXT_FACTS: dict[str, tuple[str, ...]] = {
    "case": tuple(root for root in FACTS if root != "roster"),
    "measure": ("measure", "roster", "rulebook", "step", "user", "jobcenter", "today"),
}
# A complete example of the facts (used by the static check's trial run and in tests).
SAMPLE_FACTS: dict = {
    "customer": {"customer_number": "254D123456", "salutation": "Frau", "first_name": "Jürgen-Zoë",
                 "last_name": "Müller-Lüdenscheidt", "birth_date": "1989-04-03", "age": 37},
    "participation": {"entry": "2026-02-01", "planned_end": "2027-01-31", "exit": None, "exit_kind": None,
                      "duration_months": 12, "duration_days": 365},
    "measure": {"type_code": "FBW-ABS", "measure_number": "962/123/2026",
                "title": "Umschulung Kauffrau/-mann für Büromanagement",
                "provider_name": "Bildungswerk Harz & Heide gGmbH", "start": "2026-02-01", "end": "2027-01-31",
                "capacity": 14},
    "rulebook": {"id": "goslar-2016", "agreement_term": "KP", "agreement_term_name": "Kooperationsplan",
                 "kp_from": "2023-07-01",
                 "bundesland": "NI"},
    "step": {"id": "abs-ev", "title": "Kooperationsplan neu abschließen oder fortschreiben", "phase": "ende",
             "due": "2027-01-30", "checklist": ["Abschluss neuer Kooperationsplan / Fortschreibung"]},
    "previous_agreement": {"exists": True, "concluded_on": "2026-01-15", "kind": "KP",
                           "goal": "Abschluss der Umschulung", "steps": "Regelmäßige Teilnahme",
                           "customer_duties": "Teilnahme", "own_efforts_number": 4,
                           "own_efforts_period": "je Monat", "own_efforts_proof": "Liste der Bewerbungen",
                           "jobcenter_support": "Bildungsgutschein", "contacts_during_measure": "alle 3 Monate",
                           "valid_until": None, "review_date": "2026-07-15"},
    "user": {"name": "Petra Schäfer"},
    "jobcenter": {"name": "Jobcenter Landkreis Goslar"},
    "today": "2026-12-01",
    "roster": [["101", "Müller-Lüdenscheidt, Jürgen-Zoë (254D123456)"], ["102", "Öztürk, Ayşe (254D654321)"]],
}

class FormError(Exception):
    """A form definition is unreadable or invalid; ``errors`` lists German lines ``DATEI: schlüssel: problem``."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Field:
    """One input of a step. ``min``/``max``: numbers for number fields, expressions for dates."""

    name: str
    label: str
    type: str
    required: bool = False
    required_if: str | None = None
    required_message: str | None = None
    show_if: str | None = None
    help: str = ""
    max_length: int | None = None
    min: str | int | float | None = None
    max: str | int | float | None = None
    min_message: str | None = None
    max_message: str | None = None
    integer: bool = False
    options: tuple[tuple[str, str], ...] = ()
    items: tuple[str, ...] = ()
    items_from: str | None = None
    options_from: str | None = None  # choice: an expression over facts giving [[value, label], …]
    prefill: str | None = None
    default: str | None = None
    compute: str | None = None
    columns: tuple[Field, ...] = ()
    min_rows: int | None = None
    max_rows: int | None = None

    @property
    def option_labels(self) -> dict[str, str]:
        """Return value -> label of a choice/multichoice field."""
        return dict(self.options)


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    fields: tuple[Field, ...]
    show_if: str | None = None
    help: str = ""


@dataclass(frozen=True)
class CrossRule:
    """``assert`` must hold (when ``when`` holds); otherwise ``message`` goes to ``field``."""

    assert_: str
    field: str
    message: str
    when: str | None = None


@dataclass(frozen=True)
class FormDefinition:
    id: str
    title: str
    version: str
    sha256: str
    source_text: str
    source: str
    completes: tuple[str, ...]
    produces: str | None
    note_subject: str
    effects: tuple[str, ...]
    steps: tuple[Step, ...]
    rules: tuple[CrossRule, ...]
    document: dict
    description: str = ""
    context: str = "case"  # "case" (a participation) or "measure" (the MB's forms)

    @property
    def fields(self) -> tuple[Field, ...]:
        """Return every field of the form in order."""
        return tuple(field for step in self.steps for field in step.fields)

    def step(self, step_id: str) -> Step:
        """Return the step ``step_id``; raises KeyError."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def field(self, name: str) -> Field:
        """Return the field ``name``; raises KeyError."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    def step_of(self, name: str) -> Step:
        """Return the step holding field ``name``; raises KeyError."""
        for step in self.steps:
            if any(field.name == name for field in step.fields):
                return step
        raise KeyError(name)


# ------------------------------------------------------------------ building (data already checked)

def _build_field(raw: dict) -> Field:
    kind = raw["type"]
    return Field(
        name=raw["name"], label=raw["label"], type=kind, required=raw.get("required", False),
        required_if=raw.get("required_if"), required_message=raw.get("required_message"),
        show_if=raw.get("show_if"), help=raw.get("help", ""),
        max_length=raw.get("max_length", DEFAULT_MAX_LENGTH.get(kind)),
        min=raw.get("min"), max=raw.get("max"), min_message=raw.get("min_message"),
        max_message=raw.get("max_message"), integer=raw.get("integer", False),
        options=tuple((value, label) for value, label in raw.get("options", [])),
        items=tuple(raw.get("items", [])), items_from=raw.get("items_from"),
        options_from=raw.get("options_from"), prefill=raw.get("prefill"),
        default=raw.get("default"), compute=raw.get("compute"),
        columns=tuple(_build_field(column) for column in raw.get("columns", [])),
        min_rows=raw.get("min_rows"), max_rows=raw.get("max_rows", MAX_ROWS if kind == "list" else None),
    )


def parse_form(text: str, source: str, folder_name: str | None = None) -> tuple[FormDefinition | None, list[str]]:
    """Return (definition or None, German error lines) for the TOML ``text``; never raises.

    ``folder_name``, when given, must equal the form's ``id``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [syntax_error_line(source, exc)]
    errors = check(data, source, folder_name)
    if errors:
        return None, errors
    steps = tuple(
        Step(raw["id"], raw["title"], tuple(_build_field(f) for f in raw["fields"]), raw.get("show_if"),
             raw.get("help", ""))
        for raw in data["steps"]
    )
    return FormDefinition(
        id=data["id"], title=data["title"], version=str(data["version"]),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), source_text=text, source=source,
        completes=tuple(data.get("completes", ())), produces=data.get("produces"),
        note_subject=data.get("note_subject", data["title"]), effects=tuple(data.get("effects", ())),
        steps=steps,
        rules=tuple(CrossRule(r["assert"], r["field"], r["message"], r.get("when")) for r in data.get("rules", [])),
        document=dict(data.get("document", {})), description=data.get("description", ""),
        context=data.get("context", "case"),
    ), []


def default_forms_dir() -> Path:
    """Return the bundled ``forms/`` folder at the top of the repository."""
    return Path(__file__).resolve().parents[3] / "forms"


def display_path(path: Path) -> str:
    """Return ``path`` relative to the repository (``forms/x/form.toml``) when inside it."""
    path = Path(path)
    try:
        return path.resolve().relative_to(default_forms_dir().parent).as_posix()
    except ValueError:
        return str(path)


def _read(path: Path) -> tuple[str | None, str, list[str]]:
    source = display_path(path)
    try:
        return path.read_bytes().decode("utf-8"), source, []
    except OSError as exc:
        return None, source, [f"{source}: Datei: nicht lesbar ({exc.strerror or exc})"]
    except UnicodeDecodeError:
        return None, source, [f"{source}: Datei: ist nicht UTF-8-kodiert"]


def load_form_text(text: str, source: str = "form.toml") -> FormDefinition:
    """Return the definition in TOML ``text``; raises FormError (German lines prefixed with ``source``)."""
    definition, errors = parse_form(text, source)
    if errors:
        raise FormError(errors)
    return definition


def load_form(path: str | Path) -> FormDefinition:
    """Return the definition in ``path`` (a form.toml or its folder); raises FormError.

    The ``id`` must equal the folder name. ``sha256`` is the hash of the file's bytes.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "form.toml"
    text, source, errors = _read(path)
    if errors:
        raise FormError(errors)
    definition, errors = parse_form(text, source, folder_name=path.parent.name)
    if errors:
        raise FormError(errors)
    return replace(definition, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def form_paths(forms_dir: str | Path) -> list[Path]:
    """Return every ``forms_dir/*/form.toml`` (folders starting with ``_`` skipped), sorted."""
    return sorted(path for path in Path(forms_dir).glob("*/form.toml") if not path.parent.name.startswith("_"))


def list_forms(forms_dir: str | Path | None = None) -> list[FormDefinition]:
    """Return all form definitions in ``forms_dir`` (default: bundled), sorted by id.

    Raises FormError listing the problems of every form that does not load.
    """
    forms, errors = [], []
    for path in form_paths(forms_dir or default_forms_dir()):
        try:
            forms.append(load_form(path))
        except FormError as exc:
            errors.extend(exc.errors)
    if errors:
        raise FormError(errors)
    return sorted(forms, key=lambda form: form.id)
