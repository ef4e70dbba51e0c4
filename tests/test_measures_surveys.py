"""Teilnehmerbefragung: arithmetic by hand, anonymity threshold, SVG and escaping, the page (full, fragment,
round filter), closing a round, access, the two printed documents (archived, with the figures)."""
import ast
import datetime
import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from absolvent.models import AuditLog
from absolvent.documents.models import IssuedDocument
from absolvent.guided_forms.models import FormDefinitionVersion, FormRun, FormSnapshot
from absolvent.measures import survey_results as sr
from absolvent.models import FollowUp, Measure, PlanEvent
from tests.helpers import pdf_text

SVG_NS = "{http://www.w3.org/2000/svg}"
KEYS = [key for key, _ in sr.SURVEY_QUESTIONS]


def answer(codes="", grade=2, source="direkt", comments=""):
    """An answer dict: ``codes`` gives the nine statements in order (missing ones: "0")."""
    codes = codes.ljust(9, "0")
    return {**dict(zip(KEYS, codes, strict=True)), "overall_grade": grade, "source": source, "comments": comments}


# ------------------------------------------------------------------ arithmetic (pure)

FIVE = [
    {"purpose_explained": "1", "content_practical": "1", "overall_grade": 2, "source": "direkt",
     "comments": "zu wenig PCs"},
    {"purpose_explained": "2", "content_practical": 1, "overall_grade": 1, "source": "papier", "comments": ""},
    {"purpose_explained": "2", "content_practical": "3", "overall_grade": 3, "source": "papier",
     "comments": "Alles gut"},
    {"purpose_explained": "4", "content_practical": "0", "overall_grade": "5", "source": "direkt", "comments": "  "},
    {"purpose_explained": "0", "overall_grade": None, "source": "papier", "comments": "Ärger mit dem Bus"},
]


def test_statement_figures_by_hand():
    r = sr.evaluate(FIVE)
    assert r["total"] == 5 and r["shown"] and r["note"] == ""
    purpose = r["statements"][0]
    assert purpose["key"] == "purpose_explained"
    assert purpose["label"] == "Ziel und Ablauf der Maßnahme wurden mir zu Beginn verständlich erklärt."
    # answers 1, 2, 2, 4 (one "keine Angabe"): mean 9/4 = 2.25 -> 2.3 (half up), agreeing 3 of 4
    assert (purpose["answered"], purpose["no_answer"], purpose["counts"]) == (4, 1, [1, 2, 0, 1])
    assert purpose["percents"] == [25, 50, 0, 25]
    assert (purpose["mean"], purpose["mean_text"]) == (2.3, "2,3")
    assert (purpose["agree_percent"], purpose["agree_text"]) == (75, "75 %")
    practical = r["statements"][1]
    # answers 1, 1 (an int), 3; two without: mean 5/3 = 1.67 -> 1.7, agreeing 2 of 3 = 66.7 -> 67 %
    assert (practical["answered"], practical["no_answer"], practical["counts"]) == (3, 2, [2, 0, 1, 0])
    assert practical["percents"] == [67, 0, 33, 0]
    assert (practical["mean_text"], practical["agree_text"]) == ("1,7", "67 %")
    untouched = r["statements"][2]
    assert (untouched["answered"], untouched["no_answer"], untouched["mean"]) == (0, 5, None)
    assert (untouched["mean_text"], untouched["agree_text"], untouched["percents"]) == ("–", "–", [None] * 4)


def test_grades_sources_and_comments_by_hand():
    r = sr.evaluate(FIVE)
    g = r["grades"]
    # grades 2, 1, 3, 5 (one missing): mean 11/4 = 2.75 -> 2.8
    assert (g["count"], g["no_answer"], g["counts"]) == (4, 1, [1, 1, 1, 0, 1, 0])
    assert (g["mean"], g["mean_text"]) == (2.8, "2,8")
    assert g["percents"] == [25, 25, 25, 0, 25, 0]
    assert g["rows"][4] == {"grade": 5, "label": "mangelhaft", "count": 1, "percent": 25}
    assert r["sources"] == [{"code": "direkt", "label": "direkt am Gerät ausgefüllt", "count": 2},
                            {"code": "papier", "label": "vom Papierbogen übertragen", "count": 3}]
    # alphabetically (Ä with A, case ignored), empty ones left out: not the order of submission
    assert r["comments"] == ["Alles gut", "Ärger mit dem Bus", "zu wenig PCs"]


