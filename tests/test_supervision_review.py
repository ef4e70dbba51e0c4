"""Fachaufsicht (RULES.md §7, Goslar 1.4.3): the list per team and month, the TL's focus and
reproducible sample, pre-filled criteria, feedback, sign-off and addenda, the BL's spot
checks, the printed PDF (also as a background job) and who may do what."""
import datetime
import hashlib
import io
import json
import re
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from absolvent.db import database
from absolvent.documents.models import BulkJob, IssuedDocument
from absolvent.guided_forms.models import FormDefinitionVersion, FormRun, FormSnapshot
from absolvent.models import Agreement, AuditLog, FollowUp, Note, PlacementProposal
from absolvent.supervision import review_print
from absolvent.supervision.models import SpotCheck, SupervisionAddendum, SupervisionCase, SupervisionReview
from absolvent.supervision.queries import am_started, supervision_rows
from absolvent.supervision.review_criteria import CRITERION_KEYS, suggest
from absolvent.supervision.review_operations import checksum, signed_payload, verify
from absolvent.supervision.review_sample import draw, sample_count
from tests.helpers import pdf_text

FORMS = Path(__file__).resolve().parent.parent / "forms"
DECEMBER = "2026-12"
LIST_URL = "/fachaufsicht/liste"
DRAW_URL = "/fachaufsicht/liste/stichprobe"
ALL_IO = {f"k_{key}": "io" for key in CRITERION_KEYS}


def relogin(auth, username):
    auth.logout()
    auth.login(username)


def q(query):
    with database.connection_context():
        return list(query)


def one(model, *where):
    with database.connection_context():
        return model.get(*where)


def issued():
    return q(IssuedDocument.select().where(IssuedDocument.document == "fachaufsicht-liste").order_by(IssuedDocument.id))


@pytest.fixture
def supervision_world(world, make):
    """Team A's December list: Fischer (FBW), Graf (AGH), Jäger (FBW, exit in December) are on it;
    Huber (MAG), Ibsen (exit in November), Keller (team B) and Albrecht (June) are not."""
    w = world
    december = dict(start=datetime.date(2026, 6, 1), end=datetime.date(2026, 12, 15))
    fbw = make.measure("FBW", title="Lager & Logistik <Nord>", **december)
    mag = make.measure("MAG", **december)
    for name, measure, kw in [("Fischer", fbw, {}), ("Graf", make.measure("AGH", **december), {}),
                              ("Huber", mag, {}), ("Ibsen", fbw, {"exit": datetime.date(2026, 11, 20)}),
                              ("Jäger", fbw, {"exit": datetime.date(2026, 12, 3)})]:
        c = make.customer(w["t1"], w["pap1"], last_name=name)
        w[name] = make.participation(c, measure, **kw)
    make.participation(make.customer(w["t2"], w["pap2"], last_name="Keller"), fbw)
    Note.create(customer=w["Fischer"].customer_id, participation=w["Fischer"], subject="Absolventenmanagement",
                author=w["pap1"], date=datetime.date(2026, 11, 1), kind="absolventenmanagement")
    return w


def draw_sample(auth, w, htmx=False, **form):
    data = {"monat": DECEMBER, "team": str(w["t1"].id), "art": "anteil", "umfang": "100", "ziehung": "neu"}
    data.update(form)
    return auth.post(DRAW_URL, data, htmx=htmx)


def review_of(w):
    return one(SupervisionReview, SupervisionReview.team == w["t1"].id)


def cases_of(review, sampled=None):
    query = SupervisionCase.select().where(SupervisionCase.review == review.id).order_by(SupervisionCase.id)
    return q(query if sampled is None else query.where(SupervisionCase.sampled == sampled))


# ------------------------------------------------------------------ the list

