"""Absolvent: Absolventenmanagement und Maßnahmebetreuung für Jobcenter (SGB II)."""
import importlib
import logging

from flask import Flask, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from htmx_flask import Htmx

from .vocabulary import CASE_EDITORS, CASE_ROLES, CONTROLLING_ROLES, SUPERVISORS

csrf = CSRFProtect()
htmx = Htmx()

# every area's view modules, each with one blueprint ``bp`` (see ARCHITECTURE.md)
VIEW_MODULES = (
    "auth", "home",
    "caseload.customers", "caseload.participations", "caseload.followups", "caseload.worklist",
    "caseload.agreements", "caseload.rulebook",
    "measures.measures", "measures.providers", "measures.workspace", "measures.office_hours",
    "measures.first_day", "measures.agh", "measures.surveys",
    "measures.reports", "measures.bae", "measures.defects",
    "guided_forms.views", "supervision.views", "supervision.controlling_views", "supervision.monitoring_views",
    "documents.views", "admin.views", "audit_views",
    "ical.views",
    "imports.views",
)

# the navigation: (endpoint, German label, roles that see it or None for everyone)
NAVIGATION = (
    ("home.index", "Start", None),
    ("worklist.index", "Wiedervorlagen", CASE_ROLES),
    ("customers.index", "Kunden", CASE_ROLES),
    ("participations.index", "Teilnahmen", CASE_ROLES),
    ("workspace.index", "Meine Maßnahmen", ("MB",)),
    ("measures.index", "Maßnahmen", None),
    ("providers.index", "Träger", None),
    ("guided_forms.drafts", "Entwürfe", CASE_ROLES),
    ("rulebook.index", "Regelwerk", None),
    ("documents.bulk", "Sammeldruck", CASE_EDITORS),
    ("supervision.index", "Fachaufsicht", (*SUPERVISORS, "DQM")),
    ("controlling.index", "Controlling", CONTROLLING_ROLES),
    ("monitoring.not_initiated", "Nicht eingeleitet", ("DQM", "TL", "BL")),
    ("monitoring.team_dashboard", "Team-Übersicht", ("TL",)),
    ("monitoring.area_dashboard", "Bereichs-Übersicht", ("BL",)),
    ("documents.templates", "Vorlagen", ("Admin",)),
    ("imports.index", "Import", ("Admin", "MB")),
    ("admin.users", "Verwaltung", ("Admin",)),
    ("audit.index", "Protokoll", ("DS",)),
)


def nav_items(user):
    """The navigation entries ``user`` may use, in display order: [{"url", "label"}]."""
    items = []
    for endpoint, label, roles in NAVIGATION:
        if roles is None or user.has_role(*roles):
            items.append({"url": url_for(endpoint), "label": label})
    return items


def create_app(test_config=None):
    """Application factory: config, database, login, CSRF, htmx, blueprints, navigation, CLI."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="static")
    from . import cli, config, db, errors, formats, passwords
    from .auth import login_manager
    from .models import JobcenterSettings
    from .web import IdConverter, security_headers

    app.url_map.converters["int"] = IdConverter
    app.after_request(security_headers)
    config.load(app, test_config)
    if app.config["PROXY_COUNT"]:  # client addresses from X-Forwarded-For, only behind configured proxies
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])
    passwords.configure(**app.config.get("ARGON2_PARAMS", {}))
    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    app.jinja_env.filters["de_date"] = formats.de_date
    app.jinja_env.globals["month_label"] = formats.month_label
    for name in VIEW_MODULES:
        app.register_blueprint(importlib.import_module(f".{name}", __name__).bp)

    @app.context_processor
    def inject_navigation():
        if not (current_user and current_user.is_authenticated):
            return {"nav_items": [], "jobcenter_name": app.config["JOBCENTER_NAME"]}
        settings = JobcenterSettings.current()
        return {"nav_items": nav_items(current_user),
                "jobcenter_name": settings.name if settings else app.config["JOBCENTER_NAME"]}

    errors.init_app(app)
    app.register_error_handler(CSRFError, errors.csrf_error)
    cli.init_app(app)
    logging.getLogger("peewee").setLevel(logging.INFO)
    return app