@pytest.mark.parametrize("grade, expected", [(1, 1), ("6", 6), (4.0, 4), (2.5, None), (0, None), (7, None),
                                             ("2,5", None), (True, None), ("", None), (None, None)])
def test_grade_values(grade, expected):
    r = sr.evaluate([answer(grade=grade)] * 3)
    assert r["grades"]["count"] == (3 if expected else 0)
    if expected:
        assert r["grades"]["counts"][expected - 1] == 3


@pytest.mark.parametrize("n", [0, 1, 2])
def test_below_threshold_only_the_count(n):
    r = sr.evaluate([answer("111111111", comments="Name steht hier")] * n)
    assert (r["total"], r["shown"]) == (n, False)
    assert r["note"] == ("Ergebnisse werden erst ab 3 Antworten angezeigt, damit keine Rückschlüsse auf "
                         "einzelne Teilnehmende möglich sind.")
    assert r["statements"] == [] and r["grades"] is None and r["comments"] == [] and r["sources"] == []
    assert sr.statements_chart(r) == "" and sr.grades_chart(r) == "" and sr.data_uri("") == ""
    assert sr.evaluate([answer("1")] * 3)["shown"] is True  # from 3 answers on


def test_payload_answers():
    payload = json.dumps({"form": "teilnehmerbefragung", "version": "1", "answers": {"benefit": "2"}, "review": []})
    assert sr.payload_answers(payload) == {"benefit": "2"}
    assert sr.payload_answers("kaputt") == {} and sr.payload_answers('{"answers": [1]}') == {}


def test_module_is_pure():
    tree = ast.parse(Path(sr.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"flask", "peewee", "playhouse", "flask_login", "werkzeug", "absolvent"}


# ------------------------------------------------------------------ SVG

def _parse(svg):
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG_NS}svg" and root.get("role") == "img" and root.get("aria-label")
    assert root.find(f"{SVG_NS}title") is not None
    assert "style=" not in str(svg)  # the CSP forbids inline styles
    return root


def test_statements_chart_shows_shares_as_patterns_and_text():
    r = sr.evaluate([answer("1"), answer("2"), answer("2"), answer("4")])
    root = _parse(sr.statements_chart(r))
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert {"25 %", "50 %"} <= set(texts)  # percentages written on the bars
    assert any(t and t.startswith("n = 4 · Ø 2,3 · 75 % Zust.") for t in texts)
    assert "1 = trifft voll zu" in texts and "4 = trifft gar nicht zu" in texts
    fills = {rect.get("fill") for rect in root.iter(f"{SVG_NS}rect")}
    assert {"url(#survey-a2)", "url(#survey-a4)"} <= fills  # patterns, not colour only
    assert "75 % Zustimmung, Durchschnitt 2,3" in root.get("aria-label")


def test_grades_chart_counts():
    r = sr.evaluate([answer(grade=2), answer(grade=2), answer(grade=5)])
    root = _parse(sr.grades_chart(r))
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert texts[texts.index("Note 2") - 1] == "2" and texts[texts.index("Note 5") - 1] == "1"
    assert "Durchschnitt 3,0" in root.get("aria-label")


