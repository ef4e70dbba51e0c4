"""Static check of a form definition: everything that can be known before a run.

``check_form`` returns German lines ``DATEI: schlüssel: problem`` (empty =
fine): the structure (via ``schema``), names and facts in every expression,
expressions that do not parse or fail on sample facts, required fields that
can never be shown, ``completes`` against the bundled rulebooks, ``effects``
and the fields each effect needs, ``produces`` and the document placeholders
no field or fact fills.
"""

from __future__ import annotations

import json
from pathlib import Path

from .definition import (
    CONTEXT_FACTS,
    FACTS,
    SAMPLE_FACTS,
    Field,
    FormDefinition,
    default_forms_dir,
    display_path,
    parse_form,
)
from .expressions import FUNCTIONS, ExpressionError, evaluate, is_iso_date, names_in, truthy
from .schema import EFFECTS

# context roots the DB layer fills for every document (never from [document])
STANDARD_DOCUMENT_ROOTS = ("jobcenter", "customer", "measure", "participation", "author", "issued_on",
                           "reference", "term", "kind")
# further roots the DB layer fills for one document: the Gesprächsvermerk gets "form" from review()
DOCUMENT_EXTRA_ROOTS = {"gespraechsvermerk": ("form",)}
# the answers an effect reads on submit (the DB layer's contract)
EFFECT_FIELDS = {
    "agreement": ("agreement_kind", "concluded_on", "valid_until", "review_date", "goal", "steps",
                  "customer_duties", "own_efforts_number", "own_efforts_period", "own_efforts_proof",
                  "jobcenter_support", "contacts_during_measure"),
    "contact": ("contact_date", "channel", "qualified"),
    "placement_proposal": ("proposal_date", "employer", "job_title", "job_kind", "sv_pflichtig", "remarks"),
    "exit": ("exit_date", "dropout_reason", "important_reason", "unemployed"),
    # the Sprechstunde: participant_findings is a list with the columns participant, finding, inform_pap
    "office_hour": ("held_on", "attendance", "findings", "participant_findings"),
}
# effects that need a measure (the MB's forms); every other effect needs a case
MEASURE_EFFECTS = ("office_hour", "survey")
OFFICE_HOUR_COLUMNS = ("participant", "finding", "inform_pap")


def _sample(field: Field):
    if field.type == "list":
        return [{column.name: _sample(column) for column in field.columns}]
    return {
        "text": "Beispiel", "textarea": "Beispiel", "date": "2026-11-15", "number": 4, "yesno": True,
        "choice": field.options[0][0] if field.options else None,
        "multichoice": [field.options[0][0]] if field.options else None,
        "checklist": list(field.items[:1]) or ["Beispiel"],
    }[field.type]


