import pytest

from absolvent.models import AuditLog, Customer

VALID = {"customer_number": "987D123456", "salutation": "Frau", "first_name": "Zoë",
         "last_name": "Öztürk-Groß", "birth_date": "29.02.1992", "street": "Hauptstr. 5",
         "postal_code": "38640", "city": "Goslar"}


def test_list_full_page_and_fragment(world, auth):
    auth.login("pap1")
    full = auth.get("/kunden/")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]
    frag = auth.get("/kunden/?q=Albr", htmx=True)
    body = frag.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="customer-results"')
    assert "Albrecht" in body and "1 Treffer" in body


def test_search_by_number_and_no_hits(world, auth):
    auth.login("pap1")
    assert "Albrecht" in auth.get(f"/kunden/?q={world['c1'].customer_number}", htmx=True).get_data(as_text=True)
    body = auth.get("/kunden/?q=gibtesnicht", htmx=True).get_data(as_text=True)
    assert "Keine Kundinnen oder Kunden gefunden." in body


@pytest.fixture
def names(world, make):
    """Customers of team 1 whose names start differently (and one of team 2)."""
    for last, first in (("Müller-Lüdenscheidt", "Ayşe"), ("Mueller", "Jan"), ("Mustermann", "Jürgen"),
                        ("Schmidt", "Müller")):
        make.customer(world["t1"], world["pap1"], last_name=last, first_name=first)
    make.customer(world["t2"], world["pap2"], last_name="Müller", first_name="Anna")


def found(auth, q):
    body = auth.get("/kunden/", query_string={"q": q}, htmx=True).get_data(as_text=True)
    return {n for n in ("Müller-Lüdenscheidt", "Mueller, Jan", "Mustermann", "Schmidt", "Anna") if n in body}


@pytest.mark.parametrize("q, expected", [
    ("müller", {"Müller-Lüdenscheidt", "Mueller, Jan", "Schmidt"}),  # last names and a first name, umlaut or not
    ("MUELL", {"Müller-Lüdenscheidt", "Mueller, Jan", "Schmidt"}),
    ("Mu", {"Müller-Lüdenscheidt", "Mueller, Jan", "Mustermann", "Schmidt"}),
    ("müller ayse", {"Müller-Lüdenscheidt"}),  # every word starts a name; ş as s
    ("Jürgen Must", {"Mustermann"}),
    ("denscheid", {"Müller-Lüdenscheidt"}),  # nothing starts so: the words anywhere in the names
    ("Müller-L", {"Müller-Lüdenscheidt"}),
    ("zzz", set()),
    ("%", set()),  # nothing searchable: no hits, not everyone
])
def test_search_finds_names_by_their_start(names, auth, q, expected):
    auth.login("pap1")
    assert found(auth, q) == expected  # never another team's customer


def test_search_keys_follow_the_customer_form(names, world, auth):
    """The form updates by query: the keys of the new name are written with it."""
    auth.login("pap1")
    c = Customer.get(Customer.last_name == "Mustermann")
    data = {**VALID, "customer_number": c.customer_number, "last_name": "Ömer", "pap": str(world["pap1"].id),
            "version": str(c.version)}
    assert auth.post(f"/kunden/{c.id}/bearbeiten", data).status_code == 302
    body = auth.get("/kunden/?q=oemer", htmx=True).get_data(as_text=True)
    assert "Ömer" in body and "1 Treffer" in body
    assert "Mustermann" not in auth.get("/kunden/?q=must", htmx=True).get_data(as_text=True)
    detail = AuditLog.select().where(AuditLog.entity == "customer", AuditLog.action == "update").get().detail
    assert "last_name" in detail and "_key" not in detail


def test_boosted_request_gets_full_page(world, auth):
    auth.login("pap1")
    body = auth.get("/kunden/", headers={"HX-Request": "true", "HX-Boosted": "true"}).get_data(as_text=True)
    assert "<html" in body


def test_create_customer(world, auth):
    auth.login("pap1")
    assert "Neue Kundin" in auth.get("/kunden/neu").get_data(as_text=True)
    response = auth.post("/kunden/neu", {**VALID, "pap": world["pap1"].id})
    assert response.status_code == 302
    c = Customer.get(Customer.customer_number == "987D123456")
    assert c.team_id == world["t1"].id and c.birth_date.isoformat() == "1992-02-29"
    assert c.last_name == "Öztürk-Groß"
    assert AuditLog.select().where(AuditLog.action == "create", AuditLog.entity == "customer").exists()


def test_create_via_htmx_redirects_with_header(world, auth):
    auth.login("pap1")
    response = auth.post("/kunden/neu", VALID, htmx=True)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/kunden/")


