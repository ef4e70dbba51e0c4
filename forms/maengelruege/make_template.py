"""Build template.docx (docxtpl tags) for the Mängelrüge to the Träger.

Run: .venv/bin/python forms/maengelruege/make_template.py
The context is the one of print.html (see sample.json "_doc"). Paragraph-level
tags ``{%p … %}`` stand alone in their own paragraph, as docxtpl requires;
newlines in values become line breaks. ``letter()`` and ``para()`` are shared
with the REZ letter and the §183 letter (their make_template.py load this file).
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


def facts_table(doc, rows):
    table = doc.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Mm(45), Mm(120)
        cells[0].text, cells[1].text = label, value
    para(doc, "", space_after=Pt(6))


def letter(footer_text, address, subject, sub):
    """A DIN 5008 letter head: letterhead, return line, ``address`` (docxtpl text), the
    information block (Maßnahme-Nr., Zeichen, Ansprechperson, Datum) and the subject."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(15), Mm(20)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)

    footer = section.footer.paragraphs[0]
    footer.text = footer_text + "\tSeite "
    field(footer, "PAGE")
    footer.add_run(" von ")
    field(footer, "NUMPAGES")

    para(doc, "{{ jobcenter.letterhead or jobcenter.name }}", bold=True, size=Pt(13),
         align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=Pt(0))
    para(doc, "{{ jobcenter.address_lines | lines }}", size=Pt(9),
         align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=Pt(18))

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.LEFT
    left, right = head.rows[0].cells
    left.width, right.width = Mm(95), Mm(70)
    run = left.paragraphs[0].add_run("{{ jobcenter.name }} · {{ jobcenter.address_lines | join(' · ') }}")
    run.font.size, run.underline = Pt(6), True
    left.add_paragraph(address)
    rows = [("Maßnahme-Nr.", "{{ measure.measure_number }}"), ("Unser Zeichen", "{{ reference }}"),
            ("Ansprechpartner/in", "{{ author.name }}"), ("Telefon", "{{ author.phone }}"),
            ("E-Mail", "{{ author.email }}")]
    for i, (label, value) in enumerate(rows):
        p = right.paragraphs[0] if i == 0 else right.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        for text in (f"{label}: ", value):
            p.add_run(text).font.size = Pt(8)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    r = p.add_run("Datum: {{ issued_on }}")
    r.bold, r.font.size = True, Pt(9)

    para(doc, "", space_after=Pt(12))
    para(doc, subject, bold=True, space_after=Pt(0))
    para(doc, sub, space_after=Pt(12))
    para(doc, "Sehr geehrte Damen und Herren,")
    return doc


def closing(doc):
    para(doc, "Mit freundlichen Grüßen\nIm Auftrag", space_after=Pt(18))
    para(doc, "{{ author.name }}\n{{ author.role or 'Maßnahmebetreuung' }}")


def build() -> Document:
    doc = letter("{{ jobcenter.name }} · Mängelrüge vom {{ issued_on }} · Zeichen {{ reference }}",
                 "{{ provider.name }}\n{% if provider.contact_person %}z. Hd. {{ provider.contact_person }}\n"
                 "{% endif %}{{ provider.address_lines | lines }}",
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
    para(doc, "{{ defect.facts }}")
    para(doc, "{%p if defect.evidence %}")
    para(doc, "Belege:", bold=True, space_after=Pt(0))
    para(doc, "{{ defect.evidence }}")
    para(doc, "{%p endif %}")
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
    closing(doc)
    para(doc, '{%p if procurement == "vergabe" %}')
    para(doc, "Nachrichtlich: {{ rez.name }}{% if rez.address_lines %}, {{ rez.address_lines | join(', ') }}"
              "{% endif %}", size=Pt(8))
    para(doc, "{%p endif %}")
    return doc


if __name__ == "__main__":
    target = HERE / "template.docx"
    build().save(target)
    print(f"geschrieben: {target}")
