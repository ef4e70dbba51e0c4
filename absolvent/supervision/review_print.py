"""Columns of the printed Fachaufsicht list (A4 landscape).

The list is a real table: every PDF is tagged (PDF/UA-1, see
``documents/render/engine.py``), so each value sits in its own cell and a screen
reader announces it with its column heading. (Until 2026.2 each row's data columns
were one pre-laid text of measured spaces, which lays out about three times faster
but reads as one long cell; bench/bench_documents.py prints the 500-row figure.)
The column lines are one background of the table at the x positions of
``grid_lines``; the pen columns (Handzeichen, Datum) and Bemerkung follow in the template.
"""

PX_PER_MM = 96 / 25.4

# the data columns of a row: (key, heading, width in mm)
COLUMNS = (
    ("number", "Nr.", 8), ("customer_number", "Kundennummer", 24), ("customer_name", "Name", 42),
    ("pap_name", "pAp", 30), ("measure", "Maßnahme", 38), ("exit_planned", "Maßnahme\u00adende", 21),
    ("am_started", "AM ein\u00adgeleitet", 15), ("sample", "Stich\u00adprobe", 15), ("result", "Ergebnis", 20),
)


def column_widths():
    """The data columns' widths in whole px."""
    return [round(mm * PX_PER_MM) for _, _, mm in COLUMNS]


def grid_lines():
    """The x positions (px) of the lines between the data columns, for the template's background."""
    widths = column_widths()
    return [sum(widths[:i]) for i in range(1, len(widths) + 1)]
