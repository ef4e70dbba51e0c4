"""Accessibility in a real browser: every page of every role, checked with axe-core.

Playwright drives Debian's chromium (never a downloaded browser). axe-core comes from
the npm registry (package-lock.json, ``make install``) and is served to the page from
the app's own origin by a Playwright route, so the app's Content-Security-Policy stays
as strict as in production and no file is loaded from elsewhere. A page may have no
serious or critical violation.

The pages are the app's own GET routes (``app.url_map``), with the ids of a small
world filled in: a new page is checked without touching this file, and a page whose
ids the world cannot fill must be named in NOT_WALKED (with the reason).
"""
import datetime
import re
from pathlib import Path

import pytest

from absolvent.db import database
from tests.test_browser import CHROMIUM, live_server, login, page  # noqa: F401, F811 (fixtures)

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed"),
              pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (make install)"),
              # the live server's static files: a page left before its favicon arrived leaves the file to the GC
              pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

USERS = ("pap1", "mb1", "tl1", "bl", "dqm1", "bov1", "admin", "ds")
# GET routes that are no page of their own (files, feeds, fragments polled by a job) or need a
# record this walk does not make: endpoint -> why
NOT_WALKED = {
    "static": "Dateien",
    "home.favicon": "Bild (das Symbol der Seite)",
    "auth.logout": "nur POST",
    "documents.download": "Datei (PDF/DOCX/XLSX)",
    "documents.bulk_file": "Datei (Sammeldruck)",
    "documents.bulk_status": "Fortschritt eines Druckauftrags (Fragment)",
    "supervision.job_status": "Fortschritt eines Druckauftrags (Fragment)",
    "provider_reports.download": "Datei",
    "documents.bulk_job": "Fortschritt eines Sammeldrucks (Seite eines laufenden Auftrags)",
    "documents.bulk_download": "Datei (Sammeldruck)",
    "supervision.print_job": "Fortschritt eines Drucks der Fachaufsicht",
    "imports.job": "Vorschau und Fortschritt eines Imports (braucht eine hochgeladene Datei; tests/test_import.py)",
    "supervision.case": "Prüfung eines Stichprobenfalls (braucht eine Fachaufsicht mit Stichprobe; "
                        "tests/test_supervision_review.py)",
}
SKIP_SUFFIXES = (".xlsx", ".pdf", ".csv", ".ics")


def _world_ids(world):
    """Values for the route parameters, from the world and a few records made here."""
    from absolvent.caseload import planning
    from absolvent.guided_forms import operations as form_ops
    from absolvent.guided_forms.queries import definitions
    from absolvent.measures.models import Defect
    from absolvent.guided_forms.models import FormRun
    from absolvent.models import Agreement, FollowUp, User
    from werkzeug.datastructures import MultiDict
    with database.connection_context():
        User.create(username="ds", name="Dana Schutz", roles="DS", password_hash=world["pap1"].password_hash)
        planning.replan(world["p1"], "Teilnahme angelegt")
        defect = Defect.create(measure=world["m1"].id, found_on=datetime.date.today(), found_how="besuch",
                               clause_source="vertrag", clause="§ 4 Personal", facts="01.12.2026: fehlt",
                               severity="gering", remedy_deadline=datetime.date.today() + datetime.timedelta(14),
                               created_by=world["mb1"])
        run = form_ops.start_run(definitions()["foerder-check"], world["p1"], world["pap1"])
        step = FollowUp.select().where(FollowUp.participation == world["p1"].id).first()
        agreement = Agreement.create(participation=world["p1"].id, customer=world["c1"].id, author=world["pap1"],
                                     kind="KP", concluded_on=world["p1"].entry, review_date=world["p1"].planned_end,
                                     goal="Arbeit im Lager", steps="1. Bewerbungen")
        done = form_ops.start_run(definitions()["kontakt"], world["p1"], world["pap1"])
        answers = MultiDict({"contact_date": f"{datetime.date.today():%d.%m.%Y}", "channel": "telefonisch",
                             "status_analysed": "ja", "status": "läuft", "process_structured": "ja",
                             "impulses": "Bewerbungen"})
        for step_id in ("kontakt", "inhalt"):
            errors, *_ = form_ops.save_step(FormRun.get_by_id(done.id), world["p1"], step_id, answers, world["pap1"])
            assert not errors, errors
        snapshot = form_ops.submit(FormRun.get_by_id(done.id), world["p1"], world["pap1"])
    return {"measure_id": world["m1"].id, "participation_id": world["p1"].id, "customer_id": world["c1"].id,
            "provider_id": world["m1"].provider_id, "defect_id": defect.id, "user_id": world["pap1"].id,
            "run_id": run.id, "followup_id": step.id, "step_id": FormRun.get_by_id(run.id).current_step,
            "form_id": "kontakt",
            "agreement_id": agreement.id, "snapshot_id": snapshot.id}


def _pages(app, ids):
    """[(endpoint, url)] of the GET pages whose parameters the world fills."""
    pages, unfilled = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_WALKED or rule.rule.endswith(SKIP_SUFFIXES):
            continue
        if not all(arg in ids for arg in rule.arguments):
            unfilled.append(rule.endpoint)
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(ids[arg]), url)
        pages.append((rule.endpoint, url))
    return sorted(set(pages)), sorted(set(unfilled))


def _axe(page):  # noqa: F811
    """Serious and critical axe violations of the page as 'rule: target' lines."""
    page.add_script_tag(url=page.base + "/__axe__/axe.min.js")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_every_page_of_every_role_has_no_serious_accessibility_violation(app, page, world):  # noqa: F811
    with app.app_context():
        ids = _world_ids(world)
    pages, unfilled = _pages(app, ids)
    assert unfilled == [], f"Seiten ohne Werte für ihre Parameter (NOT_WALKED ergänzen, Welt erweitern): {unfilled}"
    page.route(page.base + "/__axe__/axe.min.js",
               lambda route: route.fulfill(path=str(AXE), content_type="application/javascript"))
    checked, problems, walked = set(), [], 0
    for user in USERS:
        page.goto("about:blank")  # no request of the last page may set the old session again
        page.context.clear_cookies()
        login(page, user)
        for endpoint, url in pages:
            response = page.goto(page.base + url)
            status = response.status if response else 0
            assert status < 500, f"{user} {url}: {status}"
            if status != 200 or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            walked += 1
            key = endpoint if endpoint != "home.index" else f"{endpoint}:{user}"  # each role's own start page
            if key in checked:
                continue
            checked.add(key)
            problems += [f"{user} {url}: {line}" for line in _axe(page)]
    assert walked > 60 and len(checked) > 30
    assert problems == [], "\n".join(problems)
    assert page.outside == [] and page.csp_violations == []
