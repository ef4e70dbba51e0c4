import datetime

import pytest

from absolvent.models import Measure, Provider

VALID = {"type_code": "FBW-ABS", "measure_number": "962/26/0815", "title": "Umschulung Büro & <Handel>",
         "start": "01.02.2026", "end": "31.01.2028", "capacity": "14", "location": "Goslar",
         "procurement": "gutschein"}


@pytest.fixture
def form(world):
    return {**VALID, "provider": str(world["m1"].provider_id), "mb": str(world["mb1"].id)}


def test_list_and_filter(world, auth):
    auth.login("pap1")
    full = auth.get("/massnahmen/").get_data(as_text=True)
    assert "<html" in full and "962/00001" in full and "962/00002" in full
    frag = auth.get("/massnahmen/?art=FBW", htmx=True).get_data(as_text=True)
    assert "<html" not in frag and "962/00002" in frag and "962/00001" not in frag
    assert "962/00001" in auth.get("/massnahmen/?q=00001", htmx=True).get_data(as_text=True)


def test_create_measure(world, auth, form):
    auth.login("mb1")
    response = auth.post("/massnahmen/neu", form)
    assert response.status_code == 302
    m = Measure.get(Measure.measure_number == "962/26/0815")
    assert m.type_code == "FBW-ABS" and m.capacity == 14 and m.mb_id == world["mb1"].id
    page = auth.get(f"/massnahmen/{m.id}").get_data(as_text=True)
    assert "Umschulung Büro &amp; &lt;Handel&gt;" in page and "730 Kalendertage" in page


@pytest.mark.parametrize("field,value,message", [
    ("type_code", "XYZ", "Unbekannter Wert für die Maßnahmeart: „XYZ“."),
    ("end", "31.12.2025", "Das Ende darf nicht vor dem Beginn liegen."),
    ("start", "32.01.2026", "Dieses Datum gibt es nicht."),
    ("capacity", "zehn", "Plätze muss eine ganze Zahl sein."),
    ("provider", "", "Bitte den Träger auswählen."),
    ("mb", str(10**6), "Unbekannte Auswahl für die Maßnahmebetreuung (MB)."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_validation(world, auth, form, field, value, message, htmx):
    auth.login("tl1")
    response = auth.post("/massnahmen/neu", {**form, field: value}, htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and ("<html" in body) != htmx
    assert message in body.split(f'id="e-{field}"')[1].split("</p>")[0]


def test_duplicate_measure_number(world, auth, form):
    auth.login("tl1")
    response = auth.post("/massnahmen/neu", {**form, "measure_number": "962/00001"})
    assert response.status_code == 422 and "Diese Maßnahme-Nr. ist bereits vergeben." in response.get_data(as_text=True)


def test_edit_conflict(world, auth, form):
    auth.login("mb1")
    m = world["m1"]
    data = {**form, "measure_number": m.measure_number, "version": "1"}
    assert auth.post(f"/massnahmen/{m.id}/bearbeiten", data).status_code == 302
    response = auth.post(f"/massnahmen/{m.id}/bearbeiten", {**data, "title": "Neu"})
    assert response.status_code == 422 and "inzwischen" in response.get_data(as_text=True)


def test_providers_crud(world, auth):
    auth.login("tl1")
    assert auth.get("/traeger/").status_code == 200
    response = auth.post("/traeger/neu", {"name": "Bildungswerk Nord", "email": "info@bw-nord.invalid"})
    assert response.status_code == 302
    p = Provider.get(Provider.name == "Bildungswerk Nord")
    dup = auth.post("/traeger/neu", {"name": "Bildungswerk Nord"}, htmx=True)
    assert dup.status_code == 422 and "bereits erfasst" in dup.get_data(as_text=True)
    bad = auth.post("/traeger/neu", {"name": "X", "email": "kein-at"}, htmx=True)
    assert "Bitte eine gültige E-Mail-Adresse eingeben." in bad.get_data(as_text=True)
    frag = auth.get("/traeger/?q=Nord", htmx=True).get_data(as_text=True)
    assert "Bildungswerk Nord" in frag and "<html" not in frag
    edit = auth.post(f"/traeger/{p.id}/bearbeiten", {"name": "Bildungswerk Nord-Ost", "version": "1"})
    assert edit.status_code == 302 and Provider.get_by_id(p.id).name == "Bildungswerk Nord-Ost"
    assert "Bildungswerk Nord-Ost" in auth.get(f"/traeger/{p.id}").get_data(as_text=True)


def test_pap_cannot_create_provider(world, auth):
    auth.login("pap1")
    assert auth.post("/traeger/neu", {"name": "X"}).status_code == 403


def test_another_mb_takes_the_measures_steps_along(world, auth, form):
    """The steps carry their MB (FollowUp.mb, read by the MB's worklist): the measure form's new
    MB moves the measure's own steps and its participations' steps to them."""
    from absolvent.models import FollowUp
    m = world["m1"]
    case = FollowUp.create(participation=world["p1"], step_id="mb-x", title="MB-Schritt", role="MB",
                           due=datetime.date.today())
    own = FollowUp.create(measure=m, step_id="mb-y", title="Sprechstunde", role="MB", due=datetime.date.today())
    assert {FollowUp.get_by_id(f.id).mb_id for f in (case, own)} == {world["mb1"].id}
    auth.login("tl1")
    data = {**form, "measure_number": m.measure_number, "version": "1", "mb": str(world["mb2"].id)}
    assert auth.post(f"/massnahmen/{m.id}/bearbeiten", data).status_code == 302
    assert {FollowUp.get_by_id(f.id).mb_id for f in (case, own)} == {world["mb2"].id}
    auth.logout()
    auth.login("mb2")
    assert "MB-Schritt" in auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)
    auth.logout()
    auth.login("mb1")
    assert "MB-Schritt" not in auth.get("/wiedervorlagen/?zeitraum=alle").get_data(as_text=True)
