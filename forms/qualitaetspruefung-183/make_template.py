"""Build template.docx (docxtpl tags) for the request for a quality check under §183 SGB III.

Run: .venv/bin/python forms/qualitaetspruefung-183/make_template.py
The context is the one of print.html (see sample.json "_doc"); the letter head,
sections 2–4 and the closing come from forms/_docx/letter.py (shared with the REZ letter).
"""

import sys
from pathlib import Path

from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # forms/, for _docx.letter
from _docx.letter import defect_history, defect_letter, facts_table, para, write

HERE = Path(__file__).resolve().parent


def build():
    doc = defect_letter("{{ jobcenter.name }} · Qualitätsprüfung §183 SGB III vom {{ issued_on }} · "
                        "Zeichen {{ reference }}",
                        "{{ agentur.name }}\n{{ agentur.address_lines | lines }}",
                        "Qualitätsprüfung nach §183 SGB III",
                        "Bitte um Prüfung der Maßnahme „{{ measure.title }}“, "
                        "Maßnahme-Nr. {{ measure.measure_number }}")
    para(doc, "an der oben genannten Maßnahme (Förderung mit {{ measure.voucher }}) nehmen Kundinnen und "
              "Kunden unseres Jobcenters teil. {% if notice.issued_on %}Wir haben einen Mangel festgestellt, "
              "den der Träger trotz unserer schriftlichen Aufforderung zur vertragsgerechten "
              "Leistungserbringung (Mängelrüge vom {{ notice.issued_on }}) nicht beseitigt hat.{% else %}Wir "
              "haben in der Maßnahme einen Mangel festgestellt, der ein Handeln erfordert.{% endif %} Als "
              "Maßnahmebetreuung schalten wir Sie als AG-/Trägerteam ein und bitten um eine Qualitätsprüfung "
              "nach §183 SGB III.")
    para(doc, "1. Maßnahme", bold=True, space_after=Pt(2))
    facts_table(doc, [
        ("Maßnahme", "{{ measure.title }}"),
        ("Maßnahmeart", "{{ measure.type_code }} – {{ measure.type_label }}"
                        "{% if measure.legal_basis %} ({{ measure.legal_basis }}){% endif %}"),
        ("Förderung", "{{ measure.voucher }}"),
        ("Maßnahme-Nr.", "{{ measure.measure_number }}"),
        ("Zeitraum", "{{ measure.start }} bis {{ measure.end }}"),
        ("Träger", "{{ provider.name }}{% if provider.address_lines %}, "
                   "{{ provider.address_lines | join(', ') }}{% endif %}")])
    defect_history(doc, "Wir bitten Sie, die Durchführung der Maßnahme nach §183 SGB III zu prüfen, vom Träger "
                   "Abhilfe zu verlangen und, soweit die Mängel fortbestehen, die fachkundige Stelle zu "
                   "unterrichten{% if escalation.reply_by %} und uns bis zum {{ escalation.reply_by }} über das "
                   "Ergebnis zu unterrichten{% endif %}. Für Rückfragen stehe ich Ihnen gern zur Verfügung.",
                   without_notice="Eine Mängelrüge haben wir dem Träger nicht erteilt: Bei Gutscheinmaßnahmen schalten "
                                  "wir Sie als AG-/Trägerteam unmittelbar ein. Der Träger ist aufzufordern, "
                                  "{{ defect.obligation }}; aus unserer Sicht ist dafür eine Frist bis zum "
                                  "{{ defect.remedy_deadline }} angemessen.")
    return doc


if __name__ == "__main__":
    write(build(), HERE)
