"""Build template.docx (docxtpl tags) for the Eingliederungsvereinbarung / Kooperationsplan.

Run: .venv/bin/python forms/eingliederungsvereinbarung/make_template.py
The context is the one of print.html (see sample.json "_doc"). Paragraph-level
tags ``{%p … %}`` stand alone in their own paragraph, as docxtpl requires.
Newlines in values become line breaks (docxtpl turns ``\\n`` in a run into
``<w:br/>``); lists of lines are joined with the ``lines`` filter.
"""

import sys
from pathlib import Path

from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # forms/, for _docx.letter
from _docx.letter import CUSTOMER_ADDRESS, CUSTOMER_GREETING, closing, facts_table, letter, para, write

HERE = Path(__file__).resolve().parent


def build():
    doc = letter("{{ jobcenter.name }} · {{ term }} vom {{ agreement.concluded_on }}", CUSTOMER_ADDRESS,
                 [("Kundennummer", "{{ customer.customer_number }}"), ("Aktenzeichen", "{{ reference }}"),
                  ("Ansprechpartner/in", "{{ author.name }}"), ("Telefon", "{{ author.phone }}"),
                  ("E-Mail", "{{ author.email }}")],
                 "{{ term }} ({{ agreement.agreement_kind }})",
                 "zur Maßnahme „{{ measure.title }}“, Maßnahme-Nr. {{ measure.measure_number }}")
    para(doc, CUSTOMER_GREETING)
    para(doc, '{%p if kind == "EV" %}')
    para(doc, "zwischen Ihnen und dem {{ jobcenter.name }} wird am {{ agreement.concluded_on }} "
              "die folgende {{ term }} geschlossen. Sie gilt bis zum {{ agreement.valid_until }}, "
              "soweit sie nicht vorher einvernehmlich geändert oder fortgeschrieben wird.")
    para(doc, "{%p else %}")
    para(doc, "am {{ agreement.concluded_on }} haben wir gemeinsam den folgenden {{ term }} "
              "erarbeitet. Sie erhalten ihn in Textform. Wir überprüfen ihn spätestens am "
              "{{ agreement.review_date }} gemeinsam mit Ihnen.")
    para(doc, "{%p endif %}")

    para(doc, "1. Angaben zur Person und zur Maßnahme", bold=True)
    facts = [
        ("Name", ("{{ customer.first_name }} {{ customer.last_name }}, "
                  "geboren am {{ customer.birth_date }}")),
        ("Kundennummer", "{{ customer.customer_number }}"),
        ("Maßnahme", "{{ measure.title }}"),
        ("Maßnahmeart", "{{ measure.type_code }} – {{ measure.type_label }}"),
        ("Maßnahme-Nr.", "{{ measure.measure_number }}"),
        ("Träger", "{{ measure.provider_name }}"),
        ("Maßnahmezeitraum", "{{ measure.start }} bis {{ measure.end }}"),
        ("Ihre Teilnahme", ("Eintritt {{ participation.entry }}, "
                            "geplantes Ende {{ participation.planned_end }}")),
    ]
    facts_table(doc, facts)

    sections = [
        ("2. Eingliederungsziel", "{{ agreement.goal }}"),
        ("3. Wesentliche Schritte", "{{ agreement.steps }}"),
        ("4. Ihre Pflichten", "{{ agreement.customer_duties }}"),
    ]
    for title, body in sections:
        para(doc, title, bold=True, space_after=Pt(2))
        para(doc, body)
    para(doc, "{%p if agreement.own_efforts and agreement.own_efforts.number %}")
    p = para(doc, "Eigenbemühungen: ", bold=True)
    p.add_run("mindestens {{ agreement.own_efforts.number }} Bewerbungsbemühungen "
              "{{ agreement.own_efforts.period }}. Nachweis: {{ agreement.own_efforts.proof }}.")
    para(doc, "{%p endif %}")
    for title, body in [
        ("5. Leistungen des Jobcenters", "{{ agreement.jobcenter_support }}"),
        ("6. Kontakte während der Maßnahme", "{{ agreement.contacts_during_measure }}"),
    ]:
        para(doc, title, bold=True, space_after=Pt(2))
        para(doc, body)

    para(doc, '{%p if kind == "EV" %}')
    para(doc, "7. Geltungsdauer", bold=True, space_after=Pt(2))
    para(doc, "Diese {{ term }} gilt vom {{ agreement.concluded_on }} bis zum "
              "{{ agreement.valid_until }}.")
    para(doc, "Rechtsfolgenbelehrung", bold=True, space_after=Pt(2))
    para(doc, "Verstoßen Sie ohne wichtigen Grund gegen die in Abschnitt 4 genannten Pflichten, "
              "insbesondere weisen Sie die vereinbarten Eigenbemühungen nicht nach oder brechen "
              "Sie die Maßnahme ab, kann das Bürgergeld nach §§ 31, 31a und 31b SGB II gemindert "
              "werden. Die Minderung beträgt 10 Prozent des für Sie maßgebenden Regelbedarfs und "
              "bei wiederholten Pflichtverletzungen bis zu 30 Prozent; sie dauert einen Monat bis "
              "drei Monate. Das gilt nicht, wenn Sie einen wichtigen Grund für Ihr Verhalten "
              "darlegen und nachweisen. Teilen Sie uns Gründe bitte sofort mit.", size=Pt(9))
    para(doc, "", space_after=Pt(30))
    sig = doc.add_table(rows=1, cols=2)
    sig.rows[0].cells[0].text = (
        "______________________________\nOrt, Datum, Unterschrift Kunde/Kundin\n"
        "{{ customer.first_name }} {{ customer.last_name }}")
    sig.rows[0].cells[1].text = (
        "______________________________\nOrt, Datum, Unterschrift Jobcenter\n"
        "{{ author.name }}{% if author.role %}, {{ author.role }}{% endif %}")
    para(doc, "{%p else %}")
    para(doc, "7. Überprüfung", bold=True, space_after=Pt(2))
    para(doc, "Der {{ term }} wird regelmäßig, spätestens am {{ agreement.review_date }}, "
              "gemeinsam überprüft und fortgeschrieben.")
    para(doc, "Dieser {{ term }} wird Ihnen in Textform ausgehändigt; er ist kein Verwaltungsakt "
              "und enthält keine Rechtsfolgenbelehrung. Bei Fragen wenden Sie sich bitte an "
              "{{ author.name }}.", size=Pt(8))
    closing(doc)
    para(doc, "{%p endif %}")
    return doc


if __name__ == "__main__":
    write(build(), HERE)
