"""Submitting the same guided form twice (a double click, two tabs, two requests at the same
moment): the first submit wins, the second is refused with a German message and leads to
the snapshot – never a 500 from the snapshot's unique run. Case forms and measure forms
share the claim (``operations.claim``)."""
import threading

import pytest

from absolvent.db import database
from absolvent.guided_forms import measure_operations, operations
from absolvent.guided_forms.models import FormRun, FormSnapshot
from absolvent.measures.models import OfficeHour, OfficeHourFinding
from absolvent.models import Note, PlacementProposal, User
from tests.conftest import Auth
from tests.test_guided_forms_web import placement
from tests.test_measures_office_hours import fill_office_hour, run_id_of, start_from
from tests.test_measures_office_hours import running  # noqa: F401 - fixture

MESSAGE = "Dieses Formular wurde bereits abgeschickt."


def ready_office_hour(auth, measure, ps):
    run_id = run_id_of(start_from(auth, measure))
    fill_office_hour(auth, run_id, {"participant_findings-0-participant": str(ps[0].id),
                                    "participant_findings-0-finding": "Staplerschein erworben",
                                    "participant_findings-0-inform_pap": "ja"})
    return run_id


def test_case_form_stale_second_submit_is_refused(world, auth):
    """The second submit read the run as a draft before the first one committed."""
    auth.login("pap1")
    run_id = placement(auth, world["p1"])
    stale = FormRun.get_by_id(run_id)
    user = User.get(User.username == "pap1")
    operations.submit(FormRun.get_by_id(run_id), world["p1"], user)
    with pytest.raises(operations.AlreadySubmitted) as refused:
        operations.submit(stale, world["p1"], user)
    assert str(refused.value) == MESSAGE
    assert FormSnapshot.select().count() == 1 and PlacementProposal.select().count() == 1


def test_measure_form_stale_second_submit_is_refused(running, world, auth):  # noqa: F811
    measure, ps = running
    auth.login("mb1")
    run_id = ready_office_hour(auth, measure, ps)
    stale = FormRun.get_by_id(run_id)
    user = User.get(User.username == "mb1")
    measure_operations.submit(FormRun.get_by_id(run_id), measure, user)
    with pytest.raises(operations.AlreadySubmitted):
        measure_operations.submit(stale, measure, user)
    assert (FormSnapshot.select().count(), OfficeHour.select().count(), OfficeHourFinding.select().count(),
            Note.select().count()) == (1, 1, 1, 1)


@pytest.mark.parametrize("htmx", [False, True])
def test_second_submit_afterwards_shows_the_snapshot(world, auth, htmx):
    auth.login("pap1")
    run_id = placement(auth, world["p1"])
    assert auth.post(f"/formulare/{run_id}/absenden").status_code == 302
    snap = FormSnapshot.get(FormSnapshot.run == run_id)
    again = auth.post(f"/formulare/{run_id}/absenden", htmx=htmx)
    target = f"/formulare/ergebnisse/{snap.id}"
    if htmx:
        assert again.status_code == 204 and again.headers["HX-Redirect"] == target
    else:
        assert again.status_code == 302 and again.headers["Location"].endswith(target)
    assert MESSAGE in auth.get(target).get_data(as_text=True)
    assert FormSnapshot.select().count() == 1 and PlacementProposal.select().count() == 1


def test_two_submits_at_the_same_moment(app, running, world, monkeypatch):  # noqa: F811
    """Both requests pass the draft check before either transaction starts (a barrier after
    the checks holds them): one snapshot, the other request ends on it with the message."""
    measure, ps = running
    owner = Auth(app.test_client())
    owner.login("mb1")
    run_id = ready_office_hour(owner, measure, ps)
    barrier = threading.Barrier(2)
    checked = measure_operations.checked

    def both_checked(*args):
        result = checked(*args)
        barrier.wait(timeout=20)
        return result

    monkeypatch.setattr(measure_operations, "checked", both_checked)
    responses, failures = [], []

    def submit(n):
        auth = Auth(app.test_client())
        auth.client.environ_base["REMOTE_ADDR"] = f"10.0.1.{n + 1}"
        try:
            assert auth.login("mb1").status_code == 302
            response = auth.post(f"/formulare/{run_id}/absenden")
            responses.append((response.status_code, response.headers.get("Location", "")))
            follow = auth.get(response.headers["Location"]).get_data(as_text=True)
            responses.append(MESSAGE in follow)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(repr(exc))
            barrier.abort()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    with database.connection_context():
        snap = FormSnapshot.get(FormSnapshot.run == run_id)
        statuses = [r for r in responses if isinstance(r, tuple)]
        assert [s for s, _ in statuses] == [302, 302]
        assert all(url.endswith(f"/formulare/ergebnisse/{snap.id}") for _, url in statuses)
        assert sorted(r for r in responses if isinstance(r, bool)) == [False, True]  # one saw the message
        assert (FormSnapshot.select().count(), OfficeHour.select().count(), Note.select().count()) == (1, 1, 1)
        assert FormRun.get_by_id(run_id).status == "submitted"
