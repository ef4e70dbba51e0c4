"""`flask --app app documents list | sample | install-template` (README contract).

Bad input (unknown document, unsupported format, unreadable file, refused
template) and a database that is not reachable or not set up (``cli_database``)
end with exit status 2 and one German line on stderr.
"""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..db import cli_database
from . import operations
from .render import DocumentError, registry

documents_cli = AppGroup("documents", help="Dokumente: Vorlagen anzeigen, Beispiele erstellen, Vorlagen installieren.")


def _fail(message):
    click.echo(f"Fehler: {message}", err=True)
    raise SystemExit(2)


def _spec(name):
    try:
        return registry.get(operations.forms_dir(), name)
    except DocumentError as exc:
        _fail(str(exc))


@documents_cli.command("list", help="Alle Dokumente mit Titel und Formaten.")
def list_command():
    for spec in registry.list_documents(operations.forms_dir()):
        click.echo(f"{spec.name}\t{spec.title}\t{','.join(spec.formats)}")


@documents_cli.command("sample", help="Ein Dokument mit seinen Beispieldaten (sample.json) erstellen.")
@click.argument("name")
@click.option("--format", "fmt", required=True, help="pdf oder docx")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="Zieldatei")
def sample_command(name, fmt, output):
    spec = _spec(name)
    if fmt not in spec.formats:
        _fail(f"„{spec.name}“ gibt es nur als {', '.join(spec.formats)}, nicht als „{fmt}“.")
    try:
        data = _render_sample(spec, fmt)
    except DocumentError as exc:
        _fail(str(exc))
    try:
        Path(output).write_bytes(data)
    except OSError as exc:
        _fail(f"Die Datei „{output}“ kann nicht geschrieben werden: {exc.strerror}.")
    click.echo(f"{output}: {len(data)} Bytes ({spec.title}, {fmt}).")


def _render_sample(spec, fmt):
    with cli_database():  # a DOCX uses the installed template
        return operations.render(spec, fmt, registry.load_sample(spec))[0]


@documents_cli.command("install-template", help="Eine Word-Vorlage prüfen (Sandbox, Beispieldaten) und aktivieren.")
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False))
def install_template_command(name, file):
    _spec(name)
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        _fail(f"Die Datei „{file}“ kann nicht gelesen werden: {exc.strerror}.")
    with cli_database():
        row, error = operations.install_template(name, data, note=f"CLI: {Path(file).name}")
    if error:
        _fail(f"Vorlage abgelehnt: {error}")
    click.echo(f"Vorlage für „{name}“ als Version {row.version} (upload-{row.version}) aktiviert.")
