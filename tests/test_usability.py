"""Small things users notice: the favicon, maxlength as the server's limits, plausible birth
dates and postcodes, and messages that start with a capital letter."""
import datetime
import re
from html.parser import HTMLParser

import pytest

from absolvent.guided_forms.engine.definition import default_forms_dir, load_form
from absolvent.models import Customer, JobcenterSettings, Provider
from absolvent.validation import Checker

TODAY = datetime.date.today()


class Fields(HTMLParser):
    """The text inputs and textareas of a page: name -> attributes (the first of a name)."""

    def __init__(self, html):
        super().__init__()
        self.fields = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        text = tag == "textarea" or (tag == "input" and a.get("type", "text") in ("text", "email", "tel", "url"))
        if text and a.get("placeholder") != "TT.MM.JJJJ" and a.get("name") and "disabled" not in a:
            self.fields.setdefault(a["name"], {"tag": tag, **a})


def fields_of(auth, url):
    response = auth.get(url)
    assert response.status_code == 200, url
    return Fields(response.get_data(as_text=True)).fields


def errors_of(body):
    """{field: message} of the error paragraphs shown next to the fields."""
    return dict(re.findall(r'<p id="e-([\w-]+)" class="error" >\s*<strong>Fehler:</strong> (.*?)</p>', body, re.S))


# ------------------------------------------------------------------ favicon

def test_favicon_ico_is_served_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml" and b"<svg" in response.data


def test_every_page_links_the_icon(world, auth, client):
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)
    auth.login("pap1")
    for url in ("/start", "/kunden/", "/kunden/neu"):
        assert 'rel="icon" href="/static/favicon.svg"' in auth.get(url).get_data(as_text=True), url


# ------------------------------------------------------------------ maxlength

CUSTOMER = {"customer_number": 20, "first_name": 100, "last_name": 100, "street": 255, "postal_code": 5, "city": 100}
PROVIDER = {"name": 200, "street": 200, "postal_code": 5, "city": 200, "contact_person": 200, "email": 255,
            "phone": 200}
MEASURE = {"measure_number": 40, "title": 200, "capacity": 12, "location": 255}
USER = {"username": 60, "name": 120, "email": 255, "phone": 40}
SETTINGS = {"name": 200, "street": 255, "postal_code": 5, "city": 255, "phone": 255, "email": 255,
            "letterhead": 2000, "rez_name": 200, "rez_address": 500, "agentur_name": 200, "agentur_address": 500}
PARTICIPATION = {"dropout_reason": 2000}
DEFECT = {"clause": 255, "facts": 5000, "evidence": 5000, "obligation": 5000}

FORMS = [  # (user, url, {field: the server's limit}); every text field of the page is listed
    ("pap1", "/kunden/neu", CUSTOMER),
    ("pap1", "/kunden/{c1}/bearbeiten", CUSTOMER),
    ("pap1", "/teilnahmen/{p1}/bearbeiten", PARTICIPATION),
    ("admin", "/traeger/neu", PROVIDER),
    ("admin", "/massnahmen/neu", MEASURE),
    ("admin", "/verwaltung/benutzer/neu", USER),
    ("admin", "/verwaltung/einstellungen", SETTINGS),
    ("mb1", "/massnahmen/{m1}/maengel", DEFECT),
]


@pytest.mark.parametrize("user, url, limits", FORMS, ids=[f[1] for f in FORMS])
def test_every_text_field_has_the_servers_maxlength(world, auth, user, url, limits):
    auth.login(user)
    page = url.format(c1=world["c1"].id, p1=world["p1"].id, m1=world["m1"].id)
    fields = fields_of(auth, page)
    assert {name: int(a.get("maxlength", 0)) for name, a in fields.items()} == limits


BASE = {
    "/kunden/neu": ("pap1", {"customer_number": "987D1", "first_name": "Zoë", "last_name": "Öztürk",
                             "birth_date": "01.02.1990"}),
    "/traeger/neu": ("admin", {"name": "Bildungswerk Nord"}),
    "/verwaltung/einstellungen": ("admin", {"name": "Jobcenter Test", "bundesland": "NI",
                                            "active_rulebook": "goslar-2016"}),
}


@pytest.mark.parametrize("url", list(BASE))
def test_the_server_refuses_one_character_more(world, auth, url):
    user, base = BASE[url]
    limits = next(f[2] for f in FORMS if f[1] == url)
    auth.login(user)
    for name, limit in limits.items():
        if name == "postal_code":
            continue  # five digits, see the postcode tests
        text = "a" * (limit - 8) + "@test.de" if name == "email" else "A" * limit
        at_limit = auth.post(url, {**base, name: text})
        assert name not in errors_of(at_limit.get_data(as_text=True)), (name, limit)
        over = auth.post(url, {**base, name: "A" + text})
        message = errors_of(over.get_data(as_text=True)).get(name, "")
        assert over.status_code == 422 and f"höchstens {limit} Zeichen" in message, (name, message)
        assert message[0].isupper(), message


def test_guided_form_step_has_the_definitions_maxlength(world, auth):
    definition = load_form(default_forms_dir() / "kontakt" / "form.toml")
    limits = {f.name: f.max_length for step in definition.steps for f in step.fields
              if f.type in ("text", "textarea")}
    auth.login("pap1")
    response = auth.post(f"/teilnahmen/{world['p1'].id}/formulare/kontakt")
    run_url = response.headers["Location"].rsplit("/", 1)[0]
    fields = fields_of(auth, f"{run_url}/inhalt")
    assert fields and {name: int(a["maxlength"]) for name, a in fields.items()} == {
        name: limits[name] for name in fields}
    assert set(limits.values()) == {5000}


