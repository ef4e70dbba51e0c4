"""Ordinary concurrency on the embedded database (issue 10 finding 2): 16 writers at once,
each through its own client and connection, get no error and lose no write."""
import threading

from absolvent.db import database
from absolvent.models import Customer, FollowUp, Participation
from tests.conftest import Auth

WRITERS = 16
EACH = 4


def test_sixteen_concurrent_writers_get_no_errors(app, world):
    results, failures = [], []
    barrier = threading.Barrier(WRITERS)

    def writer(n):
        auth = Auth(app.test_client())
        auth.client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        try:
            assert auth.login("pap1").status_code == 302
            barrier.wait(timeout=30)
            for i in range(EACH):
                number = f"C{n:02d}X{i:02d}"
                created = auth.post("/kunden/neu", {"customer_number": number, "first_name": "Erika",
                                                    "last_name": f"Parallel {n}", "birth_date": "01.02.1990",
                                                    "pap": world["pap1"].id})
                results.append(created.status_code)
                customer_id = created.headers.get("Location", "/0").rsplit("/", 1)[-1]
                booked = auth.post("/teilnahmen/neu", {"customer": customer_id, "measure": world["m1"].id,
                                                       "entry": f"{world['m1'].start:%d.%m.%Y}",
                                                       "planned_end": f"{world['m1'].end:%d.%m.%Y}"})
                results.append(booked.status_code)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    assert results == [302] * (2 * WRITERS * EACH)
    with database.connection_context():
        created = Customer.select().where(Customer.last_name.startswith("Parallel"))
        assert created.count() == WRITERS * EACH
        booked = Participation.select().where(Participation.customer.in_(created))
        assert booked.count() == WRITERS * EACH
        # every participation was planned completely (its follow-ups exist)
        assert all(FollowUp.select().where(FollowUp.participation == p.id).exists() for p in booked)
