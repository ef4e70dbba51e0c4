"""Structure check of form.toml data (keys, types, duplicates), pure.

``check(data, file)`` returns every problem as one German line
``DATEI: schlüssel: problem`` (keys as in the file: ``steps[0].fields[2].type``);
an empty list means the data can be built into a ``FormDefinition``.
"""

from __future__ import annotations

import re
import tomllib

FIELD_TYPES = ("text", "textarea", "date", "number", "choice", "multichoice", "yesno", "checklist", "list")
COLUMN_TYPES = ("text", "textarea", "date", "number", "choice", "yesno")
EFFECTS = ("note", "agreement", "contact", "placement_proposal", "exit", "replan", "office_hour", "survey")
# what a form is filled for: a customer's case (participation) or a measure (the MB's forms)
CONTEXTS = ("case", "measure")
DEFAULT_MAX_LENGTH = {"text": 255, "textarea": 5000}
MAX_ROWS = 200

TOP_KEYS = {"id", "title", "version", "description", "completes", "produces", "note_subject", "effects",
            "steps", "rules", "document", "context"}
STEP_KEYS = {"id", "title", "show_if", "help", "fields"}
COMMON_FIELD_KEYS = {"name", "label", "type", "required", "required_if", "required_message", "show_if", "help",
                     "prefill", "default", "compute"}
TYPE_KEYS = {
    "text": {"max_length"}, "textarea": {"max_length"},
    "date": {"min", "max", "min_message", "max_message"},
    "number": {"min", "max", "min_message", "max_message", "integer"},
    "choice": {"options", "options_from"}, "multichoice": {"options"}, "yesno": set(),
    "checklist": {"items", "items_from"}, "list": {"columns", "min_rows", "max_rows"},
}
ALL_TYPE_KEYS = set().union(*TYPE_KEYS.values())
COLUMN_KEYS = {"name", "label", "type", "required", "required_message", "help", "max_length", "min", "max",
               "min_message", "max_message", "integer", "options", "options_from"}
RULE_KEYS = {"assert", "when", "field", "message"}
# expression keys of a field (min/max are expressions only for dates)
FIELD_EXPRESSIONS = ("show_if", "required_if", "prefill", "default", "compute", "items_from", "options_from")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PATH_RE = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")


