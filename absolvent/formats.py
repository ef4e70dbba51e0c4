"""German formats: dates as TT.MM.JJJJ, parsing with clear German errors."""
import datetime
import re

_DATE_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
          "September", "Oktober", "November", "Dezember"]


class DateFormatError(ValueError):
    pass


def parse_date(text):
    """Parse TT.MM.JJJJ (or ISO YYYY-MM-DD from <input type=date>); None for empty.

    Raises DateFormatError with a German message.
    """
    if text is None or not str(text).strip():
        return None
    m = _DATE_RE.match(str(text)) or _ISO_RE.match(str(text))
    if not m:
        raise DateFormatError("Bitte ein Datum im Format TT.MM.JJJJ eingeben.")
    parts = [int(p) for p in m.groups()]
    day, month, year = parts if _DATE_RE.match(str(text)) else reversed(parts)
    try:
        value = datetime.date(year, month, day)
    except ValueError:
        raise DateFormatError("Dieses Datum gibt es nicht.") from None
    if not 1900 <= value.year <= 2100:
        raise DateFormatError("Das Jahr muss zwischen 1900 und 2100 liegen.")
    return value


def de_date(value):
    """Format a date or datetime as TT.MM.JJJJ (datetime with HH:MM); '' for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def month_label(value):
    """'Januar 2027' for any day of that month."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def first_of_next_month(day):
    """The first day of the month after ``day``'s month."""
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text):
    """The first day of the month 'YYYY-MM' (years 2000–2100), or None when malformed."""
    m = _MONTH_RE.match(text or "")
    if not m or not 2000 <= int(m.group(1)) <= 2100 or not 1 <= int(m.group(2)) <= 12:
        return None
    return datetime.date(int(m.group(1)), int(m.group(2)), 1)
