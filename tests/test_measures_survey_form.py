"""The anonymous Teilnehmerbefragung (RULES.md §5.7, seed 000 2.2.2): the rule's date by hand,
the guided form "teilnehmerbefragung" for a measure, its anonymity, the round's follow-up
staying open, and "Nächsten Bogen erfassen" for a stack of paper forms.

Rule (goslar-2016 "mb-teilnehmerbefragung", group measures only): duration at least
4 months, due at half = start + floor(days × 0.5), days = end − start + 1.
"""
import datetime
import json

import pytest

from absolvent.caseload import planning
from absolvent.guided_forms.models import FormRun, FormSnapshot
from absolvent.models import AuditLog, Customer, FollowUp, Note, PlanEvent

D = datetime.date
TODAY = datetime.date.today()
STATEMENTS = ("purpose_explained", "content_practical", "trainer_competence", "coaching", "hours_as_planned",
              "rooms_equipment", "internship", "application_help", "benefit")


def group_measure(world, make, start, end, number="962/TB"):
    measure = make.measure("FBW", start=start, end=end, mb=world["mb1"], measure_number=number, capacity=14)
    make.participation(world["c1"], measure)
    for i in range(9):
        make.participation(make.customer(world["t1"], world["pap1"], last_name=f"Umfrage{i}"), measure)
    planning.replan_measure(measure, "Test")
    return measure


def survey_due(measure):
    return {f.step_id: f.due for f in FollowUp.select().where(FollowUp.measure == measure.id,
                                                                FollowUp.form == "teilnehmerbefragung")}


def test_survey_at_half_from_four_months(world, make):
    # 01.02.–31.07.2026: 6 months, 28 + 31 + 30 + 31 + 30 + 31 = 181 days, half = 90 → 02.05.2026
    assert survey_due(group_measure(world, make, D(2026, 2, 1), D(2026, 7, 31))) == {
        "mb-teilnehmerbefragung": D(2026, 5, 2)}


def test_survey_exactly_four_months(world, make):
    # 01.02.–31.05.2026: exactly 4 months, 120 days, half = 60 → 02.04.2026
    assert survey_due(group_measure(world, make, D(2026, 2, 1), D(2026, 5, 31))) == {
        "mb-teilnehmerbefragung": D(2026, 4, 2)}


def test_no_survey_under_four_months(world, make):
    # 01.02.–30.05.2026: 3 months 30 days (under 4 months): no survey
    assert survey_due(group_measure(world, make, D(2026, 2, 1), D(2026, 5, 30))) == {}


# ------------------------------------------------------------------ the form

@pytest.fixture
def round_(world, make):
    """A running group FbW of mb1 (from 01.09.2026, at least 6 months) and its survey step."""
    measure = group_measure(world, make, D(2026, 9, 1), max(D(2027, 2, 28), TODAY + datetime.timedelta(days=60)))
    return measure, FollowUp.get(FollowUp.measure == measure.id, FollowUp.form == "teilnehmerbefragung")


def start(auth, measure, followup=None, htmx=False):
    data = {"followup": str(followup.id)} if followup else {}
    return auth.post(f"/massnahmen/{measure.id}/formulare/teilnehmerbefragung", data, htmx=htmx)


def run_id_of(response):
    url = response.headers.get("HX-Redirect") or response.headers["Location"]
    return int(url.split("/formulare/")[1].split("/")[0])


ANSWERS = {"source": "papier", **{name: "2" for name in STATEMENTS}, "internship": "0"}


def answer_one(auth, measure, followup, grade="2", comments="Mehr Praxis wäre gut."):
    run_id = run_id_of(start(auth, measure, followup))
    first = auth.post(f"/formulare/{run_id}/schritt/aussagen", {**ANSWERS, "aktion": "weiter"})
    assert first.status_code == 302, first.get_data(as_text=True)[-2000:]
    second = auth.post(f"/formulare/{run_id}/schritt/gesamt", {"overall_grade": grade, "comments": comments,
                                                               "aktion": "weiter"})
    assert second.headers["Location"].endswith(f"/formulare/{run_id}/pruefen")
    return run_id, auth.post(f"/formulare/{run_id}/absenden")


