"""A realistic demo Jobcenter: 2 teams, users for every role, ~200 customers,
~20 measures of all types at several providers, ~300 participations spread over
past, current and future dates. Deterministic (seeded) and idempotent.
"""
import datetime
import random

from faker import Faker

from .db import database
from .vocabulary import MEASURE_TYPES
from .models import (
    Agreement,
    Customer,
    FollowUp,
    JobcenterSettings,
    Measure,
    Note,
    Participation,
    PlacementProposal,
    Provider,
    Team,
    User,
)
from .passwords import hash_password

DEMO_PASSWORD = "Absolvent-Demo-2026"
TEAMS = ["Team 610 Markt & Integration", "Team 620 U25"]
# username, name, roles, team index (None: no team)
USERS = [
    ("admin", "Andrea Admin", "Admin", None),
    ("pap1", "Petra Albers", "pAp", 0),
    ("pap2", "Paul Brandt", "pAp", 0),
    ("pap3", "Pia Cordes", "pAp", 1),
    ("pap4", "Philipp Dreyer", "pAp", 1),
    ("mb1", "Monika Ebert", "MB", None),
    ("mb2", "Markus Fuchs", "MB", None),
    ("bov1", "Boris Gerdes", "boV", 0),
    ("ags1", "Anja Hoffmann", "AG-S", 0),
    ("tl1", "Thomas Imhoff", "TL", 0),
    ("tl2", "Tanja Jansen", "TL", 1),
    ("bl1", "Bernd Krüger", "BL", None),
    ("dqm1", "Dana Lorenz", "DQM", 0),
    ("ds1", "Dirk Sommer", "DS", None),
]
# type, title, months, capacity, procurement
MEASURES = [
    ("MAT", "Aktivierung 25+", 3, 20, "vergabe"),
    ("MAT", "Perspektive Arbeit", 6, 28, "vergabe"),
    ("MAT", "Coaching Alleinerziehende", 9, 15, "vergabe"),
    ("MAG", "Betriebliche Erprobung Lager", 1, 5, "vergabe"),
    ("AVGS", "Einzelcoaching Bewerbung", 2, 8, "gutschein"),
    ("AVGS", "Gesundheitsorientiertes Coaching", 4, 8, "gutschein"),
    ("AGH", "Grünpflege Stadtpark", 6, 15, "vergabe"),
    ("AGH", "Sozialkaufhaus", 10, 24, "vergabe"),
    ("FBW", "Staplerschein und Lagerlogistik", 2, 15, "gutschein"),
    ("FBW", "Pflegehelfer/in Basiskurs", 5, 18, "gutschein"),
    ("FBW-ABS", "Umschulung Kaufleute Büromanagement", 24, 16, "gutschein"),
    ("FBW-ABS", "Umschulung Fachkraft Lagerlogistik", 24, 12, "gutschein"),
    ("BAE", "BaE integrativ Metall", 36, 14, "vergabe"),
    ("BAE", "BaE kooperativ Verkauf", 24, 10, "vergabe"),
    ("BVB", "Berufsvorbereitung Handwerk", 10, 18, "vergabe"),
    ("EQ", "Einstiegsqualifizierung Einzelhandel", 8, 6, "vergabe"),
    ("16E", "Eingliederung Langzeitarbeitslose", 24, 6, "vergabe"),
    ("16I", "Teilhabe am Arbeitsmarkt", 36, 6, "vergabe"),
    ("MAT", "Digitale Kompetenzen", 4, 22, "vergabe"),
    ("FBW", "Berufskraftfahrer Modul", 3, 12, "gutschein"),
]
# measures whose places are not all taken: the MB's occupancy warning has something to show
UNDER_BOOKED = {"Perspektive Arbeit": 20, "Pflegehelfer/in Basiskurs": 13}
# long measures that ended one and two months ago: the controlling quota has cases to count
# type, title, months, capacity, procurement, months since the end
ENDED_MEASURES = [
    ("FBW", "Teilqualifizierung Lagerlogistik", 7, 12, "gutschein", 1),
    ("MAT", "Aktivierung und Vermittlung 50+", 8, 14, "vergabe", 2),
]


def _add_months(d, months):
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue


