"""Configuration: defaults, environment variables, instance folder.

Nothing secret lives in the repository. SECRET_KEY comes from the environment or
is generated once into the instance folder. The instance files (secret key, SQLite
database with its -wal and -shm files) are readable by their owner only: files
0600, the instance folder 0700.
"""
import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _flag(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "ja", "on"}


def private_file(path):
    """Create the file ``path`` (and its folder, 0700) readable and writable by the owner
    only (0600), or tighten it when it exists; the same for SQLite's -wal and -shm files.

    SQLite treats the empty file as a new database and gives -wal and -shm the mode of
    the database file, so calling this before the first connection covers all three."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        sibling = path.with_name(name)
        if sibling.exists():
            with contextlib.suppress(PermissionError):  # someone else's file: leave it
                sibling.chmod(0o600)


def _secret_key(instance_path):
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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
        LOGIN_MAX_FAILURES_ACCOUNT=5,  # per account and address: then 1, 2, 4 … minutes to wait
        LOGIN_MAX_FAILURES_ADDRESS=20,  # per address (spraying) and per account from everywhere
        LOGIN_WINDOW_MINUTES=15,
        LOGIN_MAX_DELAY_MINUTES=15,
        # reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none)
        PROXY_COUNT=int(os.environ.get("PROXY_COUNT", "0") or 0),
        JOBCENTER_NAME=os.environ.get("JOBCENTER_NAME", "Jobcenter"),
        DATABASE_POOLED=True,
    )
    app.config.update(overrides or {})
    if instance.is_dir():  # it holds the SQLite database and the secret key: the owner's only
        with contextlib.suppress(PermissionError):
            instance.chmod(0o700)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
