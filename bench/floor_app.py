"""The app as the benchmark serves it: ``create_app()`` plus the floor page (not a test).

    ABSOLVENT_BENCH=1 DATABASE_URL=… gunicorn --pythonpath bench floor_app:app

The floor is the cheapest real page this app can serve: logged in, the app's own
request handling (database connection, session check, security headers, CSRF token,
navigation), 50 follow-ups with their participation and customer (3 tables, one
query through the primary key) rendered in ``base.html``. Every page of the
benchmark is compared with it, in the same server and the same run. It exists only
here, and only when ``ABSOLVENT_BENCH=1`` is set.
"""
import os
import sys
from pathlib import Path

from flask import Blueprint, render_template_string, request
from flask_login import login_required

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from absolvent import create_app  # noqa: E402
from absolvent.models import Customer, FollowUp, Participation  # noqa: E402

if os.environ.get("ABSOLVENT_BENCH") != "1":
    raise SystemExit("floor_app: nur für den Benchmark (ABSOLVENT_BENCH=1)")

FLOOR = """{% extends "base.html" %}
{% block title %}Boden{% endblock %}
{% block content %}
<h1>Boden: 50 Wiedervorlagen</h1>
<table>
  <thead><tr><th scope="col">Fällig</th><th scope="col">Schritt</th><th scope="col">Kunde</th>
  <th scope="col">Eintritt</th></tr></thead>
  <tbody>
  {% for f in rows %}
    <tr><td>{{ f.due|de_date }}</td><td>{{ f.title }}</td>
    <td>{{ f.participation.customer.full_name }} ({{ f.participation.customer.customer_number }})</td>
    <td>{{ f.participation.entry|de_date }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}"""

bp = Blueprint("bench_floor", __name__)


@bp.get("/bench/boden")
@login_required
def floor():
    start = request.args.get("ab", 1, type=int)
    rows = (FollowUp.select(FollowUp, Participation, Customer).join(Participation).join(Customer)
            .where(FollowUp.id >= start).order_by(FollowUp.id).limit(50))
    return render_template_string(FLOOR, rows=list(rows))


app = create_app()
app.register_blueprint(bp)


@app.after_request
def worker_header(response):
    """Which gunicorn worker answered: the benchmark spreads its keep-alive connections evenly
    over the workers (a connection stays with the worker that accepted it)."""
    response.headers["X-Bench-Worker"] = str(os.getpid())
    return response
