"""Absolvent: Absolventenmanagement und Maßnahmebetreuung für Jobcenter (SGB II)."""
import logging

from flask import Flask
from flask_wtf.csrf import CSRFError, CSRFProtect
from htmx_flask import Htmx

csrf = CSRFProtect()
htmx = Htmx()


def create_app(test_config=None):
    """Application factory: config, database, login, CSRF, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="static")
    from . import config
    config.load(app, test_config)

    from . import db, passwords
    passwords.configure(**app.config.get("ARGON2_PARAMS", {}))
    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)

    from .auth import login_manager
    login_manager.init_app(app)

    from . import formats
    app.jinja_env.filters["de_date"] = formats.de_date
    app.jinja_env.globals["month_label"] = formats.month_label
    from .followups import missing_groups
    app.jinja_env.filters["missing_groups"] = missing_groups

    from . import blueprints
    blueprints.register(app)

    from . import errors
    errors.init_app(app)
    app.register_error_handler(CSRFError, errors.csrf_error)

    from . import cli
    cli.init_app(app)

    logging.getLogger("peewee").setLevel(logging.INFO)
    return app
