"""Build template.docx (docxtpl tags) for the letter to the REZ (Deeskalationsstufe 2).

Run: .venv/bin/python forms/rez-schreiben/make_template.py
The context is the one of print.html (see sample.json "_doc"); the letter head,
paragraphs and closing come from forms/maengelruege/make_template.py.
"""

import importlib.util
from pathlib import Path

from docx.shared import Pt

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("maengelruege_template",
                                               HERE.parent / "maengelruege" / "make_template.py")
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)


def history(doc, request_text, without_notice=""):
    """Sections 2–4 shared by the REZ and the §183 letter: the defect, what happened, the request.
    ``without_notice``: the paragraph when no Mängelrüge was sent (§183 letter only)."""
    para, table = base.para, base.facts_table
    para(doc, "2. Mangel", bold=True, space_after=Pt(2))
    table(doc, [("Festgestellt am", "{{ defect.found_on }} ({{ defect.found_how }})"),
                ("Verletzte Vorgabe", "{{ defect.clause_source }}: {{ defect.clause }}"),
                ("Einstufung", "{{ defect.severity }}")])
    para(doc, "{{ defect.facts }}")
    para(doc, "{%p if defect.evidence %}")
    para(doc, "Belege:", bold=True, space_after=Pt(0))
    para(doc, "{{ defect.evidence }}")
    para(doc, "{%p endif %}")
    para(doc, "3. Bisheriger Verlauf", bold=True, space_after=Pt(2))
    if without_notice:
        para(doc, "{%p if notice.issued_on %}")
    para(doc, "Mit der Mängelrüge vom {{ notice.issued_on }} haben wir den Träger aufgefordert, "
              "{{ defect.obligation }}, und ihm dafür eine Frist bis zum {{ defect.remedy_deadline }} gesetzt. "
              "{{ escalation.deadline_state }}")
    if without_notice:
        para(doc, "{%p else %}")
        para(doc, without_notice)
        para(doc, "{%p endif %}")
    para(doc, "{%p if comment.text %}")
    para(doc, "Stellungnahme des Trägers{% if comment.received_on %} (eingegangen am {{ comment.received_on }})"
              "{% endif %}:", bold=True, space_after=Pt(0))
    para(doc, "{{ comment.text }}")
    para(doc, "{%p else %}")
    para(doc, "Eine Stellungnahme des Trägers liegt nicht vor.")
    para(doc, "{%p endif %}")
    para(doc, "{%p if escalation.reason %}")
    para(doc, "Ergänzend: {{ escalation.reason }}")
    para(doc, "{%p endif %}")
    para(doc, "4. Bitte", bold=True, space_after=Pt(2))
    para(doc, request_text)
    base.closing(doc)
    if not without_notice:
        para(doc, "Anlagen: Mängelrüge vom {{ notice.issued_on }}{% if comment.text %}; Stellungnahme des Trägers"
                  "{% if comment.received_on %} vom {{ comment.received_on }}{% endif %}{% endif %}", size=Pt(8))
        return
    para(doc, "{%p if notice.issued_on or comment.text %}")
    para(doc, "Anlagen: {% if notice.issued_on %}Mängelrüge vom {{ notice.issued_on }}{% if comment.text %}; "
              "{% endif %}{% endif %}{% if comment.text %}Stellungnahme des Trägers{% if comment.received_on %} vom "
              "{{ comment.received_on }}{% endif %}{% endif %}", size=Pt(8))
    para(doc, "{%p endif %}")


def build():
    doc = base.letter("{{ jobcenter.name }} · Einschaltung des REZ vom {{ issued_on }} · Zeichen {{ reference }}",
                      "{{ rez.name }}\n{{ rez.address_lines | lines }}",
                      "Einschaltung des REZ (Deeskalationsstufe 2)",
                      "Nicht behobener Mangel in der Maßnahme „{{ measure.title }}“, "
                      "Maßnahme-Nr. {{ measure.measure_number }}")
    base.para(doc, "in der oben genannten Vergabemaßnahme besteht ein Mangel, den der Träger trotz unserer "
                   "schriftlichen Aufforderung zur vertragsgerechten Leistungserbringung (Mängelrüge vom "
                   "{{ notice.issued_on }}) nicht beseitigt hat. Wir bitten Sie, den Vorgang im Rahmen der "
                   "Deeskalationsstufe 2 zu übernehmen.")
    base.para(doc, "1. Maßnahme", bold=True, space_after=Pt(2))
    base.facts_table(doc, [
        ("Maßnahme", "{{ measure.title }}"),
        ("Maßnahmeart", "{{ measure.type_code }} – {{ measure.type_label }}"
                        "{% if measure.legal_basis %} ({{ measure.legal_basis }}){% endif %}"),
        ("Vertrags-/Maßnahme-Nr.", "{{ measure.measure_number }}"),
        ("Zeitraum", "{{ measure.start }} bis {{ measure.end }}"),
        ("Träger", "{{ provider.name }}{% if provider.address_lines %}, "
                   "{{ provider.address_lines | join(', ') }}{% endif %}")])
    history(doc, "Wir bitten Sie, den Vorgang zu übernehmen, gegenüber dem Träger die vertraglich vorgesehenen "
                 "Schritte einzuleiten{% if escalation.reply_by %} und uns bis zum {{ escalation.reply_by }} über "
                 "das weitere Vorgehen zu unterrichten{% endif %}. Für Rückfragen stehe ich Ihnen gern zur Verfügung.")
    return doc


if __name__ == "__main__":
    target = HERE / "template.docx"
    build().save(target)
    print(f"geschrieben: {target}")
