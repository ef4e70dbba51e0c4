"""Entry point for `flask --app app …` and WSGI servers (waitress, gunicorn)."""
from absolvent import create_app

app = create_app()
