"""Build template.docx (docxtpl tags) for the Mängelrüge to the Träger.

Run: .venv/bin/python forms/maengelruege/make_template.py
The context is the one of print.html (see sample.json "_doc"). Paragraph-level
tags ``{%p … %}`` stand alone in their own paragraph, as docxtpl requires;
newlines in values become line breaks. The letter head, ``para`` and the closing
come from forms/_docx/letter.py, shared with the REZ and the §183 letter.
"""

import sys
from pathlib import Path

from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # forms/, for _docx.letter
from _docx.letter import PROVIDER_ADDRESS, defect_closing, defect_facts, defect_letter, facts_table, para, write

HERE = Path(__file__).resolve().parent


def build():
    doc = defect_letter("{{ jobcenter.name }} · Mängelrüge vom {{ issued_on }} · Zeichen {{ reference }}",
                        PROVIDER_ADDRESS,
                        "Mängelrüge – Aufforderung zur vertragsgerechten Leistungserbringung",
                        "Maßnahme „{{ measure.title }}“, Vertrags-/Maßnahme-Nr. {{ measure.measure_number }}")
    para(doc, "im Rahmen der Maßnahmebetreuung der oben genannten Maßnahme ({{ measure.type_code }} – "
              "{{ measure.type_label }}, Maßnahmezeitraum {{ measure.start }} bis {{ measure.end }}) haben "
              "wir am {{ defect.found_on }} ({{ defect.found_how }}) festgestellt, dass die Leistung nicht "
              "vertragsgerecht erbracht wird.")
    para(doc, "1. Verletzte Vorgabe", bold=True, space_after=Pt(2))
    facts_table(doc, [("Grundlage", "{{ defect.clause_source }}"), ("Regelung", "{{ defect.clause }}"),
                      ("Einstufung", "{{ defect.severity }}")])
    para(doc, "2. Festgestellter Sachverhalt", bold=True, space_after=Pt(2))
    defect_facts(doc)
    para(doc, "3. Aufforderung und Frist", bold=True, space_after=Pt(2))
    p = para(doc, "Wir fordern Sie auf, {{ defect.obligation }}. Beseitigen Sie den Mangel bitte bis spätestens ")
    p.add_run("{{ defect.remedy_deadline }}").bold = True
    p.add_run(" und teilen Sie uns schriftlich mit, wie Sie ihn behoben haben.")
    para(doc, "Zu dem Sachverhalt können Sie {% if defect.comment_deadline %}bis zum "
              "{{ defect.comment_deadline }}{% else %}bis zum Ablauf der Frist{% endif %} schriftlich Stellung nehmen.")
    para(doc, "4. Wenn der Mangel nicht fristgerecht beseitigt wird", bold=True, space_after=Pt(2))
    para(doc, '{%p if procurement == "vergabe" %}')
    para(doc, "Wird der Mangel nicht fristgerecht beseitigt, folgt die Einschaltung des Regionalen "
              "Einkaufszentrums (REZ) – Deeskalationsstufe 2{% if rez.name %} ({{ rez.name }}){% endif %}. "
              "Vertragliche Konsequenzen (insbesondere Minderung der Vergütung, "
              "Vertragsstrafe oder Kündigung des Vertrags) behalten wir uns ausdrücklich vor.")
    para(doc, "{%p else %}")
    para(doc, "Wird der Mangel nicht fristgerecht beseitigt, schalten wir das AG-/Trägerteam der Agentur für "
              "Arbeit{% if agentur.name %} ({{ agentur.name }}){% endif %} ein und regen eine Qualitätsprüfung "
              "nach §183 SGB III an. Die Agentur für Arbeit kann dabei Abhilfe verlangen und bei fortbestehenden "
              "Mängeln die fachkundige Stelle unterrichten.")
    para(doc, "{%p endif %}")
    defect_closing(doc)
    para(doc, '{%p if procurement == "vergabe" %}')
    para(doc, "Nachrichtlich: {{ rez.name }}{% if rez.address_lines %}, {{ rez.address_lines | join(', ') }}"
              "{% endif %}", size=Pt(8))
    para(doc, "{%p endif %}")
    return doc


if __name__ == "__main__":
    write(build(), HERE)
