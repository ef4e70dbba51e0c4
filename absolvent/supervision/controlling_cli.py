"""`flask --app app controlling report --month YYYY-MM [--team NAME] [--format json|xlsx] [--output FILE]`.

Prints (or writes) the month's quota "Absolventenmanagement erfüllt" per team and
pAp with every case and its reasons, computed by ``supervision.controlling`` with
the same rule function as ``controlling evaluate``. Bad input (malformed month,
unknown team or format, xlsx without --output, unwritable file) and a database
that is not reachable or not set up end with exit status 2 and one German line
on stderr.
"""
import hashlib
import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from .. import audit
from ..db import cli_database
from ..formats import parse_month
from ..models import Team
from . import controlling

FORMATS = ("json", "xlsx")


def _fail(message):
    click.echo(f"Fehler: {message}", err=True)
    raise SystemExit(2)


@click.command("report")
@click.option("--month", default=None, help="Berichtsmonat JJJJ-MM (Monat der Austritte)")
@click.option("--team", "team_name", default=None, help="Name des Teams (ohne Angabe: alle Teams)")
@click.option("--format", "fmt", default="json", show_default=True, help="json oder xlsx")
@click.option("--output", default=None, help="Zieldatei (bei xlsx erforderlich; json ohne Angabe auf stdout)")
@with_appcontext
def report_command(month, team_name, fmt, output):
    """Quote „Absolventenmanagement erfüllt“ eines Monats je Team und pAp."""
    month_start = parse_month(month) if month else None
    if month_start is None:
        _fail(f"--month: ungültiger Monat „{month or ''}“ (erwartet JJJJ-MM, z. B. 2026-05)")
    if fmt not in FORMATS:
        _fail(f"--format: unbekanntes Format „{fmt}“ (erlaubt: {', '.join(FORMATS)})")
    if fmt == "xlsx" and not output:
        _fail("--format xlsx braucht --output DATEI")
    with cli_database():
        team = None
        if team_name is not None:
            team = Team.get_or_none(Team.name == team_name)
            if team is None:
                _fail(f"--team: unbekanntes Team „{team_name}“")
        data = controlling.summary(month_start, team)
        if fmt == "json":
            body = (json.dumps(controlling.as_json(data), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        else:
            body = controlling.xlsx_bytes(data, controlling.trend(month_start, team))
        if output:
            try:
                Path(output).write_bytes(body)
            except OSError as exc:
                _fail(f"Die Datei „{output}“ kann nicht geschrieben werden: {exc.strerror or exc}.")
        audit.log("export", "controlling", team.id if team else "",
                  f"{fmt} Monat {month_start:%Y-%m} Team {team.name if team else 'alle'} (CLI) "
                  f"sha256={hashlib.sha256(body).hexdigest()}")
    if output:
        click.echo(f"{output}: {len(body)} Bytes (Controlling {month_start:%Y-%m}, {fmt}).")
    else:
        click.echo(body.decode("utf-8"), nl=False)
