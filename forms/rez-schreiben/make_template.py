"""Build template.docx (docxtpl tags) for the letter to the REZ (Deeskalationsstufe 2).

Run: .venv/bin/python forms/rez-schreiben/make_template.py
The context is the one of print.html (see sample.json "_doc"); the letter head,
sections 2–4 and the closing come from forms/_docx/letter.py.
"""

import sys
from pathlib import Path

from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # forms/, for _docx.letter
from _docx.letter import defect_history, defect_letter, facts_table, para, write

HERE = Path(__file__).resolve().parent


def build():
    doc = defect_letter("{{ jobcenter.name }} · Einschaltung des REZ vom {{ issued_on }} · Zeichen {{ reference }}",
                        "{{ rez.name }}\n{{ rez.address_lines | lines }}",
                        "Einschaltung des REZ (Deeskalationsstufe 2)",
                        "Nicht behobener Mangel in der Maßnahme „{{ measure.title }}“, "
                        "Maßnahme-Nr. {{ measure.measure_number }}")
    para(doc, "in der oben genannten Vergabemaßnahme besteht ein Mangel, den der Träger trotz unserer "
              "schriftlichen Aufforderung zur vertragsgerechten Leistungserbringung (Mängelrüge vom "
              "{{ notice.issued_on }}) nicht beseitigt hat. Wir bitten Sie, den Vorgang im Rahmen der "
              "Deeskalationsstufe 2 zu übernehmen.")
    para(doc, "1. Maßnahme", bold=True, space_after=Pt(2))
    facts_table(doc, [
        ("Maßnahme", "{{ measure.title }}"),
        ("Maßnahmeart", "{{ measure.type_code }} – {{ measure.type_label }}"
                        "{% if measure.legal_basis %} ({{ measure.legal_basis }}){% endif %}"),
        ("Vertrags-/Maßnahme-Nr.", "{{ measure.measure_number }}"),
        ("Zeitraum", "{{ measure.start }} bis {{ measure.end }}"),
        ("Träger", "{{ provider.name }}{% if provider.address_lines %}, "
                   "{{ provider.address_lines | join(', ') }}{% endif %}")])
    defect_history(doc, "Wir bitten Sie, den Vorgang zu übernehmen, gegenüber dem Träger die vertraglich "
                        "vorgesehenen Schritte einzuleiten{% if escalation.reply_by %} und uns bis zum "
                        "{{ escalation.reply_by }} über das weitere Vorgehen zu unterrichten{% endif %}. "
                        "Für Rückfragen stehe ich Ihnen gern zur Verfügung.")
    return doc


if __name__ == "__main__":
    write(build(), HERE)