class _FormChecker:
    def __init__(self, defn: FormDefinition):
        self.defn = defn
        self.errors: list[str] = []
        self.order = {field.name: i for i, field in enumerate(defn.fields)}
        facts = {root: dict(v) if isinstance(v, dict) else v for root, v in SAMPLE_FACTS.items()}
        self.trials = [{**facts, **{f.name: None for f in defn.fields}},
                       {**facts, **{f.name: _sample(f) for f in defn.fields}}]

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self.defn.source}: {key}: {message}")

    def name_problem(self, name: str, scope: str, position: int) -> str | None:
        root, *rest = name.split(".")
        if root in FACTS and root not in CONTEXT_FACTS[self.defn.context]:
            return (f"„{root}“ gibt es in einem Formular mit context = \"{self.defn.context}\" nicht "
                    f"(dort: {', '.join(CONTEXT_FACTS[self.defn.context])})")
        if root in FACTS:
            keys = FACTS[root]
            if rest and not keys:
                return f"„{root}“ hat keine Unterschlüssel"
            if rest and rest[0] not in keys:
                return f"unbekannter Fakt „{root}.{rest[0]}“ (bekannt: {', '.join(keys)})"
            if len(rest) > 1:
                return f"„{root}.{rest[0]}“ hat keine Unterschlüssel"
            return None
        if root in self.order:
            if rest:
                return f"„{root}“ ist ein Feld und hat keine Unterschlüssel"
            if scope == "facts":
                return f"prefill darf nur Fakten verwenden, nicht das Feld „{root}“"
            if scope == "earlier" and self.order[root] >= position:
                return f"default darf nur Felder verwenden, die davor stehen („{root}“ steht nicht davor)"
            return None
        return (f"unbekannter Name „{root}“ (erlaubt: Fakten wie measure.type_code, Felder dieses Formulars, "
                f"Funktionen {', '.join(FUNCTIONS)})")

    def expression(self, key: str, expr: str, scope: str = "all", position: int = 0, result: str = "") -> None:
        """Check one expression: parse, names, then a trial run on sample facts."""
        try:
            names = names_in(expr)
        except ExpressionError as exc:
            self.error(key, f"Ausdruck ungültig: {exc}")
            return
        problems = list(dict.fromkeys(p for p in (self.name_problem(n, scope, position) for n in sorted(names)) if p))
        for problem in problems:
            self.error(key, problem)
        if problems:
            return
        for env in self.trials:
            try:
                value = evaluate(expr, env)
            except ExpressionError as exc:
                self.error(key, f"Ausdruck kann nicht ausgewertet werden: {exc}")
                return
            if result == "date" and value is not None and not is_iso_date(value):
                self.error(key, f"muss ein Datum (JJJJ-MM-TT) oder None ergeben, ergibt „{value}“")
                return
            if result == "list" and value is not None and not isinstance(value, list | tuple):
                self.error(key, "muss eine Liste von Texten ergeben")
                return
            if result == "options" and value is not None and not (
                    isinstance(value, list | tuple)
                    and all(isinstance(v, list | tuple) and len(v) == 2 for v in value)):
                self.error(key, "muss eine Liste von [Wert, Bezeichnung] ergeben")
                return

    def never_shown(self, expr: str | None) -> bool:
        """True when ``expr`` uses no names and is always false (e.g. "False", "1 == 2")."""
        if not expr:
            return False
        try:
            return not names_in(expr) and not truthy(evaluate(expr, {}))
        except ExpressionError:
            return False

    def field(self, field: Field, key: str, step_hidden: bool, position: int) -> None:
        if field.name in FACTS or field.name in FUNCTIONS:
            what = "ein Fakt" if field.name in FACTS else "eine Funktion"
            self.error(f"{key}.name", f"„{field.name}“ ist {what} und als Feldname nicht erlaubt "
                                      f"(Fakten: {', '.join(FACTS)})")
        for name in ("show_if", "required_if", "compute"):
            if getattr(field, name):
                self.expression(f"{key}.{name}", getattr(field, name))
        if field.prefill:
            self.expression(f"{key}.prefill", field.prefill, "facts")
        if field.default:
            self.expression(f"{key}.default", field.default, "earlier", position)
        if field.items_from:
            self.expression(f"{key}.items_from", field.items_from, result="list")
        if field.options_from:
            self.expression(f"{key}.options_from", field.options_from, "facts", result="options")
        if field.type == "date":
            for name in ("min", "max"):
                if getattr(field, name):
                    self.expression(f"{key}.{name}", getattr(field, name), result="date")
        for k, column in enumerate(field.columns):
            self.field(column, f"{key}.columns[{k}]", False, position)
        if (field.required or field.required_if) and (step_hidden or self.never_shown(field.show_if)):
            self.error(f"{key}.required", "Pflichtfeld wird nie angezeigt (show_if ist immer falsch)")

    def run(self, step_ids: set[str] | None, forms_dir: Path) -> list[str]:
        defn = self.defn
        for i, step in enumerate(defn.steps):
            if step.show_if:
                self.expression(f"steps[{i}].show_if", step.show_if)
            hidden = self.never_shown(step.show_if)
            for j, field in enumerate(step.fields):
                self.field(field, f"steps[{i}].fields[{j}]", hidden, self.order[field.name])
        for i, rule in enumerate(defn.rules):
            if rule.field not in self.order:
                self.error(f"rules[{i}].field", f"unbekanntes Feld „{rule.field}“")
            self.expression(f"rules[{i}].assert", rule.assert_)
            if rule.when:
                self.expression(f"rules[{i}].when", rule.when)
        for path, expr in defn.document.items():
            self.expression(f"document.{path}", expr)
        self.completes(step_ids)
        self.effects()
        if defn.produces and defn.context != "case":
            self.error("produces", "ein Dokument gibt es nur für Formulare eines Falls (context = \"case\")")
        elif defn.produces:
            self.document(forms_dir)
        return self.errors

    def completes(self, step_ids: set[str] | None) -> None:
        if step_ids is None:
            from absolvent.rules import RulebookError, list_rulebooks
            try:
                step_ids = {step.id for rulebook in list_rulebooks() for step in rulebook.steps}
            except RulebookError as exc:
                self.error("completes", f"Regelwerke nicht lesbar: {exc.errors[0]}")
                return
        for i, step_id in enumerate(self.defn.completes):
            if step_id not in step_ids:
                self.error(f"completes[{i}]", f"kein mitgeliefertes Regelwerk hat den Schritt „{step_id}“")

    def effects(self) -> None:
        for i, effect in enumerate(self.defn.effects):
            if effect not in EFFECTS:
                self.error(f"effects[{i}]", f"unbekannte Wirkung „{effect}“ (erlaubt: {', '.join(EFFECTS)})")
                continue
            needs = "measure" if effect in MEASURE_EFFECTS else "case"
            if needs != self.defn.context:
                self.error(f"effects[{i}]", f"die Wirkung „{effect}“ braucht context = \"{needs}\"")
                continue
            missing = [name for name in EFFECT_FIELDS.get(effect, ()) if name not in self.order]
            if missing:
                self.error(f"effects[{i}]", f"die Wirkung „{effect}“ braucht die Felder {', '.join(missing)}")
            elif effect == "office_hour":
                columns = {c.name for c in self.defn.field("participant_findings").columns}
                if not set(OFFICE_HOUR_COLUMNS) <= columns:
                    self.error(f"effects[{i}]", "die Wirkung „office_hour“ braucht in participant_findings die "
                                                f"Spalten {', '.join(OFFICE_HOUR_COLUMNS)}")

    def document(self, forms_dir: Path) -> None:
        name = self.defn.produces
        folder = forms_dir / name
        if name.startswith("_") or "/" in name or not (folder / "definition.toml").is_file():
            self.error("produces", f"Dokument „{name}“ gibt es nicht (kein Ordner {display_path(folder)} "
                                   "mit definition.toml)")
            return
        from absolvent.documents.render.registry import load_spec  # pure, but loads the renderer: only here
        try:
            spec = load_spec(folder)
            sample = json.loads(spec.sample_path.read_text(encoding="utf-8")) if spec.sample_path.is_file() else {}
        except Exception as exc:  # DocumentError, OSError, JSONDecodeError: report it, never crash the check
            self.error("produces", f"Dokument „{name}“ ist ungültig: {exc}")
            return
        paths = [field.path for field in spec.required] + _leaf_paths(sample)
        roots = STANDARD_DOCUMENT_ROOTS + DOCUMENT_EXTRA_ROOTS.get(name, ())
        mapped = list(self.defn.document)
        for path in dict.fromkeys(paths):
            if path.split(".")[0] in roots or any(path == m or path.startswith(m + ".") for m in mapped):
                continue
            self.error("document", f"Platzhalter „{path}“ des Dokuments „{name}“ wird von keinem Feld "
                                   "und keinem Fakt befüllt")