def syntax_error_line(file: str, exc: tomllib.TOMLDecodeError) -> str:
    """Return the German line for a TOML syntax error (``DATEI: Zeile N: TOML-Syntaxfehler: …``)."""
    match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    where = f"Zeile {match.group(1)}" if match else "Datei"
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    return f"{file}: {where}: TOML-Syntaxfehler: {message}"


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.errors: list[str] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self.file}: {key}: {message}")

    def table(self, value, key: str, allowed: set, required: tuple) -> bool:
        if not isinstance(value, dict):
            self.error(key, "muss eine Tabelle sein")
            return False
        for name in value:
            if name not in allowed:
                self.error(f"{key}.{name}" if key else name, "unbekannter Schlüssel")
        for name in required:
            if name not in value:
                self.error(f"{key}.{name}" if key else name, "Pflichtangabe fehlt")
        return True

    def texts_of(self, table: dict, names, key: str) -> None:
        for name in names:
            if name in table and not _is_text(table[name]):
                self.error(f"{key}.{name}" if key else name, "muss ein nicht leerer Text sein")

    def flag(self, table: dict, name: str, key: str) -> None:
        if name in table and not isinstance(table[name], bool):
            self.error(f"{key}.{name}", "muss true oder false sein")

    def count(self, table: dict, name: str, key: str) -> int | None:
        value = table.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            self.error(f"{key}.{name}", "muss eine ganze Zahl ab 0 sein")
            return None
        return value

    def text_list(self, value, key: str) -> None:
        if not isinstance(value, list) or not all(_is_text(v) for v in value):
            self.error(key, "muss eine Liste von Texten sein")

    def options(self, value, key: str) -> None:
        if not isinstance(value, list) or not value:
            self.error(key, "muss eine nicht leere Liste von [Wert, Bezeichnung] sein")
            return
        seen = set()
        for i, item in enumerate(value):
            if not isinstance(item, list) or len(item) != 2 or not all(_is_text(v) for v in item):
                self.error(f"{key}[{i}]", "muss [Wert, Bezeichnung] sein")
            elif item[0] in seen:
                self.error(f"{key}[{i}]", f"Wert „{item[0]}“ doppelt")
            else:
                seen.add(item[0])

    def bounds(self, raw: dict, kind: str, key: str) -> None:
        for name in ("min", "max"):
            value = raw.get(name)
            if value is None:
                continue
            if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
                self.error(f"{key}.{name}", "muss eine Zahl sein")
            elif kind == "date" and not _is_text(value):
                self.error(f"{key}.{name}", "muss ein Ausdruck sein, z. B. \"add_days(today, -1)\"")
        low, high = raw.get("min"), raw.get("max")
        if kind == "number" and all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)) \
                and low > high:
            self.error(f"{key}.min", "darf nicht größer als max sein")

    def field(self, raw, key: str, column: bool = False) -> str | None:
        """Check one field (or list column); return its name when usable."""
        allowed = COLUMN_KEYS if column else COMMON_FIELD_KEYS | ALL_TYPE_KEYS
        if not self.table(raw, key, allowed, ("name", "label", "type")):
            return None
        name, kind = raw.get("name"), raw.get("type")
        if name is not None and (not isinstance(name, str) or not NAME_RE.match(name)):
            self.error(f"{key}.name", f"ungültiger Feldname „{name}“ (Kleinbuchstaben, Ziffern, _)")
            name = None
        types = COLUMN_TYPES if column else FIELD_TYPES
        if kind is not None and kind not in types:
            self.error(f"{key}.type", f"unbekannter Feldtyp „{kind}“ (erlaubt: {', '.join(types)})")
        elif kind is not None:
            for extra in sorted(set(raw) & allowed & (ALL_TYPE_KEYS - TYPE_KEYS[kind])):
                self.error(f"{key}.{extra}", f"passt nicht zum Feldtyp „{kind}“")
            self.bounds(raw, kind, key)
        self.texts_of(raw, ("label", "help", "required_message", "min_message", "max_message")
                      + FIELD_EXPRESSIONS, key)
        self.flag(raw, "required", key)
        self.flag(raw, "integer", key)
        if "compute" in raw and any(raw.get(n) for n in ("required", "required_if", "prefill", "default")):
            self.error(f"{key}.compute", "ein berechnetes Feld hat kein required, required_if, prefill oder default")
        if raw.get("required") is True and "required_if" in raw:
            self.error(f"{key}.required_if", "entweder required oder required_if angeben")
        if kind == "choice" and "options_from" in raw:
            if "options" in raw:
                self.error(key, "entweder options oder options_from angeben")
        elif kind in ("choice", "multichoice"):
            self.options(raw.get("options"), f"{key}.options")
        if kind == "checklist":
            if ("items" in raw) == ("items_from" in raw):
                self.error(key, "genau eines von items oder items_from angeben")
            elif "items" in raw:
                self.text_list(raw["items"], f"{key}.items")
        max_length = self.count(raw, "max_length", key)
        if max_length == 0:
            self.error(f"{key}.max_length", "muss mindestens 1 sein")
        if kind == "list":
            self.columns(raw.get("columns"), f"{key}.columns")
            low, high = self.count(raw, "min_rows", key), self.count(raw, "max_rows", key)
            if low is not None and high is not None and low > high:
                self.error(f"{key}.min_rows", "darf nicht größer als max_rows sein")
            if high is not None and high > MAX_ROWS:
                self.error(f"{key}.max_rows", f"höchstens {MAX_ROWS}")
        return name

    def columns(self, value, key: str) -> None:
        if not isinstance(value, list) or not value:
            self.error(key, "muss eine nicht leere Liste von Spalten sein ([[steps.fields.columns]])")
            return
        seen = set()
        for i, raw in enumerate(value):
            name = self.field(raw, f"{key}[{i}]", column=True)
            if name in seen:
                self.error(f"{key}[{i}].name", f"Spalte „{name}“ doppelt")
            seen.add(name)

    def steps(self, value) -> None:
        if not isinstance(value, list) or not value:
            self.error("steps", "muss eine nicht leere Liste von Schritten sein ([[steps]])")
            return
        seen_steps: dict[str, str] = {}
        seen_fields: dict[str, str] = {}
        for i, raw in enumerate(value):
            key = f"steps[{i}]"
            if not self.table(raw, key, STEP_KEYS, ("id", "title", "fields")):
                continue
            self.texts_of(raw, ("title", "show_if", "help"), key)
            step_id = raw.get("id")
            if step_id is not None and (not isinstance(step_id, str) or not ID_RE.match(step_id)):
                self.error(f"{key}.id", f"ungültige Kennung „{step_id}“ (Kleinbuchstaben, Ziffern, Bindestriche)")
            elif step_id in seen_steps:
                self.error(f"{key}.id", f"Schritt „{step_id}“ doppelt (schon in {seen_steps[step_id]})")
            elif step_id is not None:
                seen_steps[step_id] = key
            fields = raw.get("fields", [])
            if not isinstance(fields, list) or not fields:
                self.error(f"{key}.fields", "muss eine nicht leere Liste von Feldern sein ([[steps.fields]])")
                continue
            for j, raw_field in enumerate(fields):
                where = f"{key}.fields[{j}]"
                name = self.field(raw_field, where)
                if name in seen_fields:
                    self.error(f"{where}.name", f"Feld „{name}“ doppelt (schon in {seen_fields[name]})")
                elif name is not None:
                    seen_fields[name] = where

    def rules(self, value) -> None:
        if not isinstance(value, list):
            self.error("rules", "muss eine Liste von Regeln sein ([[rules]])")
            return
        for i, raw in enumerate(value):
            key = f"rules[{i}]"
            if self.table(raw, key, RULE_KEYS, ("assert", "field", "message")):
                self.texts_of(raw, ("assert", "when", "field", "message"), key)

    def document(self, value, produces) -> None:
        if not isinstance(value, dict):
            self.error("document", "muss eine Tabelle „Pfad = Ausdruck“ sein")
            return
        if not produces:
            self.error("document", "nur zusammen mit produces möglich")
        for path, expr in value.items():
            if not PATH_RE.match(path):
                self.error(f"document.{path}", "ungültiger Pfad (z. B. \"agreement.goal\")")
            elif not _is_text(expr):
                self.error(f"document.{path}", "muss ein Ausdruck sein")
            elif any(other.startswith(path + ".") for other in value):
                self.error(f"document.{path}", "Pfad ist zugleich Anfang eines anderen Pfades")


