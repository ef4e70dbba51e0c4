"""The one way to write an Excel list (XLSX, openpyxl): pure, no Flask, no peewee.

A sheet is German column headers and rows of plain values: dates become date cells
shown TT.MM.JJJJ (a datetime TT.MM.JJJJ HH:MM), numbers stay numbers, text stays
text — a value starting with "=", "+", "-" or "@" is stored as a string with Excel's
quote prefix, never as a formula. The header row is bold and frozen, the autofilter
spans header and data, the columns get widths from their content; optional title
rows above the header name the list, its filter and the day of the export.
``export`` builds a one-sheet workbook and its German file name; the controlling
report and the BaE Vormerkliste use ``add_sheet`` for their own layouts.
"""
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .formats import de_date

DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CREATOR = "Absolvent"
MAX_ROWS = 50_000  # an export beyond this is refused (a list that long is no list to read)
TOO_MANY_ROWS = ("Die Liste hat mehr als 50.000 Zeilen und kann so nicht nach Excel exportiert werden. "
                 "Bitte die Auswahl mit den Filtern eingrenzen.")
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_CELL_TEXT = 32_767  # Excel's limit per cell
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
_WIDTH_SAMPLE = 500  # rows looked at for the column widths


@dataclass(frozen=True)
class Column:
    """A column: its German header; ``kind`` "text" (default; dates and numbers are
    recognised by their values), "percent" (a fraction shown 0,0 %), "decimal" (one
    decimal place) or "wrap" (long text, wrapped); ``width`` fixed, else from the content."""

    header: str
    kind: str = "text"
    width: float | None = None


def column(spec):
    return spec if isinstance(spec, Column) else Column(str(spec))


def clean_text(value):
    """Text as Excel takes it: no control characters (openpyxl refuses them), at most 32,767 characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL_TEXT]


def _naive(value):
    """Excel has no time zones: an aware datetime in local time without its zone."""
    return value.astimezone().replace(tzinfo=None) if value.tzinfo is not None else value


def cell(ws, value, col=None, bold=False, fill=None, wrap=False):
    """One write-only cell holding ``value`` as its type: date, datetime, number or text."""
    result = WriteOnlyCell(ws)
    kind = col.kind if col else "text"
    if isinstance(value, bool):
        value = "ja" if value else "nein"
    if isinstance(value, datetime.datetime):
        result.value, result.number_format = _naive(value), DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        result.value, result.number_format = value, DATE_FORMAT
    elif isinstance(value, int | float | Decimal):
        result.value = value
        if kind == "percent":
            result.number_format = PERCENT_FORMAT
        elif kind == "decimal":
            result.number_format = DECIMAL_FORMAT
    elif value is not None and value != "":
        text = clean_text(value)
        result.value = text
        result.data_type = "s"  # text stays text, never a formula
        if text.startswith(FORMULA_STARTS):
            result.quotePrefix = True  # Excel keeps it text when the cell is edited
    if bold:
        result.font = Font(bold=True)
    if fill is not None:
        result.fill = fill
    if wrap or kind == "wrap" or bold:
        result.alignment = Alignment(vertical="top", wrap_text=True)
    return result


def _plain(ws, value, col):
    """``value`` as written: plain text and numbers as they are (fast), anything needing a format,
    a quote prefix or wrapping as a ``cell``."""
    if col.kind == "text":
        if isinstance(value, str) and value and not value.startswith(FORMULA_STARTS):
            return clean_text(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if value is None or value == "":
            return None
    return cell(ws, value, col)


def _shown(value):
    if isinstance(value, datetime.datetime):
        return "00.00.0000 00:00"
    if isinstance(value, datetime.date):
        return "00.00.0000"
    if isinstance(value, float | Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def widths(columns, rows):
    """Column widths from the header and the first rows' longest line: 8 to 60 characters."""
    result = []
    for index, col in enumerate(columns):
        if col.width:
            result.append(col.width)
            continue
        longest = max((len(line) for row in rows[:_WIDTH_SAMPLE] if index < len(row)
                       for line in _shown(row[index]).splitlines() or [""]), default=0)
        header = max(len(word) for word in col.header.split()) if col.header.strip() else 0
        result.append(min(max(longest, header, 6) + 2, 60))
    return result


def sheet_title(text):
    """A valid sheet name (31 characters, none of []:*?/\\)."""
    return _SHEET_TITLE_BAD.sub("-", clean_text(text)).strip("'")[:31] or "Liste"


def new_workbook(title):
    """An empty (write-only, streamed) workbook with its document properties."""
    wb = Workbook(write_only=True)
    wb.properties.title = clean_text(title)[:255]
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    return wb


def add_sheet(wb, title, columns, rows, title_lines=(), header_fill=None, landscape=True):
    """Append a sheet: ``title_lines`` (the first bold) above the header row, the bold header
    (optionally filled), the rows, frozen below the header, autofilter over header and data."""
    columns = [column(c) for c in columns]
    rows = [list(r) for r in rows]
    ws = wb.create_sheet(sheet_title(title))
    header_row = len(title_lines) + 1
    for i, width in enumerate(widths(columns, rows), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(rows), 1)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    if landscape:
        ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for i, line in enumerate(title_lines):
        first = cell(ws, line)
        first.font = Font(bold=True, size=13) if i == 0 else Font(italic=True)
        ws.append([first])
    ws.append([cell(ws, c.header, bold=True, fill=header_fill) for c in columns])
    for row in rows:
        ws.append([_plain(ws, value, col) for value, col in zip(row, columns, strict=False)])
    return ws


def to_bytes(wb):
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def file_name(title, *parts, day):
    """'Wiedervorlagen_2026-05-04.xlsx': letters (umlauts kept), digits and '-' joined by '_'."""
    clean = []
    for part in (title, *parts, day.isoformat()):
        text = re.sub(r"[^\w\-]+", "-", unicodedata.normalize("NFC", str(part)), flags=re.UNICODE).strip("-_")
        if text:
            clean.append(text[:60])
    return "_".join(clean) + ".xlsx"


def title_lines(title, filters="", now=None, count=None):
    """The rows above the header: the list's name; its filter, the time of the export and the row count."""
    now = now or datetime.datetime.now()
    facts = [f"Filter: {filters}" if filters else "ohne Filter", f"exportiert am {de_date(now)}"]
    if count is not None:
        facts.append(f"{count} {'Zeile' if count == 1 else 'Zeilen'}")
    return [title, " · ".join(facts)]


@dataclass(frozen=True)
class Sheet:
    """One sheet of an export: its name, columns and rows (plain values)."""

    title: str
    columns: list
    rows: list


def export(title, sheets, filters="", now=None, name_parts=()):
    """(XLSX bytes, German file name) of ``sheets`` (Sheet or (title, columns, rows)); each sheet has
    the title rows (list name, filter, export time, row count), a bold frozen header and an autofilter."""
    now = now or datetime.datetime.now()
    wb = new_workbook(title)
    sheets = [sheet if isinstance(sheet, Sheet) else Sheet(*sheet) for sheet in sheets]
    for sheet in sheets:
        heading = title if len(sheets) == 1 or sheet.title == title else f"{title} – {sheet.title}"
        add_sheet(wb, sheet.title, sheet.columns, sheet.rows,
                  title_lines=title_lines(heading, filters, now, len(sheet.rows)), header_fill=HEADER_FILL)
    return to_bytes(wb), file_name(title, *name_parts, day=now.date())
