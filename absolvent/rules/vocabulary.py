"""Fixed vocabularies shared by rulebooks, planner and controlling (RULES.md §1–§2)."""

from __future__ import annotations

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

# code -> name: the one list of Bundesländer (holidays per Bundesland, settings, rulebooks)
BUNDESLAENDER: dict[str, str] = {
    "BW": "Baden-Württemberg", "BY": "Bayern", "BE": "Berlin", "BB": "Brandenburg",
    "HB": "Bremen", "HH": "Hamburg", "HE": "Hessen", "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen", "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz",
    "SL": "Saarland", "SN": "Sachsen", "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein", "TH": "Thüringen",
}
