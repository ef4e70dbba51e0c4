"""Domain vocabulary shared by UI, models and CLI (RULES.md §1–2). Pure data."""

ROLES = {
    "pAp": "persönliche/r Ansprechpartner/in",
    "MB": "Maßnahmebetreuer/in",
    "boV": "bewerberorientierte/r Vermittler/in",
    "AG-S": "Arbeitgeber-Service",
    "TL": "Teamleitung",
    "BL": "Bereichsleitung",
    "DQM": "Datenqualitätsmanagement",
    "Admin": "Administration",
}

MEASURE_TYPES = {
    "MAT": ("Maßnahme bei einem Träger", "§16 SGB II i.V.m. §45 SGB III"),
    "MAG": ("Maßnahme bei einem Arbeitgeber", "§45 SGB III"),
    "AVGS": ("Aktivierungs- und Vermittlungsgutschein", "§45 SGB III"),
    "AGH": ("Arbeitsgelegenheit", "§16d SGB II"),
    "FBW": ("Förderung der beruflichen Weiterbildung", "§81 SGB III"),
    "FBW-ABS": ("Abschlussorientierte FbW / Umschulung", "§81 SGB III"),
    "BAE": ("Berufsausbildung in außerbetrieblichen Einrichtungen", "§76 SGB III"),
    "BVB": ("Berufsvorbereitende Bildungsmaßnahme", "§51 SGB III"),
    "EQ": ("Einstiegsqualifizierung", "§54a SGB III"),
    "16E": ("Eingliederung von Langzeitarbeitslosen", "§16e SGB II"),
    "16I": ("Teilhabe am Arbeitsmarkt", "§16i SGB II"),
}

PROCUREMENT = {"vergabe": "Vergabemaßnahme", "gutschein": "Gutschein"}

EXIT_KINDS = {"regulaer": "reguläres Ende", "abbruch": "Abbruch"}

NOTE_KINDS = {
    "vermerk": "Vermerk",
    "beratung": "Beratungsvermerk",
    "absolventenmanagement": "Absolventenmanagement",
    "kontakt": "Kontakt",
}

BUNDESLAENDER = {
    "BW": "Baden-Württemberg", "BY": "Bayern", "BE": "Berlin", "BB": "Brandenburg",
    "HB": "Bremen", "HH": "Hamburg", "HE": "Hessen", "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen", "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz",
    "SL": "Saarland", "SN": "Sachsen", "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein", "TH": "Thüringen",
}

FOLLOWUP_STATUS = {"open": "offen", "done": "erledigt", "cancelled": "entfallen"}

GROUP_MEASURE_MIN = 10  # Goslar 2.0: only group measures of 10+ get an MB