# ------------------------------------------------------------------ plausibility

CUSTOMER_FORM = {"customer_number": "987D123456", "first_name": "Zoë", "last_name": "Öztürk",
                 "birth_date": "01.02.1990", "postal_code": "38640"}


def years_ago(years, days=0):
    try:
        day = TODAY.replace(year=TODAY.year - years)
    except ValueError:  # 29 February
        day = TODAY.replace(year=TODAY.year - years, day=28)
    return (day + datetime.timedelta(days=days)).strftime("%d.%m.%Y")


@pytest.mark.parametrize("birth, message", [
    ((TODAY + datetime.timedelta(days=1)).strftime("%d.%m.%Y"), "Das Geburtsdatum darf nicht in der Zukunft liegen."),
    (years_ago(100, days=-1), "Das Geburtsdatum liegt mehr als 100 Jahre zurück; bitte prüfen."),
    (years_ago(100), None),
    (TODAY.strftime("%d.%m.%Y"), None),
])
def test_birth_date_is_plausible(world, auth, birth, message):
    auth.login("pap1")
    response = auth.post("/kunden/neu", {**CUSTOMER_FORM, "birth_date": birth})
    if message is None:
        assert response.status_code == 302
        assert Customer.get(Customer.customer_number == "987D123456").birth_date.strftime("%d.%m.%Y") == birth
    else:
        assert response.status_code == 422
        assert errors_of(response.get_data(as_text=True)) == {"birth_date": message}
        assert f'value="{birth}"' in response.get_data(as_text=True)


BAD_POSTCODES = ["3864", "386400", "3864O", "38 640", "D-38640"]
POSTCODE_MESSAGE = "Die Postleitzahl muss aus 5 Ziffern bestehen (z. B. 38640)."


@pytest.mark.parametrize("user, url, base", [
    ("pap1", "/kunden/neu", CUSTOMER_FORM),
    ("admin", "/traeger/neu", {"name": "Bildungswerk Nord"}),
    ("admin", "/verwaltung/einstellungen", BASE["/verwaltung/einstellungen"][1]),
])
def test_postcode_has_five_digits(world, auth, user, url, base):
    auth.login(user)
    for bad in BAD_POSTCODES:
        response = auth.post(url, {**base, "postal_code": bad}, htmx=True)
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and errors_of(body) == {"postal_code": POSTCODE_MESSAGE}, bad
        assert f'value="{bad}"' in body
    assert auth.post(url, {**base, "postal_code": "01067"}).status_code == 302
    assert "01067" in {c.postal_code for c in Customer.select()} | {p.postal_code for p in Provider.select()} | {
        s.postal_code for s in JobcenterSettings.select()}


def test_checker_postcode_and_birth_date_directly():
    c = Checker({"plz": " 38640 ", "geb": "29.02.1924"})
    assert c.postal_code("plz") == "38640"
    assert c.birth_date("geb", today=datetime.date(2024, 2, 29)) == datetime.date(1924, 2, 29)
    assert c.ok
    c = Checker({"geb": "28.02.1924"})
    c.birth_date("geb", today=datetime.date(2024, 2, 29))
    assert c.errors == {"geb": "Das Geburtsdatum liegt mehr als 100 Jahre zurück; bitte prüfen."}


# ------------------------------------------------------------------ capital letters

EMPTY_SUBMITS = [  # (user, url): the main forms submitted empty
    ("pap1", "/kunden/neu"), ("pap1", "/teilnahmen/neu"), ("admin", "/traeger/neu"), ("admin", "/massnahmen/neu"),
    ("admin", "/verwaltung/benutzer/neu"), ("admin", "/verwaltung/einstellungen"), ("mb1", "/massnahmen/{m1}/maengel"),
]


@pytest.mark.parametrize("user, url", EMPTY_SUBMITS, ids=[e[1] for e in EMPTY_SUBMITS])
def test_messages_of_an_empty_submit_start_with_a_capital_letter(world, auth, user, url):
    auth.login(user)
    response = auth.post(url.format(m1=world["m1"].id), {"customer": world["c1"].id} if "teilnahmen" in url else {})
    messages = errors_of(response.get_data(as_text=True))
    assert response.status_code == 422 and messages
    assert all(m[0].isupper() for m in messages.values()), messages


@pytest.mark.parametrize("label, expected", [
    ("den Vornamen", "Bitte den Vornamen mit höchstens 3 Zeichen angeben."),
    ("Briefkopf", "Briefkopf darf höchstens 3 Zeichen lang sein."),
])
def test_too_long_message_reads_well_for_both_kinds_of_label(label, expected):
    c = Checker({"x": "abcd"})
    c.text("x", label, max_len=3)
    assert c.errors == {"x": expected}


@pytest.mark.parametrize("raw, expected", [
    ("zehn", "Bitte für die Anzahl eine ganze Zahl angeben."), ("9" * 13, "Die Zahl ist zu groß."),
    ("0", "Bitte mindestens 1 angeben."), ("11", "Bitte höchstens 10 angeben."),
])
def test_integer_messages_with_a_lower_case_label(raw, expected):
    c = Checker({"n": raw})
    c.integer("n", "die Anzahl", minimum=1, maximum=10)
    assert c.errors == {"n": expected}


def test_date_message_with_a_lower_case_label():
    c = Checker({"d": "31.02.2026"})
    c.date("d", "den Termin")
    assert c.errors == {"d": "Dieses Datum gibt es nicht."}
