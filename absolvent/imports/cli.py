"""`flask --app app import participations FILE [--dry-run]` (README contract).

A bad file prints one line per problem („Zeile N: Spalte: Meldung“) on stderr and exits 2,
importing nothing; so do an unreadable file, an unknown format and a database that is not
reachable or not set up (``cli_database``). ``--dry-run`` reports without writing.
"""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..db import cli_database, cli_fail
from . import operations, parse

import_cli = AppGroup("import", help="Daten aus COSACH/VerBIS-Exporten (CSV oder XLSX) übernehmen.")



def _rows(n):
    return f"{n} Zeile" if n == 1 else f"{n} Zeilen"

@import_cli.command("participations", help="Maßnahmen und Teilnahmen aus einer CSV- oder XLSX-Datei importieren "
                                           "(alles oder nichts).")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Nur berichten, was angelegt und geändert würde; nichts schreiben.")
def participations_command(file, dry_run):
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        cli_fail(f"Die Datei „{file}“ kann nicht gelesen werden: {exc.strerror}.")
    with cli_database():
        try:
            rows, problems = operations.load(data)
        except parse.ImportFileError as exc:
            cli_fail(f"{Path(file).name}: {exc}")
        changes = operations.analyse(rows) if not problems else None
        problems = problems or changes.problems
        if problems:
            for problem in problems:
                click.echo(str(problem), err=True)
            click.echo(f"Fehler: {len(problems)} Problem(e) – nichts importiert.", err=True)
            raise SystemExit(2)
        if dry_run:
            summary = changes.summary()
            click.echo(f"Probelauf ({_rows(summary['rows'])}), nichts geschrieben. Es würden: {summary['text']}")
        else:
            summary = operations.apply(changes, None)
            click.echo(f"Importiert ({_rows(summary['rows'])}): {summary['text']}")
    for title, entry in summary["lists"].items():
        click.echo(f"{title} ({entry['count']}): " + "; ".join(entry["items"][:20])
                   + (" …" if entry["count"] > 20 else ""))
