"""Write sample.json of the blank questionnaire: a sample measure plus the questions from
absolvent/measures/survey_results.py (the one place of the survey's labels).

Run from the repository root: .venv/bin/python forms/teilnehmerfragebogen/make_sample.py
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from absolvent.measures.survey_results import questionnaire_content  # noqa: E402

JOBCENTER = {"name": "Jobcenter Landkreis Goslar", "address_lines": ["Robert-Koch-Straße 11", "38642 Goslar"],
             "letterhead": "Jobcenter Landkreis Goslar", "phone": "05321 5570-0",
             "email": "jobcenter-goslar@jobcenter-ge.de"}
MEASURE = {"measure_number": "962/0417/2026", "type_code": "MAT",
           "type_label": "Maßnahme bei einem Träger (§45 SGB III)",
           "title": "Aktivcenter Goslar – Orientierung, Bewerbung und Praktikum",
           "provider_name": "Bildungswerk Harz & Heide gGmbH", "start": "02.03.2026", "end": "31.08.2026"}
MB = {"name": "Thomas Becker", "phone": "05321 5570-214", "email": "thomas.becker@jobcenter-ge.de",
      "role": "Maßnahmebetreuer/in"}
DOC = ("Context of the document 'teilnehmerfragebogen' (RULES.md §5.7, §9), built by "
       "absolvent.measures.survey_queries.questionnaire_context: jobcenter, measure (dates as TT.MM.JJJJ), "
       "mb (the measure's Maßnahmebetreuung), author (who printed it), issued_on, and from "
       "survey_results.questionnaire_content: questions [{number, key, label}], scale [{code, label}] (1–4), "
       "no_answer_label, grades [{grade, label}] (1–6), overall_label, comments_label and the texts purpose, "
       "anonymity, how_to, return_note. Nothing about a participant.")


def sample():
    return {"_doc": DOC, "jobcenter": JOBCENTER, "measure": MEASURE, "mb": MB, "author": MB,
            "issued_on": "18.05.2026", **questionnaire_content()}


if __name__ == "__main__":
    (HERE / "sample.json").write_text(json.dumps(sample(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
