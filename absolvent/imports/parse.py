"""Reading and checking a COSACH/VerBIS export of participations (CSV or XLSX). Pure: no Flask,
no database; what the database knows (teams, pAps) comes in as plain dicts.

``read_table(data)`` turns the bytes into ``(line, {column key: value})`` records (CSV with ";"
or ",", UTF-8 with or without BOM, else Windows-1252; XLSX: the first sheet, the header is
the first non-empty row). ``check(table, teams, paps, today)`` returns ``(rows, problems)``:
typed ``Row`` objects and every ``Problem`` („Zeile N: Spalte: Meldung“, N as the user sees
the line in the file, the header's own line included).
"""
import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass

from ..formats import DateFormatError, parse_date
from ..rules.vocabulary import MEASURE_TYPES  # code -> label; the app's vocabulary.MEASURE_TYPES has the same codes

# column key -> German header (the export's spelling); ``pap`` is the app's optional extra
COLUMNS = {
    "customer_number": "Kundennummer", "last_name": "Nachname", "first_name": "Vorname",
    "birth_date": "Geburtsdatum", "team": "Team", "measure_number": "Maßnahme-Nr.",
    "type_code": "Maßnahmeart", "title": "Maßnahmetitel", "provider": "Träger", "start": "Beginn",
    "end": "Ende", "entry": "Eintritt", "planned_end": "geplantes Ende", "exit": "Austritt",
    "exit_kind": "Austrittsart", "pap": "pAp",
}
OPTIONAL_COLUMNS = ("exit", "exit_kind", "pap")
REQUIRED_COLUMNS = tuple(k for k in COLUMNS if k not in OPTIONAL_COLUMNS)
DATE_COLUMNS = ("birth_date", "start", "end", "entry", "planned_end", "exit")
MAX_LEN = {"customer_number": 20, "last_name": 100, "first_name": 100, "team": 100, "measure_number": 40,
           "title": 200, "provider": 200, "pap": 100}
# spellings of the exit kinds in exports -> the app's codes (vocabulary.EXIT_KINDS)
EXIT_KIND_SPELLINGS = {
    "regulär": "regulaer", "regulaer": "regulaer", "regular": "regulaer", "reguläres ende": "regulaer",
    "regulär beendet": "regulaer", "planmäßig": "regulaer", "planmäßiges ende": "regulaer",
    "abbruch": "abbruch", "abgebrochen": "abbruch", "vorzeitiger abbruch": "abbruch",
    "vorzeitig beendet": "abbruch", "vorzeitiges ende": "abbruch",
}
MAX_AGE_YEARS = 100
MAX_ROWS = 200_000


class ImportFileError(Exception):
    """The file cannot be read as a table at all (German message)."""


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self):
        return f"Zeile {self.line}: {self.column}: {self.message}"


@dataclass
class Row:
    line: int
    customer_number: str
    last_name: str
    first_name: str
    birth_date: datetime.date
    team: str
    measure_number: str
    type_code: str
    title: str
    provider: str
    start: datetime.date
    end: datetime.date
    entry: datetime.date
    planned_end: datetime.date
    exit: datetime.date | None
    exit_kind: str | None
    pap: str | None  # the matched pAp's key in ``paps`` (None: column absent or empty)


def header_key(text):
    """A header cell reduced for matching: case, spaces, dots and hyphens do not count."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold()
    return re.sub(r"[\W_]+", "", text)


_HEADERS = {header_key(label): key for key, label in COLUMNS.items()}


def _cell(value):
    """An XLSX or CSV cell as text, or a date for real date cells."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # Excel's "CSV (Trennzeichen-getrennt)" in Germany writes Windows-1252
        return data.decode("cp1252", errors="replace")


def _csv_records(data):
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError("Unbekanntes Dateiformat: bitte eine CSV- oder XLSX-Datei verwenden.")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            yield reader.line_num, [c.strip() for c in record]
    except csv.Error as exc:
        raise ImportFileError(f"Die CSV-Datei ist beschädigt (Zeile {reader.line_num}: {exc}).") from None


def _xlsx_records(data):
    import openpyxl  # only here: the CSV path needs no spreadsheet library
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any damage of the ZIP or XML: one German message
        raise ImportFileError("Die XLSX-Datei kann nicht gelesen werden (beschädigt oder keine Excel-Datei).") \
            from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        workbook.close()


