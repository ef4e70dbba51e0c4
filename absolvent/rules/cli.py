"""Command line of the rule engine: ``flask --app app rules …`` / ``controlling …``.

Plain click groups (no app context needed). Bad input ends with exit status 2
and one German line on stderr, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import click

from absolvent import formats
from absolvent.rules import (
    ControllingError,
    ParticipationFacts,
    PlanError,
    RulebookError,
    evaluate_all,
    format_de,
    list_rulebooks,
    load_rulebook,
    plan,
    validate_file,
)
from absolvent.rules.rulebook import rulebook_dir
from absolvent.rules.vocabulary import BUNDESLAENDER, MEASURE_TYPES, PHASES

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fail(message: str) -> None:
    """Print one German error line on stderr and exit with status 2."""
    click.echo(f"Fehler: {message}", err=True)
    raise SystemExit(2)


def parse_date(value: str, what: str) -> dt.date:
    """Return the date of "YYYY-MM-DD"; exits with status 2 when malformed."""
    if ISO_DATE.fullmatch(value):
        try:
            return formats.parse_date(value)
        except formats.DateFormatError:
            pass
    fail(f"{what}: ungültiges Datum \"{value}\" (erwartet JJJJ-MM-TT)")


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@click.group("rules")
def rules_cli() -> None:
    """Regelwerke anzeigen, prüfen und Pläne berechnen."""


@rules_cli.command("list")
def list_command() -> None:
    """Alle mitgelieferten Regelwerke auflisten."""
    try:
        rulebooks = list_rulebooks()
    except RulebookError as exc:
        fail(exc.errors[0])
    rows = [("Kennung", "Bundesland", "Titel")]
    rows += [(rb.id, f"{rb.bundesland} ({BUNDESLAENDER.get(rb.bundesland, '')})", rb.title)
             for rb in rulebooks]
    width_id = max(len(r[0]) for r in rows)
    width_land = max(len(r[1]) for r in rows)
    for rule_id, land, title in rows:
        click.echo(f"{rule_id:<{width_id}}  {land:<{width_land}}  {title}")


@rules_cli.command("plan")
@click.option("--rulebook", "rulebook_id", required=True, help="Kennung des Regelwerks")
@click.option("--measure", required=True, help="Maßnahmeart, z. B. FBW-ABS")
@click.option("--start", required=True, help="Eintritt JJJJ-MM-TT")
@click.option("--end", required=True, help="geplantes Ende JJJJ-MM-TT")
@click.option("--json", "as_json", is_flag=True, help="Ausgabe als JSON")
def plan_command(rulebook_id: str, measure: str, start: str, end: str, as_json: bool) -> None:
    """Plan einer Teilnahme berechnen."""
    try:
        rulebook = load_rulebook(rulebook_id)
    except RulebookError as exc:
        fail(exc.errors[0])
    if measure not in MEASURE_TYPES:
        fail(f"unbekannte Maßnahmeart \"{measure}\" (erlaubt: {', '.join(MEASURE_TYPES)})")
    facts = ParticipationFacts(measure, parse_date(start, "--start"), parse_date(end, "--end"))
    try:
        result = plan(rulebook, facts)
    except PlanError as exc:
        fail(str(exc))
    if as_json:
        payload = {
            "rulebook": rulebook.id, "measure": measure,
            "start": facts.start.isoformat(), "end": facts.end.isoformat(),
            "am_start": _iso(result.am_start), "am_end": _iso(result.am_end),
            "steps": [
                {"id": s.step_id, "title": s.title, "role": s.role, "phase": s.phase,
                 "earliest": _iso(s.earliest), "due": s.due.isoformat(),
                 "mandatory": s.mandatory}
                for s in result.steps
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"Regelwerk: {rulebook.title}")
    click.echo(f"Maßnahme:  {measure} ({MEASURE_TYPES[measure]}), "
               f"{format_de(facts.start)} bis {format_de(facts.end)}")
    click.echo(f"Absolventenmanagement: {format_de(result.am_start) or '–'} bis "
               f"{format_de(result.am_end) or '–'}")
    click.echo("")
    click.echo(f"{'fällig':<10}  {'frühestens':<10}  {'Rolle':<5}  {'Phase':<21}  Pflicht  Schritt")
    for s in result.steps:
        click.echo(f"{format_de(s.due):<10}  {format_de(s.earliest) or '–':<10}  {s.role:<5}  "
                   f"{PHASES[s.phase]:<21}  {'ja' if s.mandatory else 'nein':<7}  {s.title}")
    for line in result.missing + result.warnings:
        click.echo(f"Hinweis: {line}")


@rules_cli.command("validate")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def validate_command(file: Path | None) -> None:
    """Regelwerk-Datei(en) prüfen; ohne FILE alle mitgelieferten."""
    paths = [file] if file is not None else sorted(rulebook_dir().glob("*.toml"))
    failed = False
    for path in paths:
        errors = validate_file(path)
        if errors:
            failed = True
            for line in errors:
                click.echo(line, err=True)
        else:
            click.echo(f"OK {path.name}")
    if failed:
        raise SystemExit(1)


@click.group("controlling")
def controlling_cli() -> None:
    """Controlling „Absolventenmanagement erfüllt“."""


@controlling_cli.command("evaluate")
@click.argument("file", type=click.Path(path_type=Path))
def evaluate_command(file: Path) -> None:
    """Teilnahmen aus einer JSON-Datei bewerten (Schlüssel "participations")."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"Datei {file} nicht lesbar ({exc.strerror or exc})")
    except UnicodeDecodeError:
        fail(f"Datei {file} ist nicht UTF-8-kodiert")
    except json.JSONDecodeError as exc:
        fail(f"Datei {file} ist kein gültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno})")
    participations = data.get("participations") if isinstance(data, dict) else None
    if not isinstance(participations, list) or not all(
            isinstance(p, dict) for p in participations):
        fail(f"Datei {file}: Schlüssel \"participations\" mit einer Liste von Objekten fehlt")
    try:
        results = evaluate_all(participations)
    except ControllingError as exc:
        fail(str(exc))
    click.echo(json.dumps({"results": results}, ensure_ascii=False, indent=2))