def test_svg_escapes_every_text():
    r = sr.evaluate([answer("1")] * 3)
    r["statements"][0]["label"] = '<script>alert("x")</script> & "Zitat"'
    svg = str(sr.statements_chart(r, title="<b>T</b>", id_prefix='x"><script>'))
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(" in svg and "&amp;" in svg
    root = _parse(svg)
    assert root.get("aria-label").startswith("<b>T</b>")  # the parser unescapes: it was text, not markup
    assert sr.data_uri(svg).startswith("data:image/svg+xml;base64,")


# ------------------------------------------------------------------ database helpers

def add_round(measure, due=datetime.date(2026, 3, 19), step="mb-teilnehmerbefragung"):
    return FollowUp.create(measure=measure, step_id=step, rule_id="mb-teilnehmerbefragung",
                           title="MB: Teilnehmerbefragung (ca. zur Hälfte der Maßnahmedauer)", role="MB",
                           phase="waehrend", form="teilnehmerbefragung", due=due, rule_due=due, mandatory=True)


def add_answers(measure, user, followup=None, *answers):
    definition, _ = FormDefinitionVersion.get_or_create(
        sha256="a" * 64, defaults={"form_id": "teilnehmerbefragung", "version": "2026.1", "source": "# test"})
    for values in answers:
        run = FormRun.create(definition=definition, form_id="teilnehmerbefragung", measure=measure, user=user,
                             followup=followup, status="submitted")
        text = json.dumps({"form": "teilnehmerbefragung", "version": "2026.1", "definition_sha256": "a" * 64,
                           "answers": values, "review": []}, sort_keys=True, ensure_ascii=False)
        FormSnapshot.create(run=run, form_id="teilnehmerbefragung", title="Teilnehmerbefragung",
                            definition=definition, measure=measure, followup=followup, answers=text,
                            sha256=hashlib.sha256(text.encode()).hexdigest(), submitted_by=user)


FOUR = [answer("121", 2, "papier", "Mehr Praxis bitte"), answer("222", 3, "direkt", "<script>alert(1)</script>"),
        answer("113", 1, "papier"), answer("241", 2, "direkt", "Bus fährt selten")]


@pytest.fixture
def survey(world):
    """m1 (MB mb1) with two rounds: four answers in the first, one in the second, one without a round."""
    m = world["m1"]
    r1, r2 = add_round(m), add_round(m, datetime.date(2026, 5, 4), "mb-teilnehmerbefragung-2")
    add_answers(m, world["mb1"], r1, *FOUR)
    add_answers(m, world["mb1"], r2, answer("4444", 6, "direkt", "Runde zwei"))
    add_answers(m, world["mb1"], None, answer("3", 4, "papier"))
    return {**world, "r1": r1, "r2": r2}


def url(w, suffix=""):
    return f"/massnahmen/{w['m1'].id}/befragung{suffix}"


# ------------------------------------------------------------------ the page

def test_page_full(survey, auth):
    auth.login("mb1")
    page = auth.get(url(survey)).get_data(as_text=True)
    assert "<html" in page and "Befragungsrunden" in page and "19.03.2026" in page and "04.05.2026" in page
    assert "Ergebnisse: alle Antworten der Maßnahme" in page and "<strong>6 Antworten</strong>" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page and 'role="img"' in page
    assert "Leeren Fragebogen drucken (PDF)" in page and "Ergebnis drucken (PDF)" in page
    assert "Befragung abschließen" in page
    assert "1 Antwort ohne Befragungsrunde" in page
    # the entry button only where the guided form's start exists
    assert ("Antwort erfassen" in page) == ("guided_forms.start_measure" in auth.client.application.view_functions)
    # the comment is text everywhere, never markup
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    row = AuditLog.select().where(AuditLog.entity == "survey-results").get()
    assert (row.action, row.entity_id, row.user.username) == ("read", str(survey["m1"].id), "mb1")


def test_page_fragment_and_round_filter(survey, auth):
    auth.login("tl1")
    response = auth.get(url(survey, f"?runde={survey['r1'].id}"), htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert body.lstrip().startswith('<section id="survey-results"') and "<html" not in body
    assert "Befragungsrunden" not in body  # only the block
    assert "Befragungsrunde, fällig am 19.03.2026" in body and "<strong>4 Antworten</strong>" in body
    assert "Runde zwei" not in body and "Mehr Praxis bitte" in body
    assert response.headers["HX-Push-Url"].endswith(f"runde={survey['r1'].id}")
    assert f'<option value="{survey["r1"].id}" selected>' in body
    assert "Befragung abschließen" not in body  # TL reads, does not close


def test_round_with_too_few_answers_shows_the_note(survey, auth):
    auth.login("mb1")
    body = auth.get(url(survey, f"?runde={survey['r2'].id}"), htmx=True).get_data(as_text=True)
    assert "<strong>1 Antwort</strong>" in body and "erst ab 3 Antworten angezeigt" in body
    assert "Runde zwei" not in body and "<svg" not in body
    body = auth.get(url(survey, "?runde=ohne"), htmx=True).get_data(as_text=True)
    assert "Antworten ohne Befragungsrunde" in body and "<strong>1 Antwort</strong>" in body


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "%00", "1" * 40])
def test_unknown_round_shows_all(survey, auth, value):
    auth.login("mb1")
    response = auth.get(url(survey, f"?runde={value}"), htmx=True)
    assert response.status_code == 200 and "<strong>6 Antworten</strong>" in response.get_data(as_text=True)


