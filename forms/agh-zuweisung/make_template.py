"""Build template.docx (docxtpl tags) for the Zuweisung in eine Arbeitsgelegenheit (§16d SGB II).

Run: .venv/bin/python forms/agh-zuweisung/make_template.py
The context is the one of print.html (see sample.json "_doc"). The Rechtsfolgenbelehrung and
the Rechtsbehelfsbelehrung are taken word for word from print.html, so both formats carry the
same legal text. HINWEIS: this legal text is the Jobcenter's standard wording and MUST be checked
by the Jobcenter's legal office before use; an Admin replaces it by uploading a template.
"""
import html
import re
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent


def legal_sections():
    """[(heading, [paragraph, …])] of the <section class="legal"> blocks of print.html, as plain text."""
    source = (HERE / "print.html").read_text(encoding="utf-8")
    sections = []
    for heading, body in re.findall(r'<section class="legal">\s*<h2>(.*?)</h2>(.*?)</section>', source, re.S):
        paragraphs = [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", p)).strip())
                      for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
        sections.append((heading, paragraphs))
    return sections


def field(paragraph, instruction):
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


def build():
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(15), Mm(20)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)

    footer = section.footer.paragraphs[0]
    footer.text = "{{ jobcenter.name }} · Zuweisung AGH vom {{ issued_on }}\tSeite "
    field(footer, "PAGE")
    footer.add_run(" von ")
    field(footer, "NUMPAGES")

    para(doc, "{{ jobcenter.letterhead or jobcenter.name }}", bold=True, size=Pt(13),
         align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=Pt(0))
    para(doc, "{{ jobcenter.address_lines | lines }}", size=Pt(9), align=WD_ALIGN_PARAGRAPH.RIGHT,
         space_after=Pt(18))

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.LEFT
    left, right = head.rows[0].cells
    left.width, right.width = Mm(95), Mm(70)
    run = left.paragraphs[0].add_run("{{ jobcenter.name }} · {{ jobcenter.address_lines | join(' · ') }}")
    run.font.size, run.underline = Pt(6), True
    left.add_paragraph("{% if customer.salutation %}{{ customer.salutation }}\n{% endif %}"
                       "{{ customer.first_name }} {{ customer.last_name }}\n{{ customer.address_lines | lines }}")
    rows = [("Kundennummer", "{{ customer.customer_number }}"), ("Zeichen", "{{ reference }}"),
            ("Ansprechpartner/in", "{{ author.name }}{% if author.role %}, {{ author.role }}{% endif %}"),
            ("Telefon", "{{ author.phone }}"), ("E-Mail", "{{ author.email }}")]
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
    para(doc, "Zuweisung in eine Arbeitsgelegenheit mit Mehraufwandsentschädigung nach § 16d SGB II",
         bold=True, space_after=Pt(0))
    para(doc, "Maßnahme „{{ measure.title }}“, Maßnahme-Nr. {{ measure.measure_number }}", space_after=Pt(12))
    para(doc, "{% if customer.salutation == 'Frau' %}Sehr geehrte Frau {{ customer.last_name }},"
              "{% elif customer.salutation == 'Herr' %}Sehr geehrter Herr {{ customer.last_name }},"
              "{% else %}Guten Tag {{ customer.first_name }} {{ customer.last_name }},{% endif %}")
    para(doc, "hiermit weisen wir Ihnen die folgende Arbeitsgelegenheit mit Mehraufwandsentschädigung nach § 16d "
              "des Zweiten Buches Sozialgesetzbuch (SGB II) zu. Die Arbeitsgelegenheit soll Ihre "
              "Beschäftigungsfähigkeit erhalten oder wiederherstellen und Sie an den allgemeinen Arbeitsmarkt "
              "heranführen.")
    facts = [
        ("Träger", "{{ provider.name }}\n{{ provider.address_lines | lines }}"),
        ("Einsatzstelle", "{{ assignment.place }}"),
        ("Art der Tätigkeit", "{{ assignment.activity }}"),
        ("Arbeitsfeld", "{{ assignment.field_of_work }}"),
        ("Umfang", "{{ assignment.hours_per_week }} Stunden wöchentlich"),
        ("Zeitraum", "{{ assignment.start }} bis {{ assignment.end }}"),
        ("Mehraufwandsentschädigung", "{{ assignment.compensation }} je tatsächlich geleisteter Stunde"),
        ("Vorstellungstermin", "{% if assignment.report_on %}am {{ assignment.report_on }}{% if assignment.report_to %}"
                               " bei {{ assignment.report_to }}{% endif %}{% else %}wird Ihnen vom Träger mitgeteilt"
                               "{% endif %}"),
        ("Kontakt beim Träger", "{{ provider.contact_person }}{% if provider.phone %}, Telefon {{ provider.phone }}"
                                "{% endif %}{% if provider.email %}, {{ provider.email }}{% endif %}"),
    ]
    table = doc.add_table(rows=0, cols=2)
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Mm(50), Mm(115)
        cells[0].text, cells[1].text = label, value
    para(doc, "", space_after=Pt(6))
    para(doc, "Bitte stellen Sie sich {% if assignment.report_on %}am {{ assignment.report_on }} {% endif %}beim "
              "Träger vor und nehmen Sie die Tätigkeit am {{ assignment.start }} auf. Die Mehraufwandsentschädigung "
              "erhalten Sie zusätzlich zum Bürgergeld; sie wird nicht als Einkommen angerechnet. Die Tätigkeit "
              "begründet kein Arbeitsverhältnis im Sinne des Arbeitsrechts und kein Beschäftigungsverhältnis im "
              "Sinne des Vierten Buches Sozialgesetzbuch; die Vorschriften über den Arbeitsschutz und das "
              "Bundesurlaubsgesetz (mit Ausnahme der Regelungen über das Urlaubsentgelt) gelten entsprechend "
              "(§ 16d Abs. 7 SGB II). Können Sie den Termin oder die Tätigkeit nicht wahrnehmen, zum Beispiel wegen "
              "Krankheit, teilen Sie uns das bitte sofort mit und legen Sie einen Nachweis vor (bei "
              "Arbeitsunfähigkeit ab dem ersten Tag eine ärztliche Bescheinigung).")
    for heading, paragraphs in legal_sections():
        para(doc, heading, bold=True, space_after=Pt(2))
        for text in paragraphs:
            para(doc, text, size=Pt(9))
    para(doc, "Bei Fragen zu dieser Zuweisung wenden Sie sich bitte an mich{% if author.phone %}, Telefon "
              "{{ author.phone }}{% endif %}{% if author.email %}, E-Mail {{ author.email }}{% endif %}.")
    para(doc, "Mit freundlichen Grüßen\nIm Auftrag", space_after=Pt(12))
    para(doc, "{{ author.name }}{% if author.role %}\n{{ author.role }}{% endif %}")
    para(doc, "Durchschrift: {{ provider.name }} (Träger der Arbeitsgelegenheit)", size=Pt(8))
    return doc


if __name__ == "__main__":
    target = HERE / "template.docx"
    build().save(target)
    print(f"geschrieben: {target}")