def check(data: dict, file: str, folder_name: str | None = None) -> list[str]:
    """Return the structure problems of parsed form.toml ``data`` (empty list = buildable)."""
    c = _Checker(file)
    if not c.table(data, "", TOP_KEYS, ("id", "title", "version", "steps")):
        return c.errors
    form_id = data.get("id")
    if form_id is not None and (not isinstance(form_id, str) or not ID_RE.match(form_id)):
        c.error("id", f"ungültige Kennung „{form_id}“ (Kleinbuchstaben, Ziffern, Bindestriche)")
    elif folder_name is not None and form_id is not None and form_id != folder_name:
        c.error("id", f"muss dem Ordnernamen „{folder_name}“ entsprechen")
    c.texts_of(data, ("title", "note_subject", "produces", "description"), "")
    if "context" in data and data["context"] not in CONTEXTS:
        c.error("context", f"unbekannter Kontext „{data['context']}“ (erlaubt: {', '.join(CONTEXTS)})")
    if "version" in data and not (_is_text(data["version"]) or isinstance(data["version"], int | float)):
        c.error("version", "muss ein Text sein, z. B. \"2026.1\"")
    for name in ("completes", "effects"):
        if name in data:
            c.text_list(data[name], name)
    if "steps" in data:
        c.steps(data["steps"])
    c.rules(data.get("rules", []))
    if "document" in data:
        c.document(data["document"], data.get("produces"))
    return c.errors
