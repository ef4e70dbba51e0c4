import pytest

from absolvent.models import Participation


@pytest.fixture
def form(world):
    return {"customer": str(world["c1"].id), "measure": str(world["m2"].id),
            "entry": "05.01.2026", "planned_end": "30.06.2026"}


def test_list_full_and_fragment(world, auth):
    auth.login("pap1")
    full = auth.get("/teilnahmen/?status=")
    assert "<html" in full.get_data(as_text=True) and "Albrecht" in full.get_data(as_text=True)
    frag = auth.get("/teilnahmen/?status=&q=Albr", htmx=True).get_data(as_text=True)
    assert frag.lstrip().startswith('<div id="participation-results"') and "Albrecht" in frag


def test_create_from_customer(world, auth, form):
    auth.login("pap1")
    page = auth.get(f"/teilnahmen/neu?customer={world['c1'].id}").get_data(as_text=True)
    assert "Teilnahme erfassen" in page and "Albrecht" in page
    response = auth.post("/teilnahmen/neu", form)
    assert response.status_code == 302
    p = Participation.get(Participation.measure == world["m2"])
    detail = auth.get(response.headers["Location"]).get_data(as_text=True)
    assert "Albrecht" in detail and world["m2"].measure_number in detail and "05.01.2026" in detail
    assert p.planned_end.isoformat() == "2026-06-30"


@pytest.mark.parametrize("changes,field,message", [
    ({"planned_end": "01.01.2026"}, "planned_end", "Das geplante Ende darf nicht vor dem Eintritt liegen."),
    ({"entry": "01.01.2025"}, "entry", "Der Eintritt muss im Maßnahmezeitraum liegen"),
    ({"entry": "5.1.26"}, "entry", "Bitte ein Datum im Format TT.MM.JJJJ eingeben."),
    ({"exit": "01.03.2026"}, "exit_kind", "Bitte angeben, ob die Teilnahme regulär endete"),
    ({"exit_kind": "abbruch", "exit": "01.03.2026"}, "dropout_reason", "Bei einem Abbruch bitte den Grund angeben."),
    ({"exit_kind": "regulaer"}, "exit", "Bitte das Austrittsdatum angeben."),
    ({"exit": "01.01.2026", "exit_kind": "regulaer"}, "exit", "Der Austritt darf nicht vor dem Eintritt liegen."),
    ({"measure": "999999"}, "measure", "Unbekannte Auswahl für die Maßnahme."),
    ({"exit_kind": "urlaub", "exit": "01.03.2026"}, "exit_kind", "Unbekannter Wert für die Art des Austritts"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_validation(world, auth, form, changes, field, message, htmx):
    auth.login("pap1")
    response = auth.post("/teilnahmen/neu", {**form, **changes}, htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and ("<html" in body) != htmx
    assert message in body.split(f'id="e-{field}"')[1].split("</p>")[0]


def test_duplicate_participation(world, auth, form):
    auth.login("pap1")
    assert auth.post("/teilnahmen/neu", form).status_code == 302
    again = auth.post("/teilnahmen/neu", form)
    assert again.status_code == 422 and "bereits eine Teilnahme" in again.get_data(as_text=True)


def test_cannot_create_for_foreign_customer(world, auth, form):
    auth.login("pap1")
    assert auth.get(f"/teilnahmen/neu?customer={world['c2'].id}").status_code == 403
    assert auth.post("/teilnahmen/neu", {**form, "customer": str(world["c2"].id)}).status_code == 403


def test_record_dropout(world, auth):
    auth.login("mb1")
    p = world["p1"]
    data = {"measure": str(p.measure_id), "entry": "05.01.2026", "planned_end": "30.06.2026", "version": "1",
            "exit": "13.03.2026", "exit_kind": "abbruch", "dropout_reason": "Krankheit", "important_reason": "ja"}
    assert auth.post(f"/teilnahmen/{p.id}/bearbeiten", data).status_code == 302
    p = Participation.get_by_id(p.id)
    assert p.is_dropout and p.important_reason is True and p.exit.isoformat() == "2026-03-13"
    body = auth.get(f"/teilnahmen/{p.id}").get_data(as_text=True)
    assert "Abbruch" in body and "Krankheit" in body


def test_edit_fragment_and_conflict(world, auth):
    auth.login("pap1")
    p = world["p1"]
    data = {"measure": str(p.measure_id), "entry": "05.01.2026", "planned_end": "30.06.2026", "version": "1"}
    frag = auth.post(f"/teilnahmen/{p.id}/bearbeiten", {**data, "planned_end": ""}, htmx=True)
    assert frag.get_data(as_text=True).lstrip().startswith('<form id="participation-form"')
    assert auth.post(f"/teilnahmen/{p.id}/bearbeiten", data).status_code == 302
    stale = auth.post(f"/teilnahmen/{p.id}/bearbeiten", data)
    assert stale.status_code == 422 and "inzwischen" in stale.get_data(as_text=True)
