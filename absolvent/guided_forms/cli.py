"""Command line of the guided forms: ``flask --app app forms list | check [PATH]``.

A plain click group (no app context needed), like ``rules``. ``check`` prints
each problem as ``DATEI: schlüssel: problem`` and exits with status 2 when
there is any; a path that does not exist is one German line on stderr
(``Fehler: …``), also status 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from absolvent.guided_forms.engine import FormError, check_form, default_forms_dir, form_paths, list_forms
from absolvent.guided_forms.engine.definition import display_path

FORMS_DIR = default_forms_dir()

forms_cli = click.Group("forms", help="Geführte Formulare (forms/*/form.toml) anzeigen und prüfen.")


def fail(message: str) -> None:
    """Print one German error line on stderr and exit with status 2."""
    click.echo(f"Fehler: {message}", err=True)
    raise SystemExit(2)


@forms_cli.command("list")
def list_command() -> None:
    """Alle mitgelieferten Formulare auflisten (Kennung, Titel, Schritte, erledigte Regelwerksschritte, Dokument)."""
    try:
        forms = list_forms(FORMS_DIR)
    except FormError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        raise SystemExit(2) from None
    for form in forms:
        count = len(form.steps)
        steps = f"{count} Schritt" if count == 1 else f"{count} Schritte"
        click.echo("\t".join([form.id, form.title, steps, ",".join(form.completes) or "–", form.produces or "–"]))


@forms_cli.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check_command(path: Path | None) -> None:
    """Formular prüfen (Ordner oder form.toml); ohne PATH alle mitgelieferten."""
    if path is None:
        paths = form_paths(FORMS_DIR)
        if not paths:
            fail(f"Keine Formulare in {FORMS_DIR} gefunden.")
    elif not path.exists():
        fail(f"Pfad „{path}“ gibt es nicht.")
    else:
        file = path / "form.toml" if path.is_dir() else path
        if not file.is_file():
            fail(f"Im Ordner „{path}“ gibt es keine form.toml.")
        paths = [file]
    failed = False
    for file in paths:
        problems = check_form(file)
        for line in problems:
            click.echo(line)
        if problems:
            failed = True
        else:
            click.echo(f"OK {display_path(file)}")
    if failed:
        raise SystemExit(2)