def records(data):
    """``(line, cells)`` of every line of a CSV or XLSX file (bytes)."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_records(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("Alte Excel-Dateien (.xls) werden nicht unterstützt: bitte als XLSX oder CSV speichern.")
    return _csv_records(data)


def read_table(data):
    """``(header problems, [(line, {key: value})])``; the header is the first non-empty line."""
    header, table = None, []
    for line, cells in records(data):
        if not any(c != "" for c in cells):
            continue
        if header is None:
            header = {i: _HEADERS.get(header_key(c)) for i, c in enumerate(cells)}
            header_line = line
            continue
        table.append((line, {key: cells[i] if i < len(cells) else "" for i, key in header.items() if key}))
        if len(table) > MAX_ROWS:
            raise ImportFileError(f"Die Datei hat mehr als {MAX_ROWS:,} Zeilen.".replace(",", "."))
    if header is None:
        raise ImportFileError("Die Datei ist leer.")
    present = set(header.values())
    missing = [COLUMNS[k] for k in REQUIRED_COLUMNS if k not in present]
    problems = [Problem(header_line, "Kopfzeile", f"Pflichtspalte „{label}“ fehlt.") for label in missing]
    if not problems and not table:
        problems.append(Problem(header_line, "Kopfzeile", "Die Datei enthält keine Datenzeilen."))
    return problems, table


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _RowChecker:
    def __init__(self, line, values, problems):
        self.line, self.values, self.problems, self.ok = line, values, problems, True

    def fail(self, key, message):
        self.problems.append(Problem(self.line, COLUMNS[key], message))
        self.ok = False

    def text(self, key, required=True):
        value = self.values.get(key, "")
        value = value.strftime("%d.%m.%Y") if isinstance(value, datetime.date) else str(value).strip()
        if required and not value:
            self.fail(key, "Angabe fehlt.")
        elif len(value) > MAX_LEN.get(key, 100):
            self.fail(key, f"Zu lang (höchstens {MAX_LEN.get(key, 100)} Zeichen).")
        return value

    def date(self, key, required=True):
        value = self.values.get(key, "")
        if isinstance(value, datetime.date):
            return value
        try:
            day = parse_date(value)
        except DateFormatError as exc:
            shown = str(value)[:30]
            self.fail(key, f"„{shown}“ ist kein Datum (erwartet TT.MM.JJJJ oder JJJJ-MM-TT)."
                      if "Format" in str(exc) else f"„{shown}“: {exc}")
            return None
        if day is None and required:
            self.fail(key, "Angabe fehlt.")
        return day


def _check_row(line, values, teams, paps, today, problems):
    c = _RowChecker(line, values, problems)
    number = c.text("customer_number")
    if number and not number.replace("-", "").replace(" ", "").isalnum():
        c.fail("customer_number", "Darf nur Buchstaben, Ziffern und Bindestriche enthalten.")
    last, first = c.text("last_name"), c.text("first_name")
    birth = c.date("birth_date")
    if birth and birth > today:
        c.fail("birth_date", f"Liegt in der Zukunft ({birth:%d.%m.%Y}).")
    elif birth and birth < _years_before(today, MAX_AGE_YEARS):
        c.fail("birth_date", f"Nicht plausibel: mehr als {MAX_AGE_YEARS} Jahre zurück ({birth:%d.%m.%Y}).")
    team = c.text("team")
    if team and team.casefold() not in teams:
        c.fail("team", f"Unbekanntes Team „{team}“ (bekannt: {', '.join(sorted(teams.values())) or 'keine'}).")
    measure_number, raw_type = c.text("measure_number"), c.text("type_code")
    type_code = _type_code(raw_type)
    if raw_type and type_code is None:
        c.fail("type_code", f"Unbekannte Maßnahmeart „{raw_type}“ (erlaubt: {', '.join(MEASURE_TYPES)}).")
    title, provider = c.text("title"), c.text("provider")
    start, end = c.date("start"), c.date("end")
    if start and end and end < start:
        c.fail("end", f"Das Ende ({end:%d.%m.%Y}) liegt vor dem Beginn ({start:%d.%m.%Y}).")
    entry, planned_end = c.date("entry"), c.date("planned_end")
    if entry and start and entry < start:
        c.fail("entry", f"Der Eintritt ({entry:%d.%m.%Y}) liegt vor dem Beginn der Maßnahme ({start:%d.%m.%Y}).")
    if entry and end and entry > end:
        c.fail("entry", f"Der Eintritt ({entry:%d.%m.%Y}) liegt nach dem Ende der Maßnahme ({end:%d.%m.%Y}).")
    if entry and planned_end and planned_end < entry:
        c.fail("planned_end", f"Das geplante Ende ({planned_end:%d.%m.%Y}) liegt vor dem Eintritt "
                              f"({entry:%d.%m.%Y}).")
    exit_ = c.date("exit", required=False)
    if entry and exit_ and exit_ < entry:
        c.fail("exit", f"Der Austritt ({exit_:%d.%m.%Y}) liegt vor dem Eintritt ({entry:%d.%m.%Y}).")
    raw_kind = c.text("exit_kind", required=False)
    kind = EXIT_KIND_SPELLINGS.get(" ".join(raw_kind.casefold().split())) if raw_kind else None
    if raw_kind and kind is None:
        c.fail("exit_kind", f"„{raw_kind}“ ist keine Austrittsart (erlaubt: „regulär“ oder „Abbruch“).")
    elif kind and not exit_ and not str(values.get("exit", "")).strip():
        c.fail("exit", "Bei einer Austrittsart bitte auch das Austrittsdatum angeben.")
    elif exit_ and not raw_kind:
        c.fail("exit_kind", "Bitte angeben, ob die Teilnahme regulär endete oder abgebrochen wurde.")
    pap_text = c.text("pap", required=False)
    pap = None
    if pap_text:
        pap = pap_text.casefold()
        match = paps.get(pap)
        if match is None:
            c.fail("pap", f"Unbekannte Ansprechperson „{pap_text}“ (Benutzername oder Name eines pAp).")
        elif match == "mehrdeutig":
            c.fail("pap", f"„{pap_text}“ ist mehrdeutig: bitte den Benutzernamen angeben.")
        elif team and team.casefold() in teams and (match or "").casefold() != team.casefold():
            c.fail("pap", f"„{pap_text}“ gehört nicht zum Team „{team}“.")
    if not c.ok:
        return None
    return Row(line, number, last, first, birth, teams[team.casefold()], measure_number, type_code, title, provider,
               start, end, entry, planned_end, exit_, kind, pap)


def _type_code(text):
    folded = text.casefold()
    for code, label in MEASURE_TYPES.items():
        if folded in (code.casefold(), label.casefold()):
            return code
    return None


CUSTOMER_FIELDS = (("last_name", "Nachname"), ("first_name", "Vorname"), ("birth_date", "Geburtsdatum"),
                   ("team", "Team"))
MEASURE_FIELDS = (("type_code", "Maßnahmeart"), ("title", "Maßnahmetitel"), ("provider", "Träger"),
                  ("start", "Beginn"), ("end", "Ende"))


def _shown(value):
    return f"{value:%d.%m.%Y}" if isinstance(value, datetime.date) else str(value)


def _check_across(rows, problems):
    """The same customer or measure with other data in two rows; the same participation twice."""
    customers, measures, participations = {}, {}, {}
    for row in rows:
        for seen, key, fields, what in ((customers, row.customer_number, CUSTOMER_FIELDS, "Kundennummer"),
                                        (measures, row.measure_number, MEASURE_FIELDS, "Maßnahme-Nr.")):
            first = seen.setdefault(key.casefold(), row)
            for name, label in fields if first is not row else ():
                if (getattr(row, name) or "") != (getattr(first, name) or "") and not (
                        isinstance(getattr(row, name), str)
                        and getattr(row, name).casefold() == getattr(first, name).casefold()):
                    problems.append(Problem(row.line, label, f"Widerspricht Zeile {first.line} ({what} {key}: "
                                            f"„{_shown(getattr(row, name))}“ statt „{_shown(getattr(first, name))}“)."))
        pair = (row.customer_number.casefold(), row.measure_number.casefold())
        earlier = participations.setdefault(pair, row)
        if earlier is not row:
            problems.append(Problem(row.line, "Kundennummer", f"Die Teilnahme von {row.customer_number} an "
                                    f"{row.measure_number} steht schon in Zeile {earlier.line}."))


def check(table, teams, paps, today):
    """Check every record of ``read_table``; returns ``(rows, problems)`` sorted by line.

    ``teams``: casefolded name -> team name; ``paps``: casefolded username or name -> the
    pAp's team name (or "mehrdeutig" for a name two pAps share)."""
    problems, rows = [], []
    for line, values in table:
        row = _check_row(line, values, teams, paps, today, problems)
        if row is not None:
            rows.append(row)
    _check_across(rows, problems)
    problems.sort(key=lambda p: p.line)
    return rows, problems
