"""Build template.docx (docxtpl tags) for the Eingliederungsvereinbarung / Kooperationsplan.

Run: .venv/bin/python forms/eingliederungsvereinbarung/make_template.py
The context is the one of print.html (see sample.json "_doc"). Paragraph-level
tags ``{%p … %}`` stand alone in their own paragraph, as docxtpl requires.
Newlines in values become line breaks (docxtpl turns ``\\n`` in a run into
``<w:br/>``); lists of lines are joined with the ``lines`` filter.
"""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent


def field(paragraph, instruction: str) -> None:
    """Append a simple Word field (PAGE, NUMPAGES) to ``paragraph``."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def para(doc, text="", *, bold=False, size=None, align=None, space_after=None):
    p = doc.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = size
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(4) if space_after is None else space_after
    return p


def build() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(15), Mm(20)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)

    footer = section.footer.paragraphs[0]
    footer.text = "{{ jobcenter.name }} · {{ term }} vom {{ agreement.concluded_on }}\tSeite "
    field(footer, "PAGE")
    footer.add_run(" von ")
    field(footer, "NUMPAGES")

    para(doc, "{{ jobcenter.letterhead or jobcenter.name }}", bold=True, size=Pt(13),
         align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=Pt(0))
    para(doc, "{{ jobcenter.address_lines | lines }}", size=Pt(9),
         align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=Pt(18))

    # Address field (left) and information block (right) side by side.
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.LEFT
    left, right = head.rows[0].cells
    left.width, right.width = Mm(95), Mm(70)
    p = left.paragraphs[0]
    run = p.add_run("{{ jobcenter.name }} · {{ jobcenter.address_lines | join(' · ') }}")
    run.font.size, run.underline = Pt(6), True
    left.add_paragraph(
        "{% if customer.salutation %}{{ customer.salutation }}\n{% endif %}"
        "{{ customer.first_name }} {{ customer.last_name }}\n"
        "{{ customer.address_lines | lines }}"
    )
    rows = [
        ("Kundennummer", "{{ customer.customer_number }}"),
        ("Aktenzeichen", "{{ reference }}"),
        ("Ansprechpartner/in", "{{ author.name }}"),
        ("Telefon", "{{ author.phone }}"),
        ("E-Mail", "{{ author.email }}"),
    ]
    first = True
    for label, value in rows:
        p = right.paragraphs[0] if first else right.add_paragraph()
        first = False
        p.paragraph_format.space_after = Pt(0)
        r = p.add_run(f"{label}: ")
        r.font.size = Pt(8)
        r = p.add_run(value)
        r.font.size = Pt(8)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    r = p.add_run("Datum: {{ issued_on }}")
    r.bold, r.font.size = True, Pt(9)

    para(doc, "", space_after=Pt(12))
    para(doc, "{{ term }} ({{ agreement.agreement_kind }})", bold=True, space_after=Pt(0))
    para(doc, "zur Maßnahme „{{ measure.title }}“, Maßnahme-Nr. {{ measure.measure_number }}",
         space_after=Pt(12))
    para(doc, "{% if customer.salutation == 'Frau' %}Sehr geehrte Frau {{ customer.last_name }},"
              "{% elif customer.salutation == 'Herr' %}Sehr geehrter Herr {{ customer.last_name }},"
              "{% else %}Guten Tag {{ customer.first_name }} {{ customer.last_name }},{% endif %}")
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
    table = doc.add_table(rows=0, cols=2)
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Mm(45), Mm(120)
        cells[0].text, cells[1].text = label, value
    para(doc, "", space_after=Pt(6))

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
    para(doc, "Mit freundlichen Grüßen\nIm Auftrag", space_after=Pt(12))
    para(doc, "{{ author.name }}{% if author.role %}\n{{ author.role }}{% endif %}")
    para(doc, "{%p endif %}")
    return doc


if __name__ == "__main__":
    target = HERE / "template.docx"
    build().save(target)
    print(f"geschrieben: {target}")
