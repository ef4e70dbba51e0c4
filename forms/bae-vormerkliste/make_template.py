"""Build template.docx (docxtpl tags) for the cover letter of the BaE Vormerkliste.

Run: .venv/bin/python forms/bae-vormerkliste/make_template.py
The context is the one of print.html (see sample.json "_doc"). Paragraph-level
tags ``{%p … %}`` stand alone in their own paragraph, as docxtpl requires.
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
    footer.text = "{{ jobcenter.name }} · Vormerkliste BaE vom {{ issued_on }}\tSeite "
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
    run = left.paragraphs[0].add_run("{{ jobcenter.name }} · {{ jobcenter.address_lines | join(' · ') }}")
    run.font.size, run.underline = Pt(6), True
    left.add_paragraph(
        "{{ provider.name }}\n"
        "{% if provider.contact_person %}z. Hd. {{ provider.contact_person }}\n{% endif %}"
        "{{ provider.address_lines | lines }}"
    )
    rows = [
        ("Maßnahme-Nr.", "{{ measure.measure_number }}"),
        ("Zeichen", "{{ reference }}"),
        ("Ansprechpartner/in", "{{ author.name }}"),
        ("Telefon", "{{ author.phone }}"),
        ("E-Mail", "{{ author.email }}"),
    ]
    for i, (label, value) in enumerate(rows):
        p = right.paragraphs[0] if i == 0 else right.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        for text in (f"{label}: ", value):
            r = p.add_run(text)
            r.font.size = Pt(8)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    r = p.add_run("Datum: {{ issued_on }}")
    r.bold, r.font.size = True, Pt(9)

    para(doc, "", space_after=Pt(12))
    para(doc, "Vormerkliste für die Berufsausbildung in außerbetrieblichen Einrichtungen (BaE) – "
              "Maßnahme-Nr. {{ measure.measure_number }}", bold=True, space_after=Pt(0))
    para(doc, "{{ measure.title }}, {{ measure.start }} bis {{ measure.end }}", space_after=Pt(12))
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
    para(doc, "Mit freundlichen Grüßen\nIm Auftrag", space_after=Pt(12))
    para(doc, "{{ author.name }}{% if author.role %}\n{{ author.role }}{% endif %}", space_after=Pt(12))
    p = para(doc, "Anlage: ", bold=True)
    p.add_run("Vormerkliste (Excel)")
    return doc


if __name__ == "__main__":
    target = HERE / "template.docx"
    build().save(target)
    print(f"geschrieben: {target}")
