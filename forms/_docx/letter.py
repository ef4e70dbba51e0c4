"""The python-docx helpers shared by the ``forms/*/make_template.py`` scripts.

A DIN 5008 letter on A4: page setup, footer with page numbers, letterhead, the
address field with its return line beside the information block, subject,
tables of facts and the closing. The text is docxtpl source (``{{ … }}``,
paragraph-level ``{%p … %}`` tags in a paragraph of their own). The scripts run
as ``.venv/bin/python forms/<name>/make_template.py`` and import this module
after putting ``forms/`` on ``sys.path``; the document registry skips this
folder because its name starts with ``_``.
"""

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

CUSTOMER_ADDRESS = ("{% if customer.salutation %}{{ customer.salutation }}\n{% endif %}"
                    "{{ customer.first_name }} {{ customer.last_name }}\n{{ customer.address_lines | lines }}")
PROVIDER_ADDRESS = ("{{ provider.name }}\n{% if provider.contact_person %}z. Hd. {{ provider.contact_person }}\n"
                    "{% endif %}{{ provider.address_lines | lines }}")
CUSTOMER_GREETING = ("{% if customer.salutation == 'Frau' %}Sehr geehrte Frau {{ customer.last_name }},"
                     "{% elif customer.salutation == 'Herr' %}Sehr geehrter Herr {{ customer.last_name }},"
                     "{% else %}Guten Tag {{ customer.first_name }} {{ customer.last_name }},{% endif %}")
SIGNATURE = "{{ author.name }}{% if author.role %}\n{{ author.role }}{% endif %}"
MB_SIGNATURE = "{{ author.name }}\n{{ author.role or 'Maßnahmebetreuung' }}"
DEFECT_INFO = [("Maßnahme-Nr.", "{{ measure.measure_number }}"), ("Unser Zeichen", "{{ reference }}"),
               ("Ansprechpartner/in", "{{ author.name }}"), ("Telefon", "{{ author.phone }}"),
               ("E-Mail", "{{ author.email }}")]
FACT_WIDTHS = (Mm(45), Mm(120))


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
    """Append a paragraph of one run and return it; 4 pt after unless ``space_after`` says otherwise."""
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


def facts_table(doc, rows, widths=FACT_WIDTHS):
    """A borderless two-column table of (label, value) rows, then 6 pt of space."""
    table = doc.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = widths
        cells[0].text, cells[1].text = label, value
    para(doc, "", space_after=Pt(6))


def letter(footer_text, address, info_rows, subject, sub) -> Document:
    """Return a new document with a DIN 5008 letter head: ``footer_text`` and the page
    numbers in the footer, letterhead, return line, ``address``, the information block
    (``info_rows`` of (label, value), then Datum), the bold ``subject`` and ``sub``."""
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

    # Address field (left) and information block (right) side by side.
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.LEFT
    left, right = head.rows[0].cells
    left.width, right.width = Mm(95), Mm(70)
    run = left.paragraphs[0].add_run("{{ jobcenter.name }} · {{ jobcenter.address_lines | join(' · ') }}")
    run.font.size, run.underline = Pt(6), True
    left.add_paragraph(address)
    for i, (label, value) in enumerate(info_rows):
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
    return doc


def closing(doc, signature=SIGNATURE, *, gap=None, space_after=None):
    """“Mit freundlichen Grüßen / Im Auftrag”, ``gap`` of space (12 pt), the ``signature``."""
    para(doc, "Mit freundlichen Grüßen\nIm Auftrag", space_after=Pt(12) if gap is None else gap)
    para(doc, signature, space_after=space_after)


def defect_letter(footer_text, address, subject, sub) -> Document:
    """The head of the letters about a defect (Mängelrüge, REZ, §183): ``letter`` with
    the measure's information block, greeting the Damen und Herren."""
    doc = letter(footer_text, address, DEFECT_INFO, subject, sub)
    para(doc, "Sehr geehrte Damen und Herren,")
    return doc


def defect_closing(doc):
    """The closing of the letters about a defect, signed by the Maßnahmebetreuung."""
    closing(doc, MB_SIGNATURE, gap=Pt(18))


def defect_facts(doc):
    """The facts found and, when there are any, the evidence."""
    para(doc, "{{ defect.facts }}")
    para(doc, "{%p if defect.evidence %}")
    para(doc, "Belege:", bold=True, space_after=Pt(0))
    para(doc, "{{ defect.evidence }}")
    para(doc, "{%p endif %}")


def defect_history(doc, request_text, without_notice=""):
    """Sections 2–4 and the closing shared by the REZ and the §183 letter: the defect, what
    happened, the request. ``without_notice``: the paragraph when no Mängelrüge was sent
    (§183 letter only)."""
    para(doc, "2. Mangel", bold=True, space_after=Pt(2))
    facts_table(doc, [("Festgestellt am", "{{ defect.found_on }} ({{ defect.found_how }})"),
                      ("Verletzte Vorgabe", "{{ defect.clause_source }}: {{ defect.clause }}"),
                      ("Einstufung", "{{ defect.severity }}")])
    defect_facts(doc)
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
    defect_closing(doc)
    if not without_notice:
        para(doc, "Anlagen: Mängelrüge vom {{ notice.issued_on }}{% if comment.text %}; Stellungnahme des Trägers"
                  "{% if comment.received_on %} vom {{ comment.received_on }}{% endif %}{% endif %}", size=Pt(8))
        return
    para(doc, "{%p if notice.issued_on or comment.text %}")
    para(doc, "Anlagen: {% if notice.issued_on %}Mängelrüge vom {{ notice.issued_on }}{% if comment.text %}; "
              "{% endif %}{% endif %}{% if comment.text %}Stellungnahme des Trägers{% if comment.received_on %} vom "
              "{{ comment.received_on }}{% endif %}{% endif %}", size=Pt(8))
    para(doc, "{%p endif %}")


def write(doc, folder):
    """Save ``doc`` as ``folder``/template.docx and say where."""
    target = folder / "template.docx"
    doc.save(target)
    print(f"geschrieben: {target}")
