"""Command line: `flask --app app users create`, `demo load`, and every area's group (rules, documents …)."""
import click
from flask.cli import AppGroup

from . import backup  # noqa: F401 - registers `db backup` and `db restore`
from . import demo as demo_data
from .caseload.planning import replan_new
from .db import cli_database, database
from .documents.cli import documents_cli
from .guided_forms.cli import forms_cli
from .imports.cli import import_cli
from .rules.cli import controlling_cli, rules_cli
from .supervision.controlling_cli import report_command
from .vocabulary import ROLES
from .models import Team, User
from .passwords import hash_password, password_problem


users_cli = AppGroup("users", help="Benutzerkonten verwalten.")


@users_cli.command("create", help="Ein Benutzerkonto anlegen (z. B. die erste Administration).")
@click.option("--username", prompt="Benutzername")
@click.option("--name", prompt="Name")
@click.option("--roles", default="Admin", show_default=True,
              help="Kommagetrennt: " + ", ".join(ROLES))
@click.option("--team", default="", help="Name des Teams (wird angelegt, falls nötig)")
@click.option("--email", default="")
@click.password_option("--password", prompt="Passwort", confirmation_prompt="Passwort wiederholen")
def create_user(username, name, roles, team, email, password):
    codes = [r.strip() for r in roles.split(",") if r.strip()]
    unknown = [r for r in codes if r not in ROLES]
    if unknown or not codes:
        raise click.UsageError(f"Unbekannte Rolle(n): {', '.join(unknown) or '(keine)'}. "
                               f"Erlaubt: {', '.join(ROLES)}")
    problem = password_problem(password)
    if problem:
        raise click.UsageError(problem)
    with cli_database():
        if User.select().where(User.username == username).exists():
            raise click.UsageError(f"Den Benutzernamen „{username}“ gibt es bereits.")
        with database.atomic():
            team_obj = Team.get_or_create(name=team)[0] if team else None
            User.create(username=username, name=name, roles=",".join(codes), email=email,
                        team=team_obj, password_hash=hash_password(password))
    click.echo(f"Benutzerkonto „{username}“ ({', '.join(codes)}) angelegt.")


demo_cli = AppGroup("demo", help="Demodaten.")


@demo_cli.command("load", help="Ein Demo-Jobcenter anlegen (idempotent).")
@click.option("--if-empty", is_flag=True, help="Nur, wenn noch keine Benutzer existieren.")
def demo_load(if_empty):
    with cli_database():
        if if_empty and User.select().exists() and not User.select().where(User.username == "pap1").exists():
            click.echo("Die Datenbank enthält bereits Benutzer – keine Demodaten geladen.")
            return
        click.echo(demo_data.load(on_participation=replan_new))
        database.execute_sql("ANALYZE")


def init_app(app):
    if "report" not in controlling_cli.commands:  # the pure rules CLI evaluates; the report needs the database
        controlling_cli.add_command(report_command)
    for group in (users_cli, demo_cli, rules_cli, controlling_cli, documents_cli, forms_cli, import_cli):
        app.cli.add_command(group)
