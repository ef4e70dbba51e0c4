"""The upload page's background work: check an uploaded export (the preview), then import it.

The same mechanism as the Sammeldruck (``documents.operations``: a daemon thread with its own
app context and connection, a heartbeat, a self-polling htmx progress block, ``IMPORT_SYNC``
runs it in the request for tests). The import writes in ONE transaction, which other
connections cannot look into (and on SQLite cannot write beside): its progress is therefore
kept in this process (``LIVE``) and the job row learns the outcome at the commit. A job that
stops reporting for ``STALE_SECONDS`` (a restart) ends with a German message.
"""
import datetime
import hashlib
import json
import threading

from flask import current_app

from .. import audit
from ..db import database
from ..models import User, now
from . import operations, parse
from .models import RUNNING, ImportJob

STALE_SECONDS = 30 * 60  # the write transaction of a very large file reports no heartbeat to the row
KEEP_DAYS = 1  # uploaded files not imported are deleted after this
LIVE = {}  # job id -> (done, total, phase) of imports running in this process
STALE_MESSAGE = "Der Import wurde unterbrochen (z. B. durch einen Neustart des Servers). Es wurde nichts importiert."


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def reap_stale_jobs(user_id):
    """Mark the user's silent jobs as failed; delete their old uploads that were never imported."""
    cutoff = now() - datetime.timedelta(seconds=STALE_SECONDS)
    (ImportJob.update(status="failed", error=STALE_MESSAGE, content=b"", finished_at=now())
     .where(ImportJob.user == user_id, ImportJob.status.in_(RUNNING), ImportJob.heartbeat_at < cutoff,
            ImportJob.id.not_in(list(LIVE) or [0])).execute())
    old = now() - datetime.timedelta(days=KEEP_DAYS)
    ImportJob.delete().where(ImportJob.user == user_id, ImportJob.status.not_in(RUNNING),
                             ImportJob.created_at < old).execute()


def create_job(user, file_name, data):
    """Keep the uploaded bytes (with SHA-256) and queue the check; returns the job."""
    reap_stale_jobs(user.id)
    with database.atomic():
        job = ImportJob.create(user=user, file_name=file_name[:255], size=len(data), sha256=sha256(data),
                               content=data, status="checking", phase="Datei wird geprüft", heartbeat_at=now())
        audit.log("create", "import-upload", job.id, f"{file_name[:200]} ({len(data)} Bytes, {job.sha256})", user=user)
    return job


def start(job, mode):
    """Run ``mode`` ("check" or "import") now (config IMPORT_SYNC, tests) or in a background thread."""
    app = current_app._get_current_object()
    if app.config.get("IMPORT_SYNC", False):
        process(app, job.id, mode)
        return
    threading.Thread(target=_run, args=(app, job.id, mode), daemon=True, name=f"import-{mode}-{job.id}").start()


def _run(app, job_id, mode):
    with app.app_context(), database.connection_context():
        process(app, job_id, mode)


def _finish(job_id, **values):
    ImportJob.update(finished_at=now(), heartbeat_at=now(), **values).where(ImportJob.id == job_id).execute()


def _load(job):
    """Read, check and compare the job's file; returns (Changes or None, problems as text)."""
    rows, problems = operations.load(job.data)
    changes = operations.analyse(rows, job.user) if not problems else None
    problems = problems or changes.problems
    return changes, [str(p) for p in problems]


def process(app, job_id, mode):
    job = ImportJob.select(ImportJob, User).join(User).where(ImportJob.id == job_id).get()
    try:
        if sha256(job.data) != job.sha256:
            raise parse.ImportFileError("Die gespeicherte Datei ist nicht mehr dieselbe; bitte erneut hochladen.")
        changes, problems = _load(job)
        if mode == "check":
            report = {"problems": problems, **(changes.summary() if changes and not problems else {})}
            _finish(job_id, status="checked", phase="", report=json.dumps(report),
                    **({"content": b""} if problems else {}))  # a bad file is not kept
            audit.log("read", "import-preview", job_id, f"{len(problems)} Probleme" if problems else report["text"],
                      user=job.user)
            return
        if problems:  # the database changed since the preview (e.g. a measure got another MB)
            _finish(job_id, status="failed", content=b"", report=json.dumps({"problems": problems}),
                    error="Die Datei passt nicht mehr zum Datenbestand. Es wurde nichts importiert.")
            return

        def progress(done, total, phase):
            LIVE[job_id] = (done, total, phase)

        LIVE[job_id] = (0, 1, "Import beginnt")
        result = operations.apply(changes, job.user, progress)
        _finish(job_id, status="done", phase="", content=b"", report=json.dumps({"problems": [], **result}))
    except parse.ImportFileError as exc:
        _finish(job_id, status="failed" if mode == "import" else "checked", content=b"",
                report=json.dumps({"problems": [str(exc)]}), error=str(exc) if mode == "import" else "")
    except Exception:  # noqa: BLE001 - the job must end with a visible message
        app.logger.exception("Import %s (%s) fehlgeschlagen", job_id, mode)
        _finish(job_id, status="failed", content=b"",
                error="Unerwarteter Fehler beim Import. Es wurde nichts importiert.")
    finally:
        LIVE.pop(job_id, None)


def begin_import(job, user):
    """Claim a checked job for the import (once: a second click finds it claimed); True if claimed."""
    claimed = (ImportJob.update(status="importing", phase="Import beginnt", heartbeat_at=now())
               .where(ImportJob.id == job.id, ImportJob.status == "checked").execute())
    if claimed:
        audit.log("update", "import", job.id, f"{job.file_name} ({job.sha256}) wird importiert", user=user)
    return bool(claimed)


def live_progress(job):
    """(done, total, phase) of a running job: this process's live figures, else the row's."""
    return LIVE.get(job.id) or (job.done, job.total or 1, job.phase)
