"""Domain vocabulary shared by UI, models, documents and CLI (RULES.md §1–2): defined once.

The rule engine's own vocabulary (``absolvent.rules.vocabulary``: measure types,
roles, phases, Bundesländer) is re-exported here, so the app has one import.
"""
from .rules import vocabulary as _rules

BUNDESLAENDER = _rules.BUNDESLAENDER
PHASES = _rules.PHASES

# role code -> German name; the rule engine's roles plus the administration and data protection
# (DS reads the audit log, no Sozialdaten; like Admin it is no case role)
ROLES = {**_rules.ROLES, "Admin": "Administration", "DS": "Datenschutz"}
# roles that work with customers' cases (every role but Admin and DS)
CASE_ROLES = tuple(code for code in _rules.ROLES)
# roles that see the customers of their own team (RULES.md §1); MB and BL see by other rules
TEAM_ROLES = ("pAp", "boV", "AG-S", "TL", "DQM")
# roles that write customers, participations and agreements (the customer's team)
CASE_EDITORS = ("pAp", "TL")
# roles that maintain measures and providers
MEASURE_EDITORS = ("MB", "TL", "BL", "Admin")
# roles that supervise (Fachaufsicht list)
SUPERVISORS = ("TL", "BL")
# roles that see the controlling quota (RULES.md §6): TL and DQM their team, BL all
CONTROLLING_ROLES = ("TL", "BL", "DQM")

LEGAL_BASIS = {
    "MAT": "§16 SGB II i.V.m. §45 SGB III", "MAG": "§45 SGB III", "AVGS": "§45 SGB III",
    "AGH": "§16d SGB II", "FBW": "§81 SGB III", "FBW-ABS": "§81 SGB III", "BAE": "§76 SGB III",
    "BVB": "§51 SGB III", "EQ": "§54a SGB III", "16E": "§16e SGB II", "16I": "§16i SGB II",
}
# code -> (German label, legal basis); the labels are the rule engine's vocabulary
MEASURE_TYPES = {code: (label, LEGAL_BASIS[code]) for code, label in _rules.MEASURE_TYPES.items()}

PROCUREMENT = {"vergabe": "Vergabemaßnahme", "gutschein": "Gutschein"}

EXIT_KINDS = {"regulaer": "reguläres Ende", "abbruch": "Abbruch"}

# further dates of a participation that some rules are anchored on (entered when known)
PLAN_DATES = [("probation_end", "Ende der Probezeit"), ("intermediate_exam", "Zwischenprüfung"),
              ("exam_date", "Prüfungstermin"), ("training_year_1_end", "Ende 1. Ausbildungsjahr"),
              ("training_year_2_end", "Ende 2. Ausbildungsjahr")]

# Agreement (EV/Kooperationsplan, RULES.md §8): ``kind`` is EV or KP; how it was concluded:
AGREEMENT_KINDS = {"neu": "Neuabschluss", "fortschreibung": "Fortschreibung"}
AGREEMENT_TERMS = {"EV": "Eingliederungsvereinbarung", "KP": "Kooperationsplan"}

# how a contact took place (only these count as qualified contacts, seed 001 §5)
CONTACT_CHANNELS = {"persoenlich": "persönlich", "telefonisch": "telefonisch"}

# follow-up states (RULES.md §3.1); "missed" is derived (FollowUp.state_on)
FOLLOWUP_STATES = {"open": "offen", "done": "erledigt", "cancelled": "entfällt", "missed": "versäumt"}

# Vermittlungsvorschlag: job kinds; controlling counts arbeit and kuenstler (RULES.md §6)
JOB_KINDS = {"arbeit": "Arbeit", "kuenstler": "Künstler", "ausbildung": "Ausbildung", "minijob": "Minijob",
             "selbstaendigkeit": "Selbständigkeit", "sonstige": "sonstige"}

GROUP_MEASURE_MIN = 10  # Goslar 2.0: only group measures of 10+ get an MB

# ------------------------------------------------------------------ the MB's workspace (RULES.md §5.7)

# files kept with a measure (measures.models.MeasureFile.kind); reports belong to one participant
MEASURE_FILE_KINDS = {"konzept": "Konzept des Trägers", "leistungsbeschreibung": "Leistungsbeschreibung",
                      "informationsblatt": "Informationsblatt F.2.1", "flyer": "Flyer",
                      "zwischenbericht": "Zwischenbericht", "abschlussbericht": "Abschlussbericht",
                      "teilnehmerbericht": "Teilnehmerbezogener Bericht (MAT)", "sonstiges": "Sonstiges"}
REPORT_KINDS = ("zwischenbericht", "abschlussbericht", "teilnehmerbericht")
MAX_MEASURE_FILE_MB = 10  # largest file kept with a measure (PDF or DOCX)

# AGH: fields of work named in the Vormerkung (seed 000 1.2.1) and the outcomes the MB reports to the pAp
AGH_FIELDS = {"gala": "Garten- und Landschaftsbau (GaLa)", "handwerk": "Handwerk",
              "kinderbetreuung": "Kinderbetreuung", "sozial": "sozialer Bereich", "buero": "Büro",
              "werkstatt": "Werkstatt", "sonstiges": "Sonstiges"}
AGH_OUTCOMES = {"einstellung": "Einstellung", "nichtvorstellung": "Nichtvorstellung", "ablehnung": "Ablehnung"}

# defects (Mängelregister) and the Mängelrüge; escalation: Vergabe → REZ (Deeskalationsstufe 2),
# Gutschein (FbW, AVGS) → Qualitätsprüfung nach §183 SGB III with the Agentur's AG-/Trägerteam
DEFECT_SOURCES = {"besuch": "Besuch beim Träger", "sprechstunde": "Sprechstunde", "beschwerde": "Beschwerde",
                  "bericht": "Bericht / Meldung", "sonstiges": "Sonstiges"}
DEFECT_CLAUSES = {"leistungsbeschreibung": "Leistungsbeschreibung", "vertrag": "Vertrag",
                  "konzept": "Konzept des Trägers"}
DEFECT_SEVERITIES = {"gering": "gering", "erheblich": "erheblich", "schwer": "schwerwiegend"}
DEFECT_STATES = {"offen": "erfasst", "geruegt": "gerügt", "behoben": "behoben", "eskaliert": "eskaliert"}
DEFECT_ESCALATIONS = {"rez": "Einschaltung des REZ (Deeskalationsstufe 2)",
                      "p183": "Qualitätsprüfung nach §183 SGB III (AG-/Trägerteam der Agentur)"}
DEFECT_EVENTS = {"erfasst": "Mangel erfasst", "geaendert": "Angaben geändert", "maengelruege": "Mängelrüge erstellt",
                 "stellungnahme": "Stellungnahme des Trägers", "behoben": "Mangel behoben",
                 "eskalation-rez": "REZ eingeschaltet", "eskalation-183": "Qualitätsprüfung §183 SGB III eingeleitet"}