def _work_off_the_past(rng, today, users):
    """A realistic caseload: nine in ten follow-ups due more than three days ago are done."""

    cutoff = today - datetime.timedelta(days=3)
    for f in FollowUp.select().where(FollowUp.status == "open", FollowUp.due < cutoff).order_by(FollowUp.id):
        if rng.random() < 0.9:
            done_on = f.due - datetime.timedelta(days=rng.randint(0, 5))
            FollowUp.update(status="done", done_at=datetime.datetime.combine(done_on, datetime.time(10)),
                            done_by=users["mb1" if f.role == "MB" else "pap1"]).where(FollowUp.id == f.id).execute()


def _case_records(rng, today, p, pap):
    """What a caseworker records along a participation: the agreement at entry, a
    Fortschreibung before the end of long measures, qualified contacts during
    the measure and Vermittlungsvorschläge towards its end (most, not all: the
    controlling and the dashboards then show a realistic mix)."""
    end = p.exit or p.planned_end
    if p.entry <= today:
        concluded = p.entry - datetime.timedelta(days=rng.randint(3, 20))
        kind = "KP" if concluded >= datetime.date(2023, 7, 1) else "EV"
        Agreement.create(participation=p, customer=p.customer_id, author=pap, kind=kind, agreement_kind="neu",
                         concluded_on=concluded, valid_until=None if kind == "KP" else _add_months(concluded, 6),
                         review_date=_add_months(concluded, 6) if kind == "KP" else None,
                         goal=f"Erfolgreicher Abschluss: {p.measure.title}; danach Arbeitsaufnahme",
                         steps="1. Regelmäßige Teilnahme\n2. Bewerbungen ab 3 Monaten vor Ende",
                         customer_duties="Regelmäßige Teilnahme; Fehlzeiten am selben Tag melden.")
    if (end - p.entry).days > 150 and end - datetime.timedelta(days=60) <= today and rng.random() < 0.7:
        concluded = end - datetime.timedelta(days=rng.randint(20, 80))
        Agreement.create(participation=p, customer=p.customer_id, author=pap, kind="KP",
                         agreement_kind="fortschreibung", concluded_on=concluded,
                         review_date=_add_months(concluded, 6), goal="Arbeitsaufnahme nach Maßnahmeende",
                         steps="1. Bewerbungen (4 je Monat)\n2. Vorstellungsgespräche wahrnehmen")
    day = p.entry + datetime.timedelta(days=rng.randint(30, 60))
    while day < min(end, today) and rng.random() < 0.8:
        Note.create(customer=p.customer_id, participation=p, subject="Absolventenmanagement", author=pap,
                    date=day, kind="kontakt", channel=rng.choice(["persoenlich", "telefonisch"]), qualified=True,
                    text="Stand der Teilnahme besprochen; nächste Schritte vereinbart.")
        day += datetime.timedelta(days=rng.randint(40, 70))
    if end - datetime.timedelta(days=90) <= today and rng.random() < 0.6:
        kind = rng.choice(["arbeit", "arbeit", "arbeit", "minijob", "kuenstler"])
        PlacementProposal.create(customer=p.customer_id, participation=p, author=pap,
                                 proposal_date=min(today, end - datetime.timedelta(days=rng.randint(5, 80))),
                                 employer=f"{rng.choice(['Harz', 'Okertal', 'Nord'])} Logistik GmbH",
                                 job_title=rng.choice(["Lagerhelfer/in", "Pflegehelfer/in", "Bürokraft"]),
                                 job_kind=kind, sv_pflichtig=kind != "minijob")


