"""Build template.docx (docxtpl tags) for the Zuweisung in eine Arbeitsgelegenheit (§16d SGB II).

Run: .venv/bin/python forms/agh-zuweisung/make_template.py
The context is the one of print.html (see sample.json "_doc"). The Rechtsfolgenbelehrung and
the Rechtsbehelfsbelehrung are taken word for word from print.html, so both formats carry the
same legal text. HINWEIS: this legal text is the Jobcenter's standard wording and MUST be checked
by the Jobcenter's legal office before use; an Admin replaces it by uploading a template.
"""
import html
import re
import sys
from pathlib import Path

from docx.shared import Mm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # forms/, for _docx.letter
from _docx.letter import CUSTOMER_ADDRESS, CUSTOMER_GREETING, closing, facts_table, letter, para, write

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


def build():
    doc = letter("{{ jobcenter.name }} · Zuweisung AGH vom {{ issued_on }}", CUSTOMER_ADDRESS,
                 [("Kundennummer", "{{ customer.customer_number }}"), ("Zeichen", "{{ reference }}"),
                  ("Ansprechpartner/in", "{{ author.name }}{% if author.role %}, {{ author.role }}{% endif %}"),
                  ("Telefon", "{{ author.phone }}"), ("E-Mail", "{{ author.email }}")],
                 "Zuweisung in eine Arbeitsgelegenheit mit Mehraufwandsentschädigung nach § 16d SGB II",
                 "Maßnahme „{{ measure.title }}“, Maßnahme-Nr. {{ measure.measure_number }}")
    para(doc, CUSTOMER_GREETING)
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
    facts_table(doc, facts, widths=(Mm(50), Mm(115)))
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
    closing(doc)
    para(doc, "Durchschrift: {{ provider.name }} (Träger der Arbeitsgelegenheit)", size=Pt(8))
    return doc


if __name__ == "__main__":
    write(build(), HERE)
