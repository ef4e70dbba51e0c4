"""Domain vocabulary shared by UI, models and CLI (RULES.md §1–2). Pure data."""
from .rules import vocabulary as _vocabulary

ROLES = {**_vocabulary.ROLES, "Admin": "Administration"}

LEGAL_BASIS = {
    "MAT": "§16 SGB II i.V.m. §45 SGB III", "MAG": "§45 SGB III", "AVGS": "§45 SGB III",
    "AGH": "§16d SGB II", "FBW": "§81 SGB III", "FBW-ABS": "§81 SGB III", "BAE": "§76 SGB III",
    "BVB": "§51 SGB III", "EQ": "§54a SGB III", "16E": "§16e SGB II", "16I": "§16i SGB II",
}
# code -> (German label, legal basis); the labels are the rule engine's vocabulary
MEASURE_TYPES = {code: (label, LEGAL_BASIS[code]) for code, label in _vocabulary.MEASURE_TYPES.items()}

PROCUREMENT = {"vergabe": "Vergabemaßnahme", "gutschein": "Gutschein"}

EXIT_KINDS = {"regulaer": "reguläres Ende", "abbruch": "Abbruch"}

BUNDESLAENDER = {
    "BW": "Baden-Württemberg", "BY": "Bayern", "BE": "Berlin", "BB": "Brandenburg",
    "HB": "Bremen", "HH": "Hamburg", "HE": "Hessen", "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen", "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz",
    "SL": "Saarland", "SN": "Sachsen", "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein", "TH": "Thüringen",
}

GROUP_MEASURE_MIN = 10  # Goslar 2.0: only group measures of 10+ get an MB
