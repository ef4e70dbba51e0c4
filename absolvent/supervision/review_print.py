"""Fast layout of the printed Fachaufsicht list: one text per row, columns by measured spaces.

WeasyPrint spends about a millisecond on every table cell with text, so a
list of 500 rows with ten text cells each takes 5–10 s. The print template
therefore gets each row's data columns as one pre-laid text (``line``,
``white-space: pre``): the values separated by spaces and hair spaces whose
widths add up to the next column's start (em, en, four-per-em and hair spaces). The widths come from the DejaVu
Sans metrics the PDF uses (glyph advances are exact: kerning and ligatures are
switched off in the template and WeasyPrint does not round glyph positions), so
a column starts at most one hair space (about 1 px) before its line. A value
too wide for its column wraps onto a further line of the same row. Tabs are
not used: Pango converts tab stops with its own pixel factor (1.024 with Pango
1.50), which would make the columns drift. The column headings are real table
cells of the same widths; the grid lines are one background of the table.
"""
import functools
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "fonts"
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
PX_PER_MM = 96 / 25.4
FONT_PX = 8 * 96 / 72  # 8pt, as .line in print.html
GAP_PX = 6  # space kept free before the next column
UNKNOWN_EM = 1.25  # width assumed for a glyph DejaVu lacks (emoji come from Noto Emoji)
# em, en, four-per-em and hair space: the padding, widest first (few glyphs, 1 px precision)
SPACES = ("\u2003", "\u2002", "\u2005", "\u200a")

# the data columns of a row: (key, heading, width in mm); the pen columns follow in the template
COLUMNS = (
    ("number", "Nr.", 8), ("customer_number", "Kundennummer", 24), ("customer_name", "Name", 42),
    ("pap_name", "pAp", 30), ("measure", "Maßnahme", 38), ("exit_planned", "Maßnahme\u00adende", 21),
    ("am_started", "AM ein\u00adgeleitet", 15), ("sample", "Stich\u00adprobe", 15), ("result", "Ergebnis", 20),
)


@functools.lru_cache(maxsize=2)
def _advances(bold):
    with TTFont(FONT_DIR / FONT_FILES[bold]) as font:
        hmtx = font["hmtx"]
        return {cp: hmtx[glyph][0] for cp, glyph in font.getBestCmap().items()}, font["head"].unitsPerEm


def text_width(text, bold=False):
    """Width of ``text`` in CSS px at the list's font size."""
    advances, units = _advances(bold)
    return sum(advances.get(ord(ch), units * UNKNOWN_EM) for ch in text) * FONT_PX / units


def column_widths():
    """The data columns' widths in whole px."""
    return [round(mm * PX_PER_MM) for _, _, mm in COLUMNS]


def clean(value):
    """One line of NFC text: control characters (tabs, line breaks) become spaces."""
    text = unicodedata.normalize("NFC", str(value or ""))
    return " ".join("".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).split())


def wrap(text, width, bold=False):
    """``text`` broken into lines no wider than ``width`` px (at spaces, else inside a word)."""
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while len(line) > 1 and text_width(line, bold) > width:
            cut = len(line) - 1
            while cut > 1 and text_width(line[:cut], bold) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    lines.append(line)
    return lines


def _fill(gap, bold=False):
    """Spaces as wide as ``gap`` px at most (less by under one hair space, about 1 px)."""
    padding = ""
    for space in SPACES:
        width = text_width(space, bold)
        count = int(max(gap, 0) // width)
        padding += space * count
        gap -= count * width
    return padding


def layout(values, bold=False, widths=None):
    """The row's ``values`` (one per data column) as text whose columns start at the column lines."""
    widths = widths or column_widths()
    starts = [sum(widths[:i]) for i in range(len(widths))]
    cells = [wrap(clean(v), w - GAP_PX, bold) for v, w in zip(values, widths, strict=True)]
    lines = []
    for index in range(max(len(cell) for cell in cells)):
        text, position = "", 0.0
        for start, cell in zip(starts, cells, strict=True):
            if index < len(cell) and cell[index]:
                padding = _fill(start - position, bold)
                text += padding + cell[index]
                position += text_width(padding + cell[index], bold)
        lines.append(text)
    return "\n".join(lines)


def grid_lines():
    """The x positions (px) of the lines between the data columns, for the template's background."""
    widths = column_widths()
    return [sum(widths[:i]) for i in range(1, len(widths) + 1)]
