"""Fixed vocabularies shared by rulebooks, planner and controlling (RULES.md §1–§2)."""

from __future__ import annotations

import datetime as dt

from .calendar import duration_less_than, duration_more_than

MEASURE_TYPES: dict[str, str] = {
    "MAT": "Maßnahme bei einem Träger",
    "MAG": "Maßnahme bei einem Arbeitgeber",
    "AVGS": "Aktivierungs- und Vermittlungsgutschein",
    "AGH": "Arbeitsgelegenheit",
    "FBW": "Förderung der beruflichen Weiterbildung",
    "FBW-ABS": "abschlussorientierte FbW / Umschulung",
    "BAE": "Berufsausbildung in außerbetrieblichen Einrichtungen",
    "BVB": "Berufsvorbereitende Bildungsmaßnahme",
    "EQ": "Einstiegsqualifizierung",
    "16E": "Eingliederung von Langzeitarbeitslosen (§16e SGB II)",
    "16I": "Teilhabe am Arbeitsmarkt (§16i SGB II)",
}

ROLES: dict[str, str] = {
    "pAp": "persönliche/r Ansprechpartner/in",
    "MB": "Maßnahmebetreuer/in",
    "boV": "bewerberorientierte/r Vermittler/in",
    "AG-S": "Arbeitgeber-Service",
    "TL": "Teamleitung",
    "BL": "Bereichsleitung",
    "DQM": "Datenqualitätsmanagement",
}

MODES = ("EG", "FG", "Tel.", "schriftlich", "")

PHASES: dict[str, str] = {
    "vor": "vor/bei Beginn",
    "waehrend": "während der Maßnahme",
    "ende": "zum Ende der Maßnahme",
    "nach": "nach der Maßnahme",
    "abbruch": "bei Abbruch",
}

# anchor -> German name of the date it needs (used in "… fehlt" hints)
ANCHORS: dict[str, str] = {
    "start": "Eintrittsdatum",
    "end": "Maßnahmeende",
    "exit": "Austrittsdatum",
    "exam": "Prüfungstermin",
    "training_year_1_end": "Ende des 1. Ausbildungsjahres",
    "training_year_2_end": "Ende des 2. Ausbildungsjahres",
    "probation_end": "Ende der Probezeit",
    "intermediate_exam": "Termin der Zwischenprüfung",
    "am_start": "Beginn des Absolventenmanagements",
}

FORMS = (
    "foerder-check",
    "eingliederungsvereinbarung",
    "auswertungsgespraech",
    "kontakt",
    "checkliste-am",
    "sprechstunde",
    "teilnehmerbefragung",
)

BUNDESLAND_NAMES = {
    "NI": "Niedersachsen",
    "RP": "Rheinland-Pfalz",
}


def plausibility_warnings(measure_type: str, start: dt.date, end: dt.date) -> list[str]:
    """Return German warnings for durations beyond the usual legal limits (§2).

    Never refuses: exceptions exist (e.g. MAG up to 12 weeks for long-term
    unemployed with serious obstacles).
    """
    warnings: list[str] = []
    if measure_type == "MAG" and duration_more_than(start, end, weeks=6):
        warnings.append("MAG dauert länger als 6 Wochen (zulässig nur in Ausnahmefällen "
                        "bis 12 Wochen) – bitte prüfen.")
    if measure_type == "AGH" and duration_more_than(start, end, months=24):
        warnings.append("AGH dauert länger als 24 Monate (Höchstdauer 24 Monate "
                        "innerhalb von 5 Jahren) – bitte prüfen.")
    if measure_type == "BVB" and duration_more_than(start, end, months=10):
        warnings.append("BVB dauert länger als 10 Monate (11 mit Behinderung, 12 bei "
                        "Vorbereitung des Hauptschulabschlusses) – bitte prüfen.")
    if measure_type == "EQ" and (duration_less_than(start, end, months=4)
                                 or duration_more_than(start, end, months=12)):
        warnings.append("EQ dauert nicht zwischen 4 und 12 Monaten – bitte prüfen.")
    if measure_type == "16E" and duration_more_than(start, end, months=24):
        warnings.append("Förderung nach §16e SGB II dauert länger als 24 Monate – "
                        "bitte prüfen.")
    if measure_type == "16I" and duration_more_than(start, end, months=60):
        warnings.append("Förderung nach §16i SGB II dauert länger als 5 Jahre – "
                        "bitte prüfen.")
    return warnings