def load(today=None, on_participation=None):
    """Create the demo data unless it exists. Returns a German summary line.

    ``on_participation(p)`` is called for each new participation (follow-up planning).
    """
    if User.select().where(User.username == "pap1").exists():
        return "Demodaten sind bereits vorhanden – nichts geändert."
    today = today or datetime.date.today()
    rng = random.Random(2026)
    fake = Faker("de_DE")
    fake.seed_instance(2026)
    with database.atomic():
        if JobcenterSettings.current() is None:
            JobcenterSettings.create(
                name="Jobcenter Landkreis Beispiel", street="Am Markt 1", postal_code="38640",
                city="Goslar", phone="05321 123-0", email="jobcenter-beispiel@jobcenter-ge.de",
                letterhead="Jobcenter Landkreis Beispiel · Am Markt 1 · 38640 Goslar",
                bundesland="NI", active_rulebook="goslar-2016",
                rez_name="Regionales Einkaufszentrum Nord der Bundesagentur für Arbeit",
                rez_address="Beispielstraße 10\n30159 Hannover",
                agentur_name="Agentur für Arbeit Beispielstadt, AG-/Trägerteam",
                agentur_address="Agenturplatz 1\n38640 Goslar")
        teams = [Team.get_or_create(name=name)[0] for name in TEAMS]
        pw = hash_password(DEMO_PASSWORD)
        users = {}
        for username, name, roles, team in USERS:
            users[username] = User.create(
                username=username, name=name, roles=roles, password_hash=pw,
                email=f"{username}@jobcenter-beispiel.invalid", phone=f"05321 123-{len(users) + 10}",
                team=teams[team] if team is not None else None)
        providers = [Provider.create(name=f"{fake.last_name()} Bildung {suffix}", street=fake.street_address(),
                                     postal_code=fake.postcode(), city=fake.city(),
                                     contact_person=fake.name(), email=f"kontakt{i}@traeger-beispiel.invalid",
                                     phone=fake.phone_number())
                     for i, suffix in enumerate(["gGmbH", "GmbH", "e.V.", "Akademie GmbH", "gGmbH Nord"])]
        paps = {0: [users["pap1"], users["pap2"]], 1: [users["pap3"], users["pap4"]]}
        customers = []
        for i in range(200):
            team = i % 2
            salutation = rng.choice(["Frau", "Herr"])  # letters address the person right
            customers.append(Customer.create(
                customer_number=f"{rng.randint(100, 999)}D{rng.randint(100000, 999999)}",
                salutation=salutation,
                first_name=fake.first_name_female() if salutation == "Frau" else fake.first_name_male(),
                last_name=fake.last_name(),
                birth_date=fake.date_of_birth(minimum_age=18 if i % 7 else 16, maximum_age=60),
                street=fake.street_address(), postal_code=fake.postcode(), city=fake.city(),
                team=teams[team], pap=rng.choice(paps[team])))
        count = 0
        for idx, (code, title, months, capacity, procurement, *ended) in enumerate(MEASURES + ENDED_MEASURES):
            assert code in MEASURE_TYPES
            # months relative to today; the ENDED_MEASURES end on the last day of a past month
            offset = -(months + ended[0] - 1) if ended else rng.randint(-14, 6)
            start = _add_months(today.replace(day=1), offset)
            end = _add_months(start, months) - datetime.timedelta(days=1)
            measure = Measure.create(
                type_code=code, measure_number=f"962/{today.year % 100:02d}{idx + 1:03d}/{rng.randint(10, 99)}",
                title=title, provider=providers[idx % len(providers)], start=start, end=end,
                capacity=capacity, location=fake.city(), procurement=procurement,
                mb=users["mb1" if idx % 2 == 0 else "mb2"] if capacity >= 10 else None)
            for customer in rng.sample(customers, UNDER_BOOKED.get(title, capacity)):
                entry = start + datetime.timedelta(days=rng.choice([0, 0, 0, 7, 14]))
                p = Participation(customer=customer, measure=measure, entry=min(entry, end), planned_end=end)
                if end < today:
                    if rng.random() < 0.15:
                        p.exit = entry + (end - entry) * rng.randint(3, 8) // 10
                        p.exit_kind = "abbruch"
                        p.dropout_reason = "Arbeitsaufnahme" if rng.random() < .5 else "Krankheit"
                        p.important_reason = rng.random() < 0.6
                    else:
                        p.exit, p.exit_kind = end, "regulaer"
                p.save()
                _case_records(rng, today, p, customer.pap)
                count += 1
                if on_participation:
                    on_participation(p)
        if on_participation:
            _work_off_the_past(rng, today, users)
    return (f"Demodaten angelegt: {len(TEAMS)} Teams, {len(USERS)} Benutzer, {len(customers)} Kunden, "
            f"{len(MEASURES) + len(ENDED_MEASURES)} Maßnahmen, {count} Teilnahmen. "
            f"Passwort aller Demo-Konten: {DEMO_PASSWORD}")