@pytest.mark.parametrize("field,value,message", [
    ("birth_date", "31.02.1990", "Dieses Datum gibt es nicht."),
    ("birth_date", "1990/05/17", "Bitte ein Datum im Format TT.MM.JJJJ eingeben."),
    ("birth_date", "", "Bitte Geburtsdatum angeben (TT.MM.JJJJ)."),
    ("customer_number", "", "Bitte die Kundennummer angeben."),
    ("customer_number", "12$45", "Die Kundennummer darf nur Buchstaben"),
    ("last_name", "", "Bitte den Nachnamen angeben."),
    ("salutation", "Dr.", "Unbekannter Wert für die Anrede"),
    ("pap", "99999", "Unbekannte Auswahl für die zuständige Ansprechperson (pAp)."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_validation_messages_next_to_field(world, auth, field, value, message, htmx):
    auth.login("pap1")
    response = auth.post("/kunden/neu", {**VALID, field: value}, htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("<html" in body) != htmx
    error_p = body.split(f'id="e-{field}"')[1].split("</p>")[0]
    assert message in error_p
    assert f'id="f-{field}"' in body and 'aria-invalid="true"' in body
    # nothing typed is lost
    for key, typed in VALID.items():
        if key != field and typed:
            assert f'value="{typed}"' in body
    assert Customer.select().where(Customer.customer_number == "987D123456").count() == 0


def test_duplicate_customer_number(world, auth):
    auth.login("pap1")
    response = auth.post("/kunden/neu", {**VALID, "customer_number": world["c1"].customer_number})
    assert response.status_code == 422
    assert "Diese Kundennummer ist bereits vergeben." in response.get_data(as_text=True)


def test_pap_of_other_team_cannot_be_chosen(world, auth):
    auth.login("pap1")
    response = auth.post("/kunden/neu", {**VALID, "pap": world["pap2"].id})
    assert response.status_code == 422


def test_edit_and_concurrent_edit(world, auth):
    auth.login("pap1")
    c = world["c1"]
    page = auth.get(f"/kunden/{c.id}/bearbeiten").get_data(as_text=True)
    assert 'name="version" value="1"' in page and 'value="17.05.1990"' in page
    data = {**VALID, "customer_number": c.customer_number, "version": "1"}
    assert auth.post(f"/kunden/{c.id}/bearbeiten", {**data, "city": "Seesen"}).status_code == 302
    assert Customer.get_by_id(c.id).city == "Seesen" and Customer.get_by_id(c.id).version == 2
    stale = auth.post(f"/kunden/{c.id}/bearbeiten", {**data, "city": "Bad Harzburg"})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 422 and "inzwischen von einer anderen Person geändert" in body
    assert 'value="Bad Harzburg"' in body and Customer.get_by_id(c.id).city == "Seesen"


def test_edit_fragment(world, auth):
    auth.login("pap1")
    c = world["c1"]
    body = auth.post(f"/kunden/{c.id}/bearbeiten", {"version": "1"}, htmx=True).get_data(as_text=True)
    assert body.lstrip().startswith('<form id="customer-form"') and "<html" not in body


def test_detail_shows_participations(world, auth):
    auth.login("pap1")
    body = auth.get(f"/kunden/{world['c1'].id}").get_data(as_text=True)
    assert world["m1"].measure_number in body and "17.05.1990" in body


def test_customer_page_shows_one_timeline(world, auth, make):
    """Participations, steps, notes, agreements and VVs in one list, newest first."""
    import datetime

    from absolvent.db import database
    from absolvent.models import Agreement, FollowUp, Note, PlacementProposal
    p, today = world["p1"], datetime.date.today()
    with database.connection_context():
        FollowUp.create(participation=p, step_id="t1", title="Auswertung nach Ende", role="pAp",
                        due=today + datetime.timedelta(days=5))
        Note.create(customer=p.customer_id, participation=p, subject="Absolventenmanagement", author=world["pap1"],
                    date=today - datetime.timedelta(days=3), kind="kontakt", text="Telefonat")
        Agreement.create(participation=p, customer=p.customer_id, author=world["pap1"], kind="KP",
                         concluded_on=today - datetime.timedelta(days=10), goal="Ziel Lager", steps="1.")
        PlacementProposal.create(customer=p.customer_id, participation=p, author=world["pap1"],
                                 proposal_date=today - datetime.timedelta(days=1), employer="Harz GmbH",
                                 job_title="Lagerhelfer", job_kind="arbeit", sv_pflichtig=True)
    auth.login("pap1")
    body = auth.get(f"/kunden/{world['c1'].id}").get_data(as_text=True)
    timeline = body.split('id="verlauf"')[1]
    order = [timeline.index(text) for text in ("Auswertung nach Ende", "Lagerhelfer bei Harz GmbH",
                                                "Absolventenmanagement", "KP (Neuabschluss)")]
    assert order == sorted(order)  # newest first
    assert "offen" in timeline and "sozialversicherungspflichtig" in timeline


@pytest.mark.parametrize("prefix, after", [("muel", "muem"), ("mz", "n"), ("z9", "za"), ("9", "a"), ("zz", None),
                                           ("oж", "oз")])
def test_search_range_ends_after_every_key_with_the_prefix(prefix, after):
    """The upper bound of a search word's index range (search_keys.successor), with carry over z."""
    from absolvent.search_keys import fold, successor
    assert successor(prefix) == after
    assert fold("Müller-Lüdenscheidt") == "muellerluedenscheidt" and fold("Ayşe Çelik") == "aysecelik"
