"""Plain-dict contexts of the MB's letters about a defect (RULES.md §5.7, §9).

The Mängelrüge to the Träger (``maengelruege``), the letter to the REZ
(``rez-schreiben``, Deeskalationsstufe 2 for procured measures) and the request
for a quality check under §183 SGB III to the Agentur's AG-/Trägerteam
(``qualitaetspruefung-183``, voucher measures). Only strings, lists and dicts
leave this module (dates as TT.MM.JJJJ); see each forms/<name>/sample.json "_doc".
"""
import datetime

from ..documents import context as documents
from ..formats import de_date
from ..models import JobcenterSettings
from ..vocabulary import (DEFECT_CLAUSES, DEFECT_SEVERITIES, DEFECT_SOURCES, DEFECT_STATES, LEGAL_BASIS,
                          PROCUREMENT)

NOTICE_DOCUMENT = "maengelruege"
ESCALATION_DOCUMENTS = {"rez": "rez-schreiben", "p183": "qualitaetspruefung-183"}
VOUCHERS = {"FBW": "Bildungsgutschein", "FBW-ABS": "Bildungsgutschein",
            "AVGS": "Aktivierungs- und Vermittlungsgutschein (AVGS)"}


def reference(defect, measure):
    """The letter's Zeichen, e.g. "MB-962/00001-M3"."""
    return f"MB-{measure.measure_number}-M{defect.id}"


def escalation_path(measure):
    """"rez" for procured measures (Vergabe: MAT, MAG, BAE …), "p183" for voucher measures (FbW, AVGS)."""
    return "p183" if measure.procurement == "gutschein" else "rez"


def _text_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _addressee(name, address):
    return {"name": name or "", "address_lines": _text_lines(address)}


def default_obligation(defect):
    source = DEFECT_CLAUSES.get(defect.clause_source, "vertraglichen Vereinbarung")
    return (f"die Leistung ab sofort entsprechend der {source} ({defect.clause}) zu erbringen "
            "und den festgestellten Mangel vollständig zu beseitigen")


def defect_facts(defect):
    return {
        "number": str(defect.id), "found_on": de_date(defect.found_on),
        "found_how": DEFECT_SOURCES.get(defect.found_how, ""),
        "clause_source": DEFECT_CLAUSES.get(defect.clause_source, ""), "clause": defect.clause,
        "facts": defect.facts, "evidence": defect.evidence,
        "obligation": defect.obligation.strip().rstrip(".") or default_obligation(defect),
        "severity": DEFECT_SEVERITIES.get(defect.severity, ""),
        "remedy_deadline": de_date(defect.remedy_deadline), "comment_deadline": de_date(defect.comment_deadline),
        "status": DEFECT_STATES.get(defect.status, ""),
    }


def _base(defect, measure, author, issued_on):
    settings = JobcenterSettings.current()
    m = documents.measure(measure)
    m.update(procurement=measure.procurement, procurement_label=PROCUREMENT.get(measure.procurement, ""),
             voucher=VOUCHERS.get(measure.type_code, "Gutschein"), location=measure.location,
             legal_basis=LEGAL_BASIS.get(measure.type_code, ""))
    return {
        "jobcenter": documents.jobcenter(),
        "author": documents.person(author),
        "measure": m,
        "procurement": measure.procurement,
        "provider": documents.provider(measure.provider),
        "defect": defect_facts(defect),
        "rez": _addressee(getattr(settings, "rez_name", ""), getattr(settings, "rez_address", "")),
        "agentur": _addressee(getattr(settings, "agentur_name", ""), getattr(settings, "agentur_address", "")),
        "issued_on": de_date(issued_on),
        "reference": reference(defect, measure),
    }


def notice_context(defect, measure, author, issued_on=None):
    """Context of the Mängelrüge (Aufforderung zur vertragsgerechten Leistungserbringung)."""
    return _base(defect, measure, author, issued_on or datetime.date.today())


def escalation_context(defect, measure, author, notice_on, comment, reason="", reply_by=None, issued_on=None):
    """Context of the REZ letter or the §183 letter.

    ``notice_on``: the date the Mängelrüge was sent (None: a voucher measure's defect
    escalated without one, the letter then says so); ``comment``: the Träger's
    latest Stellungnahme as (date, text) or None; ``reason``: what the MB adds;
    ``reply_by``: the date by which the REZ / Agentur is asked to answer.
    """
    issued_on = issued_on or datetime.date.today()
    context = _base(defect, measure, author, issued_on)
    deadline = defect.remedy_deadline
    if deadline < issued_on:
        state = f"Die Frist ist am {de_date(deadline)} abgelaufen; der Mangel ist nicht behoben."
    elif escalation_path(measure) == "p183":
        state = (f"Die Frist läuft noch bis zum {de_date(deadline)}; bei einer Gutscheinmaßnahme schalten wir "
                 "Sie als AG-/Trägerteam bereits jetzt ein.")
    else:
        state = (f"Die Frist läuft noch bis zum {de_date(deadline)}; wegen der Schwere des Mangels "
                 "schalten wir Sie bereits jetzt ein.")
    context.update(
        notice={"issued_on": de_date(notice_on)},
        comment={"received_on": de_date(comment[0]) if comment else "", "text": comment[1] if comment else ""},
        escalation={"reason": reason, "reply_by": de_date(reply_by), "deadline_state": state},
    )
    return context