def test_supervision_rows_follow_rules(supervision_world, auth):
    auth.login("tl1")
    page = auth.get(f"{LIST_URL}?monat={DECEMBER}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in body
    for name in ("Fischer", "Graf", "Jäger"):
        assert name in body
    for name in ("Huber", "Ibsen", "Keller", "Albrecht"):
        assert name not in body
    frag = auth.get(f"{LIST_URL}?monat={DECEMBER}", htmx=True)
    assert "<html" not in frag.get_data(as_text=True) and "3 Fälle" in frag.get_data(as_text=True)


@pytest.fixture
def long_month(supervision_world, make):
    """Team A's December list with 60 cases: Fischer, Graf, Jäger and Zusatz00 … Zusatz56 (all end on 15.12.)."""
    w = supervision_world
    for n in range(57):
        make.participation(make.customer(w["t1"], w["pap1"], last_name=f"Zusatz{n:02d}"), w["Fischer"].measure)
    return w


def shown(body):
    """The customers' names in the list's table, in order."""
    return re.findall(r'<th scope="row"><a href="/teilnahmen/\d+">([^<,]+)', body)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_long_month_is_shown_50_rows_a_page(long_month, auth, htmx):
    """The page reads one page of the list; the numbers go on across the pages, as in the print."""
    auth.login("tl1")
    first = auth.get(f"{LIST_URL}?monat={DECEMBER}", htmx=htmx).get_data(as_text=True)
    assert ("<html" in first) != htmx and "60 Fälle im Dezember 2026." in first
    assert shown(first)[:4] == ["Fischer", "Graf", "Jäger", "Zusatz00"] and len(shown(first)) == 50
    assert "Seite 1 von 2" in first and "seite=2" in first and "Als Excel-Datei herunterladen" in first
    second = auth.get(f"{LIST_URL}?monat={DECEMBER}&seite=2", htmx=htmx).get_data(as_text=True)
    assert shown(second) == [f"Zusatz{n}" for n in range(47, 57)]
    assert "<td>51</td>" in second and "<td>60</td>" in second and "<td>50</td>" not in second
    gone = auth.get(f"{LIST_URL}?monat={DECEMBER}&seite=7", htmx=htmx)
    assert gone.status_code == 200 and shown(gone.get_data(as_text=True)) == []
    assert "zur ersten Seite" in gone.get_data(as_text=True)


def test_a_drawn_month_shows_the_sample_first_and_all_cases_on_request(long_month, auth):
    w = long_month
    auth.login("tl1")
    assert draw_sample(auth, w, umfang="10").status_code == 302  # 10 % of 60
    sampled = {c.participation.customer.last_name for c in cases_of(review_of(w), sampled=True)}
    page = auth.get(f"{LIST_URL}?monat={DECEMBER}").get_data(as_text=True)
    assert "60 Fälle im Dezember 2026, davon 6 in der Stichprobe." in page
    assert set(shown(page)) == sampled and page.count(">Prüfen<") == 6 and "Nr.</th>" not in page
    assert 'aria-current="page">Stichprobe (6)</a>' in page and "anzeige=alle" in page
    every = auth.get(f"{LIST_URL}?monat={DECEMBER}&anzeige=alle").get_data(as_text=True)
    assert 'aria-current="page">Alle Fälle (60)</a>' in every and len(shown(every)) == 50
    second = auth.get(f"{LIST_URL}?monat={DECEMBER}&anzeige=alle&seite=2").get_data(as_text=True)
    assert shown(every) + shown(second) == ["Fischer", "Graf", "Jäger", *(f"Zusatz{n:02d}" for n in range(57))]
    assert every.count(">Prüfen<") + second.count(">Prüfen<") == 6
    assert "Noch nicht vollständig bewertet: 6 Fälle der Stichprobe." in page  # pre-filled, not every criterion
    assert auth.get(f"{LIST_URL}?monat={DECEMBER}&anzeige=%3Cx%3E").status_code == 200


def test_the_excel_file_and_the_print_have_every_case_of_a_paged_month(long_month, auth):
    from openpyxl import load_workbook

    from absolvent.supervision.operations import list_length
    w = long_month
    auth.login("tl1")
    expected = ["Fischer", "Graf", "Jäger", *(f"Zusatz{n:02d}" for n in range(57))]
    for drawn in (False, True):
        if drawn:
            draw_sample(auth, w, umfang="10")
        export = auth.get(f"{LIST_URL}/export.xlsx?monat={DECEMBER}&team={w['t1'].id}")
        ws = load_workbook(io.BytesIO(export.data)).active
        assert [row[1].value.split(",")[0] for row in ws.iter_rows(min_row=4)] == expected
        assert [row[9].value for row in ws.iter_rows(min_row=4)].count("ja") == (6 if drawn else 0)
        with database.connection_context():
            assert list_length(w["t1"], datetime.date(2026, 12, 1)) == 60


def test_changes_since_the_draw_are_counted(supervision_world, auth, make):
    from absolvent.models import Participation
    w = supervision_world
    auth.login("tl1")
    draw_sample(auth, w)
    assert "seit der Ziehung geändert" not in auth.get(f"{LIST_URL}?monat={DECEMBER}").get_data(as_text=True)
    make.participation(make.customer(w["t1"], w["pap1"], last_name="Neuling"), w["Fischer"].measure)
    make.participation(make.customer(w["t1"], w["pap1"], last_name="Nachzügler"), w["Fischer"].measure)
    Participation.update(planned_end=datetime.date(2027, 1, 15)).where(Participation.id == w["Graf"].id).execute()
    page = auth.get(f"{LIST_URL}?monat={DECEMBER}").get_data(as_text=True)
    assert "Die Liste hat sich seit der Ziehung geändert: 2 neu, 1 nicht mehr dabei." in page
    assert "3 Fälle" in page  # the stored cases until the TL takes the changes over
    draw_sample(auth, w, ziehung="gleich")
    page = auth.get(f"{LIST_URL}?monat={DECEMBER}&anzeige=alle").get_data(as_text=True)
    assert "4 Fälle" in page and "seit der Ziehung geändert" not in page and "Graf" not in page


def test_month_boundaries(world, make):
    """Planned end on the month's last day is in, on the next month's first day out; an exit
    before the month takes the case out, an exit on the month's first day keeps it."""
    t1, pap = world["t1"], world["pap1"]
    measure = make.measure("MAT", start=datetime.date(2026, 9, 1), end=datetime.date(2026, 12, 31))
    cases = {
        "last-day": dict(planned_end=datetime.date(2026, 12, 31)),
        "first-day": dict(planned_end=datetime.date(2026, 12, 1)),
        "next-month": dict(planned_end=datetime.date(2027, 1, 1)),
        "previous-month": dict(planned_end=datetime.date(2026, 11, 30)),
        "exit-before": dict(planned_end=datetime.date(2026, 12, 20), exit=datetime.date(2026, 11, 30)),
        "exit-on-first": dict(planned_end=datetime.date(2026, 12, 20), exit=datetime.date(2026, 12, 1)),
    }
    made = {key: make.participation(make.customer(t1, pap, last_name=key), measure, **kw) for key, kw in cases.items()}
    rows = {p.id for p in supervision_rows(t1, datetime.date(2026, 12, 1))}
    assert rows == {made[k].id for k in ("last-day", "first-day", "exit-on-first")}
    assert made["next-month"].id in {p.id for p in supervision_rows(t1, datetime.date(2027, 1, 1))}


def test_am_started_column_from_follow_ups(world):
    p = world["p1"]
    assert am_started(p) == ""
    f = FollowUp.create(participation=p, step_id="am-beginn", title="AM beginnen", role="pAp", phase="ende",
                        due=datetime.date(2026, 3, 31))
    assert am_started(p, today=datetime.date(2026, 3, 31)) == ""
    assert am_started(p, today=datetime.date(2026, 4, 1)) == "nein"
    FollowUp.update(status="done").where(FollowUp.id == f.id).execute()
    assert am_started(p, today=datetime.date(2026, 4, 1)) == "ja"


# ------------------------------------------------------------------ sample

@pytest.mark.parametrize("population, size, share, expected", [
    (10, None, 10, 1), (15, None, 10, 2), (14, None, 10, 1), (25, None, 10, 3), (3, None, 10, 1),
    (0, None, 50, 0), (7, None, 100, 7), (5, 10, None, 5), (40, 4, None, 4), (4, None, None, 0)])
def test_sample_count_rounds_half_up_at_least_one(population, size, share, expected):
    assert sample_count(population, size, share) == expected


def test_draw_is_reproducible_and_seed_dependent():
    ids = list(range(100, 140))
    first = draw(ids, 5, "a1b2c3")
    assert len(first) == 5 and first <= set(ids)
    assert draw(list(reversed(ids)), 5, "a1b2c3") == first  # order of the list does not matter
    assert draw(ids, 5, "ffff0000") != first
    assert len(first & draw(ids + [999], 5, "a1b2c3")) >= 4  # a case added later displaces at most one


def test_draw_same_seed_same_cases_new_seed_new_draw(supervision_world, auth, make):
    w = supervision_world
    for n in range(12):  # a list long enough that two seeds differ
        make.participation(make.customer(w["t1"], w["pap1"], last_name=f"Zusatz{n}"), w["Fischer"].measure)
    auth.login("tl1")
    response = draw_sample(auth, w, umfang="20")
    assert response.status_code == 302
    review = review_of(w)
    first = {c.participation_id for c in cases_of(review, sampled=True)}
    assert len(first) == 3 and len(cases_of(review)) == 15  # 20 % of 15 = 3; every row stored
    assert draw_sample(auth, w, umfang="20", ziehung="gleich").status_code == 302
    again = review_of(w)
    assert again.seed == review.seed and {c.participation_id for c in cases_of(again, True)} == first
    seeds = set()
    for _ in range(3):
        draw_sample(auth, w, umfang="20")
        seeds.add(review_of(w).seed)
    assert review.seed not in seeds and len(seeds) == 3


def test_focus_limits_the_sample(supervision_world, auth):
    w = supervision_world
    auth.login("tl1")
    response = draw_sample(auth, w, typ="AGH", art="anzahl", umfang="5")
    assert response.status_code == 302
    review = review_of(w)
    assert review.focus_types == "AGH" and review.sample_size == 5 and review.sample_share is None
    assert {c.participation_id for c in cases_of(review, True)} == {w["Graf"].id}
    draw_sample(auth, w, pap=str(w["pap2"].id))
    assert review_of(w).focus_types == "AGH"  # refused: pap2 is no pAp of this team
    draw_sample(auth, w, pap=str(w["pap1"].id))
    assert len(cases_of(review_of(w), True)) == 3


@pytest.mark.parametrize("form, field, message", [
    ({"art": ""}, "art", "Bitte die Art der Stichprobe auswählen."),
    ({"umfang": ""}, "umfang", "Bitte den Umfang der Stichprobe angeben"),
    ({"umfang": "101"}, "umfang", "Der Umfang darf höchstens 100 sein."),
    ({"umfang": "0"}, "umfang", "Der Umfang muss mindestens 1 sein."),
    ({"umfang": "²"}, "umfang", "Der Umfang muss eine ganze Zahl sein."),
    ({"typ": "MAG"}, "typ", "Unbekannte Maßnahmeart im Schwerpunkt."),
    ({"pap": "x"}, "pap", "Unbekannte Auswahl für den pAp-Schwerpunkt."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_draw_form_errors_next_to_the_field(supervision_world, auth, form, field, message, htmx):
    auth.login("tl1")
    response = draw_sample(auth, supervision_world, htmx=htmx, **form)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and f'id="e-{field}"' in body
    assert ("<html" in body) != htmx
    assert SupervisionReview.select().count() == 0


def test_draw_htmx_swaps_the_list(supervision_world, auth):
    auth.login("tl1")
    response = draw_sample(auth, supervision_world, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="supervision-rows"' in body
    assert "Die Stichprobe wurde gezogen" in body and "davon 3 in der Stichprobe" in body


# ------------------------------------------------------------------ criteria pre-filled from the case

@pytest.fixture
def case(world, make):
    """An FBW participation (01.02.–15.12.2026) of pap1's customer, checked on 20.11.2026."""
    measure = make.measure("FBW", start=datetime.date(2026, 2, 1), end=datetime.date(2026, 12, 15))
    return make.participation(make.customer(world["t1"], world["pap1"], last_name="Prüfling"), measure)


TODAY = datetime.date(2026, 11, 20)


def step(p, step_id, due, phase="ende", form="", status="open", done_at=None):
    return FollowUp.create(participation=p, step_id=step_id, title=step_id, role="pAp", phase=phase, form=form,
                           due=due, status=status, done_at=done_at)


def ratings(p, today=TODAY):
    return {key: rating for key, (rating, _) in suggest([p], today)[p.id].items()}


def test_prefill_without_any_record(case):
    r = ratings(case)
    assert r == {"am_started": "", "agreement": "nio", "contact": "nio", "evaluation": "entfaellt", "report": "",
                 "followup": "nio", "proposal": "nio"}


def test_prefill_everything_in_order(case, world):
    pap = world["pap1"]
    step(case, "am-beginn", datetime.date(2026, 11, 10), status="done", done_at=datetime.datetime(2026, 11, 9, 10))
    step(case, "auswertung", datetime.date(2026, 12, 30), phase="nach", form="auswertungsgespraech")
    Agreement.create(participation=case, customer=case.customer_id, kind="KP", concluded_on=datetime.date(2026, 11, 1),
                     review_date=datetime.date(2027, 5, 1), goal="Ziel", steps="Schritte", author=pap)
    Note.create(customer=case.customer_id, participation=case, subject="Kontakt", author=pap,
                date=datetime.date(2026, 8, 3), kind="kontakt", channel="telefonisch", qualified=True)
    PlacementProposal.create(customer=case.customer_id, participation=case, proposal_date=datetime.date(2026, 10, 1),
                             employer="Firma", job_title="Lagerist", job_kind="arbeit", sv_pflichtig=True, author=pap)
    r = ratings(case)
    assert r["am_started"] == "io" and r["agreement"] == "io" and r["contact"] == "io"
    assert r["evaluation"] == "" and r["followup"] == "io" and r["proposal"] == "io"  # evaluation not yet due


def test_prefill_missed_and_late_steps_count_as_not_done(case, world):
    step(case, "am-beginn", datetime.date(2026, 11, 10))  # overdue
    assert ratings(case)["am_started"] == "nio"
    late = datetime.date(2027, 1, 20)
    # after the end: the end-phase step done late, the evaluation missed (aftercare over), then done late
    FollowUp.update(status="done", done_at=datetime.datetime(2026, 11, 12, 9)).where(
        FollowUp.step_id == "am-beginn").execute()
    assert ratings(case)["am_started"] == "nio"
    ev = step(case, "auswertung", datetime.date(2026, 12, 30), phase="nach", form="auswertungsgespraech")
    assert ratings(case, today=datetime.date(2027, 7, 1))["evaluation"] == "nio"  # versäumt
    text = suggest([case], datetime.date(2027, 7, 1))[case.id]["evaluation"][1]
    assert "versäumt" in text
    FollowUp.update(status="done", done_at=datetime.datetime.combine(late, datetime.time())).where(
        FollowUp.id == ev.id).execute()
    assert ratings(case, today=datetime.date(2027, 7, 1))["evaluation"] == "nio"  # done late
    FollowUp.update(done_at=datetime.datetime(2026, 12, 29, 8)).where(FollowUp.id == ev.id).execute()
    assert ratings(case, today=datetime.date(2027, 7, 1))["evaluation"] == "io"
    FollowUp.update(status="cancelled").where(FollowUp.id == ev.id).execute()
    assert ratings(case)["evaluation"] == "entfaellt"  # cancelled by a re-plan: no evaluation planned


def test_prefill_agreement_contact_and_proposal_windows(case, world):
    pap = world["pap1"]
    Agreement.create(participation=case, customer=case.customer_id, kind="EV", concluded_on=datetime.date(2026, 3, 1),
                     valid_until=datetime.date(2026, 12, 14), goal="Ziel", steps="Schritte", author=pap)
    Note.create(customer=case.customer_id, subject="Vermerk", author=pap, date=datetime.date(2026, 8, 3))
    Note.create(customer=case.customer_id, subject="Kontakt", author=pap, date=datetime.date(2026, 1, 20),
                kind="kontakt")  # before the entry
    PlacementProposal.create(customer=case.customer_id, proposal_date=datetime.date(2026, 9, 15), employer="F",
                             job_title="J", job_kind="arbeit", sv_pflichtig=True, author=pap)  # 91 days before end
    r = ratings(case)
    assert r["agreement"] == "nio" and r["contact"] == "nio" and r["proposal"] == "nio"
    Agreement.create(participation=case, customer=case.customer_id, kind="EV", concluded_on=datetime.date(2026, 11, 2),
                     valid_until=None, goal="Ziel", steps="Schritte", author=pap)  # Fortschreibung, open-ended
    assert ratings(case)["agreement"] == "io"


@pytest.mark.parametrize("answer, expected", [(True, "io"), (False, "nio"), (None, "")])
def test_prefill_report_from_the_evaluation_snapshot(case, world, answer, expected):
    pap = world["pap1"]
    definition = FormDefinitionVersion.create(form_id="auswertungsgespraech", version="1", sha256="x" * 64, source="")
    run = FormRun.create(definition=definition, form_id="auswertungsgespraech", customer=case.customer_id,
                         participation=case, user=pap, status="submitted")
    answers = {} if answer is None else {"provider_report_evaluated": answer}
    FormSnapshot.create(run=run, form_id="auswertungsgespraech", title="Auswertungsgespräch", definition=definition,
                        customer=case.customer_id, participation=case, answers=json.dumps({"answers": answers}),
                        sha256="y" * 64, submitted_by=pap)
    assert ratings(case)["report"] == expected


# ------------------------------------------------------------------ checking a case, feedback

@pytest.fixture
def drawn(supervision_world, auth):
    """tl1 logged in, the whole December list of team A sampled (100 %)."""
    auth.login("tl1")
    assert draw_sample(auth, supervision_world).status_code == 302
    review = review_of(supervision_world)
    return supervision_world, review, cases_of(review, sampled=True)


def case_url(c):
    return f"/fachaufsicht/fall/{c.id}"


def check(auth, c, htmx=False, **form):
    version = one(SupervisionCase, SupervisionCase.id == c.id).version
    data = {**ALL_IO, "befund": "", "rueckmeldung": "", "version": str(version)}
    data.update(form)
    return auth.post(case_url(c), data, htmx=htmx)


def test_case_page_full_and_fragment_with_suggestions(drawn, auth):
    w, review, cases = drawn
    full = auth.get(case_url(cases[0]))
    body = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in body and "Aus den Falldaten" in body
    for label in ("AM rechtzeitig eingeleitet", "Vereinbarung zum Ende aktuell", "Kontakt während der Maßnahme",
                  "Auswertungsgespräch fristgerecht", "Bericht/LuV ausgewertet", "Wiedervorlage gesetzt",
                  "VV unterbreitet"):
        assert label in body
    frag = auth.get(case_url(cases[0]), htmx=True)
    assert "<html" not in frag.get_data(as_text=True) and 'id="case-check"' in frag.get_data(as_text=True)
    stored = json.loads(cases[0].ratings)
    assert stored.get("agreement") == "nio"  # pre-filled at the draw: no agreement recorded


def test_check_case_ratings_finding_and_not_ok_needs_a_finding(drawn, auth):
    w, review, cases = drawn
    c = cases[0]
    bad = check(auth, c, k_contact="nio")
    assert bad.status_code == 422 and "Bitte die Feststellung" in bad.get_data(as_text=True)
    ok = check(auth, c, k_contact="nio", befund="Kein Kontakt seit Mai.", htmx=True)
    assert ok.status_code == 200 and "Die Prüfung des Falls wurde gespeichert" in ok.get_data(as_text=True)
    saved = one(SupervisionCase, SupervisionCase.id == c.id)
    assert json.loads(saved.ratings)["contact"] == "nio" and saved.finding == "Kein Kontakt seit Mai."
    assert saved.checked_by_id == w["tl1"].id and saved.checked_at is not None
    stale = auth.post(case_url(c), {**ALL_IO, "version": "1"})
    assert stale.status_code == 422 and "inzwischen" in stale.get_data(as_text=True)


def test_feedback_gives_the_pap_a_followup(drawn, auth):
    w, review, cases = drawn
    c = cases[0]
    due = (datetime.date.today() + datetime.timedelta(days=5)).strftime("%d.%m.%Y")
    past = check(auth, c, rueckmeldung="einzelgespraech", termin="01.01.2020")
    assert past.status_code == 422 and "Vergangenheit" in past.get_data(as_text=True)
    response = check(auth, c, rueckmeldung="einzelgespraech", termin=due)
    assert response.status_code == 302
    saved = one(SupervisionCase, SupervisionCase.id == c.id)
    f = one(FollowUp, FollowUp.id == saved.followup_id)
    assert saved.feedback == "einzelgespraech"
    assert (f.title, f.role, f.participation_id, f.status) == ("Fachaufsicht: Einzelfallbesprechung", "pAp",
                                                              c.participation_id, "open")
    assert f.due.strftime("%d.%m.%Y") == due and f.is_manual
    check(auth, c, rueckmeldung="einzelgespraech", termin=due)  # saved again: still one follow-up
    assert FollowUp.select().where(FollowUp.title == "Fachaufsicht: Einzelfallbesprechung").count() == 1
    refused = check(auth, c, rueckmeldung="team")
    assert refused.status_code == 422 and "bleibt bestehen" in refused.get_data(as_text=True)
    relogin(auth, "pap1")
    worklist = auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)
    assert "Fachaufsicht: Einzelfallbesprechung" in worklist


def test_team_feedback(drawn, auth):
    w, review, cases = drawn
    response = auth.post(f"/fachaufsicht/pruefung/{review.id}/team",
                         {"team_findings": "Fortschreibungen rechtzeitig!", "version": str(review.version)}, htmx=True)
    assert response.status_code == 200 and "Fortschreibungen rechtzeitig!" in response.get_data(as_text=True)
    assert review_of(w).team_findings == "Fortschreibungen rechtzeitig!"


# ------------------------------------------------------------------ sign-off

def sign(auth, review, htmx=False, **form):
    data = {"bestaetigt": "ja", "version": str(review_of_id(review.id).version)}
    data.update(form)
    return auth.post(f"/fachaufsicht/pruefung/{review.id}/abzeichnen", data, htmx=htmx)


def review_of_id(review_id):
    return one(SupervisionReview, SupervisionReview.id == review_id)


@pytest.fixture
def signed(drawn, auth):
    w, review, cases = drawn
    for c in cases:
        assert check(auth, c, k_proposal="nio" if c.participation_id == w["Graf"].id else "io",
                     befund="Kein VV." if c.participation_id == w["Graf"].id else "").status_code == 302
    assert sign(auth, review).status_code == 302
    return w, review_of_id(review.id), cases


def test_sign_off_needs_confirmation_and_every_case_rated(drawn, auth):
    w, review, cases = drawn
    check(auth, cases[0])
    response = sign(auth, review)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Noch nicht alle Punkte bewertet (2 Fälle)" in body
    for c in cases[1:]:
        check(auth, c)
    response = sign(auth, review, bestaetigt="", htmx=True)
    assert response.status_code == 422 and "Bitte bestätigen Sie" in response.get_data(as_text=True)
    assert not review_of_id(review.id).signed


def test_sign_off_stores_who_when_and_the_checksum(signed, auth):
    w, review, cases = signed
    assert review.signed_by_id == w["tl1"].id and review.signed_at is not None
    stored = q(SupervisionCase.select().where(SupervisionCase.review == review.id))
    payload = signed_payload(review, stored)
    assert review.signed_sha256 == hashlib.sha256(payload.encode()).hexdigest() == checksum(review, stored)
    data = json.loads(payload)
    assert data["signed_by"] == w["tl1"].id and {c["participation"] for c in data["cases"]} == {
        w["Fischer"].id, w["Graf"].id, w["Jäger"].id}
    assert [c["finding"] for c in data["cases"] if c["participation"] == w["Graf"].id] == ["Kein VV."]
    with database.connection_context():
        assert verify(review)
        assert AuditLog.select().where(AuditLog.action == "sign", AuditLog.entity == "supervision-review").count() == 1
    page = auth.get(f"{LIST_URL}?monat={DECEMBER}").get_data(as_text=True)
    assert review.signed_sha256 in page and "stimmt mit den gespeicherten Angaben überein" in page
    SupervisionCase.update(finding="nachträglich geändert").where(SupervisionCase.review == review.id).execute()
    page = auth.get(f"{LIST_URL}?monat={DECEMBER}").get_data(as_text=True)
    assert "weicht von den gespeicherten Angaben ab" in page


def test_after_sign_off_every_write_is_refused(signed, auth):
    w, review, cases = signed
    message = "ist abgezeichnet und kann nicht mehr geändert werden"
    before = (review.seed, review.version, [c.ratings for c in cases_of(review)])
    for response in (draw_sample(auth, w), draw_sample(auth, w, ziehung="gleich", htmx=True),
                     check(auth, cases[0], k_contact="entfaellt"), check(auth, cases[0], htmx=True),
                     auth.post(f"/fachaufsicht/pruefung/{review.id}/team", {"team_findings": "x", "version": "9"}),
                     sign(auth, review)):
        assert response.status_code == 409 and message in response.get_data(as_text=True)
    after = review_of_id(review.id)
    assert (after.seed, after.version, [c.ratings for c in cases_of(after)]) == before
    assert after.team_findings == "" and verify_now(after)


def verify_now(review):
    with database.connection_context():
        return verify(review)


def test_addendum_after_sign_off_only(drawn, auth):
    w, review, cases = drawn
    early = auth.post(f"/fachaufsicht/pruefung/{review.id}/nachtrag", {"nachtrag": "zu früh"})
    assert early.status_code == 422 and "Nachträge gibt es danach" in early.get_data(as_text=True)
    for c in cases:
        check(auth, c)
    sign(auth, review)
    empty = auth.post(f"/fachaufsicht/pruefung/{review.id}/nachtrag", {"nachtrag": ""}, htmx=True)
    assert empty.status_code == 422 and "Bitte den Text des Nachtrags angeben." in empty.get_data(as_text=True)
    ok = auth.post(f"/fachaufsicht/pruefung/{review.id}/nachtrag", {"nachtrag": "Fall Graf: VV am 02.12. nachgeholt."},
                   htmx=True)
    assert ok.status_code == 200 and "VV am 02.12. nachgeholt" in ok.get_data(as_text=True)
    [addendum] = q(SupervisionAddendum.select())
    assert addendum.author_id == w["tl1"].id and addendum.created_at.date() == datetime.date.today()
    assert verify_now(review_of_id(review.id))  # addenda are not part of what was signed


def test_signed_month_shows_the_stored_cases_not_a_fresh_query(signed, auth, make):
    w, review, cases = signed
    from absolvent.models import Participation
    Participation.update(planned_end=datetime.date(2027, 1, 15)).where(Participation.id == w["Graf"].id).execute()
    make.participation(make.customer(w["t1"], w["pap1"], last_name="Neuling"), w["Fischer"].measure)
    body = auth.get(f"{LIST_URL}?monat={DECEMBER}").get_data(as_text=True)
    assert "Graf" in body and "Neuling" not in body and "3 Fälle" in body


# ------------------------------------------------------------------ the BL's spot check

def test_bl_lists_signed_reviews_and_spot_checks(signed, auth):
    w, review, cases = signed
    relogin(auth, "bl")
    page = auth.get(LIST_URL).get_data(as_text=True)
    assert "Abgezeichnete Listen aller Teams" in page and "Team A" in page and "noch nicht geprüft" in page
    url = f"/fachaufsicht/pruefung/{review.id}/stichprobenkontrolle"
    missing = auth.post(url, {"ok": "nein"}, htmx=True)
    assert missing.status_code == 422 and "Bitte die Beanstandung angeben." in missing.get_data(as_text=True)
    assert auth.post(url, {"ok": "nein", "bemerkung": "Fall Graf: VV fehlt weiter."}).status_code == 302
    assert auth.post(url, {"ok": "ja"}).status_code == 302
    checks = q(SpotCheck.select().order_by(SpotCheck.id))
    assert [(c.ok, c.user_id) for c in checks] == [(False, w["bl"].id), (True, w["bl"].id)]
    page = auth.get(LIST_URL).get_data(as_text=True)
    assert "2× geprüft" in page and "1× beanstandet" in page
    assert sign(auth, review).status_code == 403  # the BL never signs for a TL
    assert verify_now(review_of_id(review.id))


def test_spot_check_needs_a_signed_review(drawn, auth):
    w, review, cases = drawn
    relogin(auth, "bl")
    response = auth.post(f"/fachaufsicht/pruefung/{review.id}/stichprobenkontrolle", {"ok": "ja"})
    assert response.status_code == 422 and "Nur abgezeichnete Listen" in response.get_data(as_text=True)


# ------------------------------------------------------------------ the printed list

def test_supervision_pdf_landscape_archived(supervision_world, auth):
    w = supervision_world
    auth.login("tl1")
    response = auth.post(LIST_URL, {"monat": DECEMBER, "team": str(w["t1"].id)})
    assert response.status_code == 302
    [doc] = issued()
    assert doc.participation_id is None and doc.team_id == w["t1"].id and "2026-12" in doc.subject
    box = PdfReader(io.BytesIO(doc.data)).pages[0].mediabox
    assert box.width > box.height
    text = " ".join(pdf_text(doc.data).split())
    for expected in ("Fischer", "Graf", "Jäger", "Handzeichen", "Dezember 2026", "Tl1", "Stichprobenartige Prüfung"):
        assert expected in text
    assert "Huber" not in text and "Keller" not in text
    assert doc.sha256 == hashlib.sha256(doc.data).hexdigest()
    assert auth.get(f"/dokumente/{doc.id}/datei").data == doc.data
    auth.post(LIST_URL, {"monat": DECEMBER, "team": str(w["t1"].id)})
    assert [d.number for d in issued()] == [1, 2]


def test_pdf_marks_the_sample_and_the_sign_off(signed, auth, make):
    w, review, cases = signed
    c = make.customer(w["t1"], w["pap1"], last_name="O'Brien & <Söhne>")
    make.participation(c, w["Fischer"].measure)  # after the sign-off: not on the signed list
    relogin(auth, "bl")
    auth.post(f"/fachaufsicht/pruefung/{review.id}/stichprobenkontrolle", {"ok": "ja"})
    assert auth.post(LIST_URL, {"monat": DECEMBER, "team": str(w["t1"].id)}).status_code == 302
    [doc] = issued()
    text = " ".join(pdf_text(doc.data).split())
    assert "davon 3 in der Stichprobe" in text and "Handzeichen TL" in text and "Datum" in text
    assert text.count(" ja ") >= 3  # the Stichprobe column says so in words, not only in bold
    assert "Tl1, digital abgezeichnet am" in text and review.signed_sha256 in text
    assert "Bereichsleitung Bl am" in text and "ohne Beanstandung" in text
    assert "Kein VV." in text and "n.i.O.: VV unterbreitet" in text
    assert "O'Brien" not in text


def test_pdf_escapes_and_wraps_long_values(supervision_world, auth, make):
    w = supervision_world
    c = make.customer(w["t1"], w["pap1"], last_name="O'Brien & <Söhne> von Lüdenscheidt-Hohenzollern",
                      first_name="Anna\tMaria")
    make.participation(c, w["Fischer"].measure)
    auth.login("tl1")
    auth.post(LIST_URL, {"monat": DECEMBER, "team": str(w["t1"].id)})
    [doc] = issued()
    text = " ".join(pdf_text(doc.data).split())
    assert "O'Brien & <Söhne>" in text and "Anna Maria" in text


def test_sample_follows_the_columns():
    """forms/fachaufsicht-liste/sample.json: the current column widths and one numbered row per case."""
    sample = json.loads((FORMS / "fachaufsicht-liste" / "sample.json").read_text(encoding="utf-8"))
    assert [c["width"] for c in sample["columns"]] == review_print.column_widths()
    assert sample["grid"][:len(sample["columns"])] == review_print.grid_lines()
    assert [row["number"] for row in sample["rows"]] == list(range(1, len(sample["rows"]) + 1))
    assert all("line" not in row for row in sample["rows"])


def test_long_list_is_printed_in_a_background_job(supervision_world, auth, app):
    app.config.update(SUPERVISION_PRINT_ASYNC_ROWS=2, BULK_SYNC=True)
    w = supervision_world
    auth.login("tl1")
    response = auth.post(LIST_URL, {"monat": DECEMBER, "team": str(w["t1"].id)})
    assert response.status_code == 302 and "/fachaufsicht/druckauftrag/" in response.headers["Location"]
    page = auth.get(response.headers["Location"]).get_data(as_text=True)
    [doc] = issued()
    assert "Fertig." in page and f"/dokumente/{doc.id}/datei" in page and "3 von 3 Schritten" in page
    frag = auth.get(response.headers["Location"], htmx=True).get_data(as_text=True)
    assert "<html" not in frag and 'id="print-progress"' in frag and "every 1s" not in frag
    relogin(auth, "bl")
    assert auth.get(response.headers["Location"]).status_code == 403  # someone else's job


def test_background_job_runs_in_a_thread(supervision_world, auth, app):
    app.config.update(SUPERVISION_PRINT_ASYNC_ROWS=2, BULK_SYNC=False)
    w = supervision_world
    auth.login("tl1")
    response = auth.post(LIST_URL, {"monat": DECEMBER, "team": str(w["t1"].id)}, htmx=True)
    assert response.status_code == 204
    url = response.headers["HX-Redirect"]
    for _ in range(240):
        body = auth.get(url, htmx=True).get_data(as_text=True)
        if "every 1s" not in body:
            break
        time.sleep(0.25)
    assert "Fertig." in body, body
    assert len(issued()) == 1
    with database.connection_context():
        assert BulkJob.get().status == "done"


# ------------------------------------------------------------------ who may do what

@pytest.mark.parametrize("user, status", [("tl1", 200), ("bl", 200), ("dqm1", 200), ("pap1", 403), ("mb1", 403),
                                          ("admin", 403), ("bov1", 403)])
def test_supervision_permissions(supervision_world, auth, user, status):
    w = supervision_world
    auth.login(user)
    assert auth.get(f"{LIST_URL}?monat={DECEMBER}&team={w['t1'].id}").status_code == status


def test_supervision_other_team_and_download(supervision_world, auth, make):
    w = supervision_world
    auth.login("tl1")
    assert auth.get(f"{LIST_URL}?monat={DECEMBER}&team={w['t2'].id}").status_code == 403
    relogin(auth, "dqm1")
    assert auth.get(f"{LIST_URL}?monat={DECEMBER}&team={w['t2'].id}").status_code == 403
    relogin(auth, "bl")
    assert auth.get(f"{LIST_URL}?monat={DECEMBER}").status_code == 200  # asks for a team
    bad = auth.post(LIST_URL, {"monat": "Dezember", "team": str(w["t2"].id)})
    assert bad.status_code == 422 and "JJJJ-MM" in bad.get_data(as_text=True)
    auth.post(LIST_URL, {"monat": DECEMBER, "team": str(w["t2"].id)})
    [doc] = issued()
    assert "Keller" in pdf_text(doc.data)
    relogin(auth, "tl1")
    assert auth.get(f"/dokumente/{doc.id}/datei").status_code == 403
    relogin(auth, "pap2")
    assert auth.get(f"/dokumente/{doc.id}/datei").status_code == 403


def test_only_the_teams_tl_writes(drawn, auth, make):
    w, review, cases = drawn
    tl2 = make.user("tl2", "TL", w["t2"])
    assert tl2
    for user in ("bl", "dqm1", "tl2"):
        relogin(auth, user)
        assert draw_sample(auth, w).status_code == 403
        assert check(auth, cases[0]).status_code == 403
        assert sign(auth, review).status_code == 403
        assert auth.post(f"/fachaufsicht/pruefung/{review.id}/team", {"team_findings": "x"}).status_code == 403
        assert auth.post(f"/fachaufsicht/pruefung/{review.id}/nachtrag", {"nachtrag": "x"}).status_code == 403
    relogin(auth, "dqm1")
    assert auth.get(case_url(cases[0])).status_code == 200  # reads
    assert auth.post(LIST_URL, {"monat": DECEMBER, "team": str(w["t1"].id)}).status_code == 403  # no print
    relogin(auth, "tl2")
    assert auth.get(case_url(cases[0])).status_code == 403
    relogin(auth, "tl1")
    assert auth.post(f"/fachaufsicht/pruefung/{review.id}/stichprobenkontrolle", {"ok": "ja"}).status_code == 403
    relogin(auth, "pap1")
    assert auth.get(case_url(cases[0])).status_code == 403
    assert review_of(w).version == review.version


def test_reads_are_audited(drawn, auth):
    w, review, cases = drawn
    auth.get(f"{LIST_URL}?monat={DECEMBER}")
    auth.get(case_url(cases[0]))
    with database.connection_context():
        entities = {(a.action, a.entity) for a in AuditLog.select()}
    assert {("read", "supervision-list"), ("read", "supervision-case"), ("create", "supervision-review")} <= entities



HOSTILE = ["99999999999999999999999", str(2**63), "²", "-1", "", "<script>", "A" * 300, "２", "1e400"]


@pytest.mark.parametrize("who", ["tl1", "bl", "dqm1"])
def test_hostile_values_never_give_a_5xx(drawn, auth, who):
    w, review, cases = drawn
    relogin(auth, who)
    urls = [LIST_URL, DRAW_URL, case_url(cases[0]), f"/fachaufsicht/pruefung/{review.id}/team",
            f"/fachaufsicht/pruefung/{review.id}/abzeichnen", f"/fachaufsicht/pruefung/{review.id}/nachtrag",
            f"/fachaufsicht/pruefung/{review.id}/stichprobenkontrolle"]
    names = ["monat", "team", "typ", "pap", "art", "umfang", "ziehung", "version", "befund", "rueckmeldung",
             "termin", "team_findings", "bestaetigt", "nachtrag", "ok", "bemerkung", *ALL_IO]
    for value in HOSTILE:
        form = {name: value for name in names}
        for url in urls:
            assert auth.get(url, query_string=form).status_code < 500, (url, value)
            assert auth.get(url, query_string=form, htmx=True).status_code < 500, (url, value)
            assert auth.post(url, form).status_code < 500, (url, value)
