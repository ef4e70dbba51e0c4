"""Configuration: defaults, environment variables, instance folder.

Nothing secret lives in the repository. SECRET_KEY comes from the environment or
is generated once into the instance folder (file mode 0600).
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _flag(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "ja", "on"}


def _secret_key(instance_path):
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load(app, overrides=None):
    """Fill app.config from defaults, the environment and ``overrides`` (tests)."""
    instance = Path(app.instance_path)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'absolvent.sqlite3'}"
        ),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_flag("SESSION_COOKIE_SECURE", True),
        SESSION_COOKIE_NAME="absolvent_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        SESSION_IDLE_MINUTES=int(os.environ.get("SESSION_IDLE_MINUTES", "60")),
        REMEMBER_COOKIE_DURATION=timedelta(seconds=0),
        WTF_CSRF_TIME_LIMIT=None,  # bound to the session, which expires itself
        WTF_CSRF_HEADERS=["X-CSRFToken"],
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024,
        LOGIN_MAX_FAILURES_ACCOUNT=5,
        LOGIN_MAX_FAILURES_ADDRESS=20,
        LOGIN_WINDOW_MINUTES=15,
        JOBCENTER_NAME=os.environ.get("JOBCENTER_NAME", "Jobcenter"),
        DATABASE_POOLED=True,
    )
    app.config.update(overrides or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
