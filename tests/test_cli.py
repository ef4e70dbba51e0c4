"""Command line: users create, demo load, db upgrade, and the rules/controlling contract in the app."""
import json

from absolvent.db import database
from absolvent.models import Agreement, Customer, FollowUp, Measure, Note, Participation, PlacementProposal, Team, User


def test_users_create(runner, app):
    result = runner.invoke(args=["users", "create", "--username", "chefin", "--name", "Clara Chef",
                                 "--roles", "Admin,TL", "--team", "Team 1"],
                           input="Sicheres-Passwort-1\nSicheres-Passwort-1\n")
    assert result.exit_code == 0, result.output
    assert "Benutzerkonto „chefin“ (Admin, TL) angelegt." in result.output
    with database.connection_context():
        user = User.get(User.username == "chefin")
        assert user.role_set == {"Admin", "TL"} and user.team.name == "Team 1"
        assert user.password_hash.startswith("$argon2id$")


def test_users_create_refuses_bad_input(runner, app):
    weak = runner.invoke(args=["users", "create", "--username", "x", "--name", "X"], input="kurz\nkurz\n")
    assert weak.exit_code == 2 and "mindestens 10 Zeichen" in weak.output
    role = runner.invoke(args=["users", "create", "--username", "x", "--name", "X", "--roles", "Chef"],
                         input="Sicheres-Passwort-1\nSicheres-Passwort-1\n")
    assert role.exit_code == 2 and "Unbekannte Rolle(n): Chef" in role.output
    runner.invoke(args=["users", "create", "--username", "x", "--name", "X"],
                  input="Sicheres-Passwort-1\nSicheres-Passwort-1\n")
    dup = runner.invoke(args=["users", "create", "--username", "x", "--name", "X"],
                        input="Sicheres-Passwort-1\nSicheres-Passwort-1\n")
    assert dup.exit_code == 2 and "gibt es bereits" in dup.output


def test_demo_load_is_realistic_and_idempotent(runner, app):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Demodaten angelegt" in first.output
    with database.connection_context():
        counts = (Team.select().count(), User.select().count(), Customer.select().count(),
                  Measure.select().count(), Participation.select().count())
        assert counts[0] == 2 and counts[2] == 200 and counts[3] == 22 and 250 <= counts[4] <= 350
        roles = set().union(*(u.role_set for u in User.select()))
        assert roles == {"pAp", "MB", "boV", "AG-S", "TL", "BL", "DQM", "Admin", "DS"}
        assert {m.type_code for m in Measure.select()} >= {"MAT", "MAG", "AVGS", "AGH", "FBW", "FBW-ABS",
                                                          "BAE", "BVB", "EQ", "16E", "16I"}
        assert Participation.select().where(Participation.exit_kind == "abbruch").exists()
        assert FollowUp.select().count() > 500
        assert FollowUp.select().where(FollowUp.measure.is_null(False)).exists()  # MB steps of group measures
        # what caseworkers record: agreements, qualified contacts, VVs (controlling has cases to count)
        assert Agreement.select().count() > 200 and PlacementProposal.select().exists()
        assert Note.select().where(Note.kind == "kontakt", Note.qualified == True).count() > 50
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "bereits vorhanden" in second.output
    with database.connection_context():
        assert Participation.select().count() == counts[4]


def test_demo_users_can_log_in(runner, app, auth):
    runner.invoke(args=["demo", "load"])
    from absolvent.demo import DEMO_PASSWORD
    assert auth.login("pap1", DEMO_PASSWORD).status_code == 302
    assert "Fällige Wiedervorlagen" in auth.get("/start").get_data(as_text=True)


def test_db_upgrade_command(runner, app):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "keine (aktuell)" in result.output


def test_rules_cli_registered(runner, app, tmp_path):
    plan = runner.invoke(args=["rules", "plan", "--rulebook", "goslar-2016", "--measure", "FBW-ABS",
                               "--start", "2026-01-01", "--end", "2027-12-31", "--json"])
    assert plan.exit_code == 0
    data = json.loads(plan.output)
    assert data["am_end"] == "2028-06-30" and data["steps"]
    bad = runner.invoke(args=["rules", "plan", "--rulebook", "goslar-2016", "--measure", "XYZ",
                              "--start", "2026-01-01", "--end", "2027-12-31"])
    assert bad.exit_code == 2
    payload = tmp_path / "c.json"
    payload.write_text(json.dumps({"participations": [{"ref": "A", "measure": "FBW", "entry": "2026-01-01",
                                                       "exit": "2026-12-31", "abbruch": False,
                                                       "agreements": [], "proposals": []}]}))
    result = runner.invoke(args=["controlling", "evaluate", str(payload)])
    assert result.exit_code == 0 and json.loads(result.output)["results"][0]["fulfilled"] is False
