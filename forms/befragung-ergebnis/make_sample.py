"""Write sample.json of the survey results: twelve sample answers evaluated by
absolvent/measures/survey_results.py, with the charts as data: URIs.

Run from the repository root: .venv/bin/python forms/befragung-ergebnis/make_sample.py
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent / "teilnehmerfragebogen"))

from make_sample import JOBCENTER, MB, MEASURE  # noqa: E402

from absolvent.measures import survey_results  # noqa: E402
from absolvent.measures.survey_results import SURVEY_QUESTIONS  # noqa: E402

# nine statements (1–4, 0 = keine Angabe), overall grade, source, comment
ANSWERS = [
    ("121211022", 2, "direkt", "Die Bewerbungsmappe ist jetzt endlich fertig, das hat mir sehr geholfen."),
    ("112111111", 1, "direkt", ""),
    ("232332023", 3, "papier", "Im Computerraum funktionieren oft nur 5 von 10 Rechnern."),
    ("121221012", 2, "papier", ""),
    ("221312122", 2, "direkt", "Mehr Zeit für Einzelgespräche wäre gut."),
    ("343443034", 5, "papier", "Der Unterricht ist in den letzten Wochen dreimal ausgefallen."),
    ("111121111", 1, "direkt", ""),
    ("122231022", 2, "papier", "Das Praktikum beim Autohaus war super."),
    ("212221121", 2, "direkt", ""),
    ("231322032", 3, "papier", "bitte mehr Übungen für Vorstellungsgespräche"),
    ("122221022", 2, "direkt", ""),
    ("121211121", 2, "papier", ""),
]
DOC = ("Context of the document 'befragung-ergebnis' (RULES.md §5.7, §9), built by "
       "absolvent.measures.survey_queries.results_context: jobcenter, measure, mb, author, issued_on, scope_label "
       "(the round or 'alle Antworten der Maßnahme'), results = survey_results.evaluate_groups(answers per "
       "round) (total, evaluated, excluded (answers of rounds under 3, only counted), excluded_note, shown, "
       "note, scale, statements [{key, label, answered, no_answer, counts[4], percents[4], mean, mean_text, "
       "agree_percent, agree_text}], grades {count, no_answer, counts, mean_text, rows [{grade, label, count, "
       "percent}]}, sources [{code, label, count}], comments sorted alphabetically; below 3 answers only total "
       "and note), charts {statements, grades} as data:image/svg+xml URIs ('' below 3 answers).")


def answer(row):
    codes, grade, source, comment = row
    return {**{key: code for (key, _), code in zip(SURVEY_QUESTIONS, codes, strict=True)}, "overall_grade": grade,
            "source": source, "comments": comment}


def sample():
    results = survey_results.evaluate([answer(row) for row in ANSWERS])
    return {"_doc": DOC, "jobcenter": JOBCENTER, "measure": MEASURE, "mb": MB, "author": MB,
            "issued_on": "03.06.2026", "scope_label": "Befragungsrunde, fällig am 01.06.2026", "results": results,
            "charts": {"statements": survey_results.data_uri(survey_results.statements_chart(results, id_prefix="p")),
                       "grades": survey_results.data_uri(survey_results.grades_chart(results, id_prefix="g"))}}


if __name__ == "__main__":
    (HERE / "sample.json").write_text(json.dumps(sample(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