def _leaf_paths(data, prefix: str = "") -> list[str]:
    """Return the dotted paths of the leaves of a sample context (lists count as leaves; "_…" keys skipped)."""
    if not isinstance(data, dict) or not data:
        return [prefix] if prefix else []
    paths = []
    for key, value in data.items():
        if not key.startswith("_"):
            paths.extend(_leaf_paths(value, f"{prefix}.{key}" if prefix else key))
    return paths


def check_form(path_or_defn: str | Path | FormDefinition, rulebook_step_ids=None,
               forms_dir: str | Path | None = None) -> list[str]:
    """Return all problems of a form (a form.toml, its folder, or a loaded definition) as German lines.

    ``rulebook_step_ids``: the step ids ``completes`` may name (default: every
    step of the bundled rulebooks). ``forms_dir``: where ``produces`` is looked
    up (default: the bundled forms/). Never raises for a bad form.
    """
    forms_dir = Path(forms_dir) if forms_dir is not None else default_forms_dir()
    if isinstance(path_or_defn, FormDefinition):
        defn = path_or_defn
    else:
        path = Path(path_or_defn)
        if path.is_dir():
            path = path / "form.toml"
        source = display_path(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            return [f"{source}: Datei: nicht lesbar ({exc.strerror or exc})"]
        except UnicodeDecodeError:
            return [f"{source}: Datei: ist nicht UTF-8-kodiert"]
        defn, errors = parse_form(text, source, folder_name=path.parent.name)
        if errors:
            return errors
    step_ids = set(rulebook_step_ids) if rulebook_step_ids is not None else None
    return _FormChecker(defn).run(step_ids, forms_dir)