def test_start_link_only_when_the_guided_form_exists(survey, app, auth):
    if "guided_forms.start_measure" not in app.view_functions:  # the guided form's part of the app
        app.add_url_rule("/massnahmen/<int:measure_id>/formulare/<form_id>", "guided_forms.start_measure",
                         lambda measure_id, form_id: "", methods=["POST"])
    auth.login("mb1")
    page = auth.get(url(survey)).get_data(as_text=True)
    assert f'action="/massnahmen/{survey["m1"].id}/formulare/teilnehmerbefragung"' in page
    assert f'name="followup" value="{survey["r1"].id}"' in page and "Antwort erfassen" in page


def test_measure_without_rounds_or_answers(world, auth):
    auth.login("mb2")
    page = auth.get(f"/massnahmen/{world['m2'].id}/befragung").get_data(as_text=True)
    assert "keine Befragungsrunde geplant" in page and "<strong>0 Antworten</strong>" in page
    assert "erst ab 3 Antworten" in page


# ------------------------------------------------------------------ closing a round

def test_close_round(survey, auth):
    auth.login("mb1")
    response = auth.post(url(survey, f"/{survey['r1'].id}/abschliessen"), htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="survey-rounds"')
    assert "wurde abgeschlossen: 4 Antworten ausgewertet" in body
    f = FollowUp.get_by_id(survey["r1"].id)
    assert (f.status, f.outcome, f.done_by.username) == ("done", "4 Antworten ausgewertet", "mb1")
    assert PlanEvent.select().where(PlanEvent.measure == survey["m1"].id,
                                    PlanEvent.reason == "Teilnehmerbefragung abgeschlossen").count() == 1
    again = auth.post(url(survey, f"/{survey['r1'].id}/abschliessen"), htmx=True)
    assert again.status_code == 422 and "bereits abgeschlossen" in again.get_data(as_text=True)


def test_close_round_without_javascript_redirects(survey, auth):
    auth.login("mb1")
    response = auth.post(url(survey, f"/{survey['r2'].id}/abschliessen"))
    assert response.status_code == 302 and response.headers["Location"].endswith(url(survey))
    assert FollowUp.get_by_id(survey["r2"].id).outcome == "1 Antwort ausgewertet"
    assert "1 Antwort ausgewertet" in auth.get(url(survey)).get_data(as_text=True)


def test_close_round_refused_without_answers(world, auth):
    r = add_round(world["m1"])
    auth.login("mb1")
    response = auth.post(f"/massnahmen/{world['m1'].id}/befragung/{r.id}/abschliessen", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "erst abgeschlossen werden, wenn mindestens eine Antwort erfasst ist" in body
    assert FollowUp.get_by_id(r.id).status == "open"


def test_close_only_a_survey_round_of_this_measure(survey, auth, make):
    other = add_round(survey["m2"])
    office_hour = FollowUp.create(measure=survey["m1"], step_id="mb-sprechstunde", title="Sprechstunde", role="MB",
                                  form="sprechstunde", due=datetime.date(2026, 3, 1))
    auth.login("mb1")
    for f in (other, office_hour):
        assert auth.post(url(survey, f"/{f.id}/abschliessen"), htmx=True).status_code == 404
        assert FollowUp.get_by_id(f.id).status == "open"


# ------------------------------------------------------------------ access

ROLES = [("mb1", 200, 200), ("mb2", 403, 403), ("pap1", 403, 403), ("tl1", 200, 403), ("bl", 200, 403),
         ("admin", 403, 403)]


@pytest.mark.parametrize("username, read, close", ROLES)
def test_permission_matrix(survey, auth, username, read, close):
    auth.login(username)
    assert auth.get(url(survey)).status_code == read
    assert auth.get(url(survey), htmx=True).status_code == read
    printed = auth.post(url(survey, "/fragebogen"))
    assert printed.status_code == read
    assert auth.post(url(survey, "/ergebnis"), data={"runde": survey["r1"].id}).status_code == read
    assert IssuedDocument.select().count() == (2 if read == 200 else 0)
    assert auth.post(url(survey, f"/{survey['r1'].id}/abschliessen")).status_code in (close, 302)
    assert (FollowUp.get_by_id(survey["r1"].id).status == "done") == (close == 200)
    if read == 403:
        assert AuditLog.select().where(AuditLog.action == "denied").count() >= 1


def test_unknown_measure_is_404_and_anonymous_to_login(world, auth, client):
    assert client.get(f"/massnahmen/{world['m1'].id}/befragung").status_code == 302
    auth.login("bl")
    assert auth.get("/massnahmen/999999/befragung").status_code == 404


# ------------------------------------------------------------------ the prints

def test_print_results_is_archived_with_the_figures(survey, auth):
    auth.login("mb1")
    response = auth.post(url(survey, "/ergebnis"), data={"runde": survey["r1"].id})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    doc = IssuedDocument.get()
    assert (doc.document, doc.measure_id, doc.participation_id, doc.customer_id) == (
        "befragung-ergebnis", survey["m1"].id, None, None)
    assert doc.subject == f"Runde {survey['r1'].id}" and doc.data == response.data
    text = pdf_text(response.data)
    # round 1: purpose 1, 2, 2, 2 -> Ø 1,8 (7/4 = 1.75), 100 %; content 2, 2, 1, 4 -> Ø 2,3, 75 %
    assert "Ergebnis der Teilnehmerbefragung" in text and "962/00001" in text
    assert "Befragungsrunde, fällig am 19.03.2026" in text
    assert "1,8" in text and "100 %" in text and "2,3" in text and "75 %" in text
    assert "n = 4 · Ø 2,3 · 75 % Zust." in text  # the chart's text
    assert "<script>alert(1)</script>" in text  # printed as text: it was escaped
    assert "Runde zwei" not in text
    export = AuditLog.select().where(AuditLog.action == "export").get()
    assert export.entity_id == str(doc.id)
    download = auth.get(f"/dokumente/{doc.id}/datei")
    assert download.status_code == 200 and download.data == doc.data


def test_print_results_below_threshold(survey, auth):
    auth.login("bl")
    response = auth.post(url(survey, "/ergebnis"), data={"runde": survey["r2"].id})
    text = pdf_text(response.data)
    assert "erst ab 3 Antworten angezeigt" in text and "Runde zwei" not in text


def test_print_questionnaire(survey, auth):
    auth.login("tl1")
    response = auth.post(url(survey, "/fragebogen"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    doc = IssuedDocument.get()
    assert (doc.document, doc.measure_id, doc.number) == ("teilnehmerfragebogen", survey["m1"].id, 1)
    text = " ".join(pdf_text(response.data).split())
    assert "Jobcenter Test" in text and "962/00001" in text and survey["m1"].title in text
    assert "keinen Namen" in text and "trifft eher nicht zu" in text and "keine Angabe" in text
    for _, label in sr.SURVEY_QUESTIONS:
        assert label in text
    assert "ungenügend" in text and "Wohin mit dem Bogen?" in text
    assert "Seite 1 von 1" in text  # one sheet
    page = auth.get(url(survey)).get_data(as_text=True)
    assert "Teilnehmerfragebogen (Teilnehmerbefragung)</a> Fragebogen, Version 1" in page


def test_prints_are_sent_like_every_archived_document(survey, auth, monkeypatch):
    from absolvent.documents import views
    sent, real = [], views._send

    def spy(data, mimetype, name):
        sent.append(name)
        return real(data, mimetype, name)
    monkeypatch.setattr(views, "_send", spy)
    auth.login("mb1")
    response = auth.post(url(survey, "/fragebogen"))
    assert response.status_code == 200 and sent == [IssuedDocument.get().file_name]
    assert response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("suffix, what", [("/fragebogen", "Der Fragebogen"), ("/ergebnis", "Das Ergebnis")])
def test_print_reports_missing_required_fields(survey, auth, suffix, what):
    Measure.update(title="").where(Measure.id == survey["m1"].id).execute()
    auth.login("mb1")
    response = auth.post(url(survey, suffix))
    assert response.status_code == 302 and IssuedDocument.select().count() == 0
    page = auth.get(url(survey)).get_data(as_text=True)
    assert f"{what} konnte nicht erstellt werden: Für den Ausdruck fehlen: Maßnahme." in page


# ------------------------------------------------------------------ documents CLI

@pytest.mark.parametrize("name", ["teilnehmerfragebogen", "befragung-ergebnis"])
def test_documents_list_and_sample(runner, tmp_path, name):
    listed = dict(line.split("\t", 1) for line in runner.invoke(args=["documents", "list"]).stdout.splitlines())
    assert listed[name].endswith("\tpdf")
    out = tmp_path / "x.pdf"
    result = runner.invoke(args=["documents", "sample", name, "--format", "pdf", "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert "Jobcenter Landkreis Goslar" in text and "962/0417/2026" in text


def test_samples_match_the_generators():
    """sample.json is what make_sample.py writes (the questions come from SURVEY_QUESTIONS)."""
    forms = Path(__file__).resolve().parent.parent / "forms"
    questionnaire = json.loads((forms / "teilnehmerfragebogen" / "sample.json").read_text(encoding="utf-8"))
    assert [q["label"] for q in questionnaire["questions"]] == [label for _, label in sr.SURVEY_QUESTIONS]
    results = json.loads((forms / "befragung-ergebnis" / "sample.json").read_text(encoding="utf-8"))
    assert results["results"]["total"] == 12 and results["results"]["shown"] is True
    assert results["charts"]["statements"].startswith("data:image/svg+xml;base64,")


# ------------------------------------------------------------------ the threshold per round (no subtraction)

def test_groups_below_the_threshold_are_only_counted():
    five = [answer("1111", 2, "direkt", f"Kommentar {i}") for i in range(5)]
    alone = answer("4444", 6, "papier", "Nur ich war ohne Runde")
    r = sr.evaluate_groups([five, [alone]])
    assert (r["total"], r["evaluated"], r["excluded"], r["shown"]) == (6, 5, 1, True)
    assert r["excluded_note"].startswith("1 Antwort aus Runden mit weniger als 3 Antworten ist nicht ausgewertet")
    assert "Nur ich war ohne Runde" not in r["comments"] and r["grades"]["counts"][5] == 0
    # "alle" gives the same figures as the round alone: nothing to subtract
    only = sr.evaluate(five)
    assert (r["statements"], r["grades"], r["sources"], r["comments"]) == (
        only["statements"], only["grades"], only["sources"], only["comments"])
    # two small groups of together 3 answers: counted, not shown
    small = sr.evaluate_groups([[answer("1")] * 2, [answer("2")]])
    assert (small["total"], small["evaluated"], small["excluded"], small["shown"]) == (3, 0, 3, False)
    assert small["statements"] == [] and small["comments"] == []
    assert sr.evaluate_groups([[answer("1")] * 3])["excluded_note"] == ""


@pytest.fixture
def subtraction(world):
    """The reviewer's case: round R1 with five answers, one answer without a round (grade 6, a comment)."""
    m = world["m1"]
    r1 = add_round(m)
    add_answers(m, world["mb1"], r1, *[answer("1111", 2, "direkt", "") for _ in range(5)])
    add_answers(m, world["mb1"], None, answer("4444", 6, "papier", "Allein ohne Runde geschrieben"))
    return {**world, "r1": r1}


def test_alle_minus_a_round_reveals_nothing(subtraction, auth):
    auth.login("tl1")
    every = auth.get(url(subtraction), htmx=True).get_data(as_text=True)
    assert "<strong>6 Antworten</strong>, davon 5 ausgewertet" in every
    assert "1 Antwort aus Runden mit weniger als 3 Antworten ist nicht ausgewertet" in every
    assert "Allein ohne Runde" not in every and "Note 6 (ungenügend)</th>" in every
    grades = every[every.index("Verteilung der Gesamtnoten"):]
    assert '<td>0 <span class="muted">(0 %)</span></td></tr>' in grades.split("</table>")[0]  # no grade 6
    r1 = auth.get(url(subtraction, f"?runde={subtraction['r1'].id}"), htmx=True).get_data(as_text=True)

    def figures(body):  # the table of the statements and grades, without the heading and the counts line
        return body[body.index("<table>"):body.rindex("<form method=\"post\"")]
    assert figures(every) == figures(r1)  # "alle" minus R1 = nothing
    alone = auth.get(url(subtraction, "?runde=ohne"), htmx=True).get_data(as_text=True)
    assert "<strong>1 Antwort</strong>" in alone and "erst ab 3 Antworten angezeigt" in alone
    assert "Allein ohne Runde" not in alone and "<svg" not in alone


def test_printed_alle_leaves_out_the_small_group(subtraction, auth):
    auth.login("mb1")
    text = pdf_text(auth.post(url(subtraction, "/ergebnis"), data={"runde": ""}).data)
    assert "alle Antworten der Maßnahme" in text and "davon 5 ausgewertet" in text
    assert "nicht ausgewertet" in text and "Allein ohne Runde" not in text
    assert "Ø 1" in text or "1,0" in text  # every evaluated answer says "trifft voll zu"
