"""German error pages (403, 404, 413, 500) and the CSRF rejection.

A 403 or 404 answered for a route that reads personal data is logged as "denied"
(``audit.log_refusal``): the one place refused attempts are recorded."""
import contextlib

from flask import current_app

from . import audit
from .db import database
from .web import render

MESSAGES = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden."),
    403: ("Keine Berechtigung", "Für diese Seite oder Aktion fehlt Ihnen die Berechtigung. "
          "Wenden Sie sich bei Bedarf an Ihre Teamleitung."),
    404: ("Nicht gefunden", "Die Seite oder der Datensatz wurde nicht gefunden."),
    405: ("Nicht erlaubt", "Diese Aktion ist auf diesem Weg nicht möglich."),
    413: ("Datei zu groß", "Die hochgeladene Datei ist zu groß. Erlaubt sind höchstens "
          "{limit}."),
    500: ("Interner Fehler", "Es ist ein unerwarteter Fehler aufgetreten. Er wurde protokolliert; "
          "bitte versuchen Sie es erneut oder wenden Sie sich an die Administration."),
}


def _page(code, detail=None):
    title, text = MESSAGES[code]
    size = current_app.config["MAX_CONTENT_LENGTH"] or 0
    limit = f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"
    return render("errors/error.html", status=code, code=code, title=title,
                  text=detail or text.format(limit=limit))


def refused(exc, code):
    """403/404: log the refused attempt on personal data, then the German page."""
    audit.log_refusal(code)
    return _page(code)


def csrf_error(exc):
    return _page(400, "Das Formular ist abgelaufen oder ungültig (Sicherheitsprüfung). "
                      "Bitte laden Sie die Seite neu und senden Sie es erneut.")


def internal_error(exc):
    if not database.is_closed():
        with contextlib.suppress(Exception):  # the connection may be gone
            database.rollback()
    return _page(500)


def init_app(app):
    for code in (400, 405, 413):
        app.register_error_handler(code, lambda exc, code=code: _page(code))
    for code in (403, 404):
        app.register_error_handler(code, lambda exc, code=code: refused(exc, code))
    app.register_error_handler(500, internal_error)
