"""Build template.docx (docxtpl tags) for the cover letter of the BaE Vormerkliste.

Run: .venv/bin/python forms/bae-vormerkliste/make_template.py
The context is the one of print.html (see sample.json "_doc"). Paragraph-level
tags ``{%p … %}`` stand alone in their own paragraph, as docxtpl requires.
"""

import sys
from pathlib import Path

from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # forms/, for _docx.letter
from _docx.letter import PROVIDER_ADDRESS, closing, letter, para, write

HERE = Path(__file__).resolve().parent


def build():
    doc = letter("{{ jobcenter.name }} · Vormerkliste BaE vom {{ issued_on }}", PROVIDER_ADDRESS,
                 [("Maßnahme-Nr.", "{{ measure.measure_number }}"), ("Zeichen", "{{ reference }}"),
                  ("Ansprechpartner/in", "{{ author.name }}"), ("Telefon", "{{ author.phone }}"),
                  ("E-Mail", "{{ author.email }}")],
                 "Vormerkliste für die Berufsausbildung in außerbetrieblichen Einrichtungen (BaE) – "
                 "Maßnahme-Nr. {{ measure.measure_number }}",
                 "{{ measure.title }}, {{ measure.start }} bis {{ measure.end }}")
    para(doc, "Sehr geehrte Damen und Herren,")
    para(doc, "anbei erhalten Sie die aktuelle Vormerkliste für die oben genannte Maßnahme. Vorgemerkt "
              "{{ 'ist' if count == '1' else 'sind' }} derzeit {{ count }} "
              "{{ 'Teilnehmerin bzw. Teilnehmer' if count == '1' else 'Teilnehmende' }}.")
    para(doc, "{%p if first_list %}")
    para(doc, "Dies ist die erste Vormerkliste für diese Maßnahme.")
    para(doc, "{%p elif change_lines %}")
    para(doc, "Gegenüber der Liste vom {{ previous_date }} hat sich Folgendes geändert (in der Liste in der "
              "Spalte „Änderung seit letzter Liste“ gekennzeichnet):")
    para(doc, "{{ change_lines | lines }}")
    para(doc, "{%p else %}")
    para(doc, "Gegenüber der Liste vom {{ previous_date }} gibt es keine Änderungen.")
    para(doc, "{%p endif %}")
    p = para(doc, "Unsere Zielerwartung: ", bold=True)
    p.add_run("Mindestens 50 % der Teilnehmenden gehen nach dem ersten Ausbildungsjahr – bei Ausbildungen "
              "mit mehr als zweijähriger Ausbildungsdauer auch nach dem zweiten Ausbildungsjahr – in eine "
              "betriebliche Berufsausbildung über. Teilnehmende, die ihre Ausbildung in der BaE beenden, sollen "
              "in eine sozialversicherungspflichtige Beschäftigung integriert werden.")
    para(doc, "Bitte teilen Sie uns Veränderungen – etwa einen Nichtantritt, einen Abbruch, einen Wechsel des "
              "Ausbildungsberufs oder eine neue Anschrift – zeitnah mit, damit wir die Liste aktuell halten können.")
    para(doc, "Die Liste enthält Sozialdaten (§ 35 SGB I). Bitte verwenden Sie sie nur für die Durchführung "
              "der Maßnahme und bewahren Sie sie vor dem Zugriff Unbefugter geschützt auf.", size=Pt(8))
    closing(doc, space_after=Pt(12))
    p = para(doc, "Anlage: ", bold=True)
    p.add_run("Vormerkliste (Excel)")
    return doc


if __name__ == "__main__":
    write(build(), HERE)