def test_survey_is_anonymous_and_keeps_the_round_open(round_, world, auth):
    measure, followup = round_
    auth.login("mb1")
    run_id = run_id_of(start(auth, measure, followup))
    page = auth.get(f"/formulare/{run_id}/schritt/aussagen").get_data(as_text=True)
    assert "Die Befragung ist anonym" in page and 'value="papier" checked' in page  # default: from paper
    names = [c.last_name for c in Customer.select()]
    assert not any(name in page for name in names)  # the survey's facts name nobody
    fragment = auth.get(f"/formulare/{run_id}/schritt/aussagen", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="form-run">') and "<html" not in fragment
    before = AuditLog.select().count()
    first_draft = run_id
    run_id, response = answer_one(auth, measure, followup)
    assert run_id != first_draft and FormRun.get_by_id(first_draft).status == "draft"  # never resumed
    snap = FormSnapshot.get(FormSnapshot.run == run_id)
    assert response.headers["Location"].endswith(f"/formulare/ergebnisse/{snap.id}")
    run = FormRun.get_by_id(run_id)
    assert (run.customer_id, run.participation_id, run.measure_id, run.status) == (None, None, measure.id,
                                                                                   "submitted")
    assert (snap.customer_id, snap.participation_id, snap.measure_id, snap.followup_id) == (None, None, measure.id,
                                                                                            followup.id)
    stored = json.loads(snap.answers)
    assert set(stored) == {"form", "version", "definition_sha256", "answers", "review"}
    assert stored["answers"] == {**ANSWERS, "overall_grade": 2, "comments": "Mehr Praxis wäre gut."}
    # no note, no plan change, the round stays open
    assert Note.select().count() == 0 and PlanEvent.select().where(PlanEvent.measure == measure.id,
                                                                    PlanEvent.reason != "Test").count() == 0
    assert FollowUp.get_by_id(followup.id).status == "open"
    # no audit row of the submit carries a customer (id, number or name)
    rows = list(AuditLog.select().where(AuditLog.id > 0).order_by(AuditLog.id))[before:]
    tokens = [c.customer_number for c in Customer.select()] + names
    assert rows and all(r.entity not in ("customer", "participation", "note") for r in rows)
    assert not any(token in r.detail or token in r.entity_id for r in rows for token in tokens)
    assert not any("Teilnahme" in r.detail for r in rows)
    page = auth.get(response.headers["Location"]).get_data(as_text=True)
    assert "anonym gespeichert" in page and "Erledigte Wiedervorlage" not in page
    assert 'id="naechster-bogen"' in page
    # "Nächsten Bogen erfassen": a fresh run for the same measure and round
    nxt = auth.post(f"/massnahmen/{measure.id}/formulare/teilnehmerbefragung", {"followup": str(followup.id)})
    new_id = run_id_of(nxt)
    assert new_id != run_id and FormRun.get_by_id(new_id).followup_id == followup.id
    assert FormRun.get_by_id(new_id).status == "draft"


def test_the_next_participant_never_sees_an_unsent_draft(round_, auth):
    """Filled in "direkt am Gerät": the previous participant left without sending; the next
    one gets a fresh questionnaire, the old draft stays under "Meine Entwürfe"."""
    measure, followup = round_
    auth.login("mb1")
    left = run_id_of(start(auth, measure, followup))
    saved = auth.post(f"/formulare/{left}/schritt/gesamt", {"overall_grade": "6", "aktion": "speichern",
                                                            "comments": "Mein Dozent heißt Krause und ist mies."})
    assert saved.status_code == 302
    for htmx in (False, True):
        fresh = run_id_of(start(auth, measure, followup, htmx=htmx))
        assert fresh != left and FormRun.get_by_id(fresh).status == "draft"
        page = auth.get(f"/formulare/{fresh}/schritt/gesamt").get_data(as_text=True)
        assert "Krause" not in page and 'value="6"' not in page
    kept = auth.get(f"/formulare/{left}/schritt/gesamt").get_data(as_text=True)
    assert "Krause" in kept and 'value="6"' in kept  # the old draft keeps its answers
    assert FormRun.get_by_id(left).status == "draft"
    drafts = auth.get("/formulare/entwuerfe").get_data(as_text=True)
    assert f"/formulare/{left}/" in drafts
    assert FormRun.select().where(FormRun.measure == measure.id, FormRun.status == "draft").count() == 3


def test_a_stack_of_paper_forms(round_, auth):
    measure, followup = round_
    auth.login("mb1")
    for grade in ("1", "3", "6"):
        answer_one(auth, measure, followup, grade=grade, comments="")
    snaps = list(FormSnapshot.select().where(FormSnapshot.measure == measure.id))
    assert sorted(json.loads(s.answers)["answers"]["overall_grade"] for s in snaps) == [1, 3, 6]
    assert all(s.followup_id == followup.id and s.customer_id is None for s in snaps)
    assert FollowUp.get_by_id(followup.id).status == "open"


def test_bad_answers_are_refused_next_to_the_field(round_, auth):
    measure, followup = round_
    auth.login("mb1")
    run_id = run_id_of(start(auth, measure, followup))
    response = auth.post(f"/formulare/{run_id}/schritt/aussagen", {**ANSWERS, "benefit": "5", "aktion": "weiter"})
    assert response.status_code == 422 and "Unbekannter Wert" in response.get_data(as_text=True)
    auth.post(f"/formulare/{run_id}/schritt/aussagen", {**ANSWERS, "aktion": "weiter"})
    for grade, message in (("7", "höchstens 6"), ("0", "mindestens 1"), ("2,5", "ganze Zahl"),
                           ("99999999999999999999", "zu groß")):
        bad = auth.post(f"/formulare/{run_id}/schritt/gesamt", {"overall_grade": grade, "aktion": "weiter"})
        assert bad.status_code == 422 and message in bad.get_data(as_text=True), grade
    too_long = auth.post(f"/formulare/{run_id}/schritt/gesamt", {"overall_grade": "2", "comments": "x" * 2001,
                                                                  "aktion": "weiter"})
    assert too_long.status_code == 422 and "höchstens 2000 Zeichen" in too_long.get_data(as_text=True)
    assert auth.post(f"/formulare/{run_id}/absenden").status_code == 422
    assert FormSnapshot.select().count() == 0


@pytest.mark.parametrize("username, status", [
    ("mb1", 302), ("mb2", 403), ("pap1", 403), ("tl1", 403), ("bl", 403), ("admin", 403),
])
def test_only_the_measures_mb_records_answers(round_, auth, username, status):
    measure, followup = round_
    auth.login(username)
    assert start(auth, measure, followup).status_code == status
