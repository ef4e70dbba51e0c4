"""Benchmark: the busiest pages under 8 concurrent clients, at 1/10 and at full scale (not a test).

    .venv/bin/python bench/bench_pages.py [--db sqlite,postgresql] [--scales small,full]
        [--worker-class gthread] [--workers 2] [--threads 4] [--runs 128] [--seconds 8]

For each database (SQLite; PostgreSQL when it answers on 127.0.0.1:5432) and scale, the
kept data set (bench/dataset.py, built when missing or outdated) is copied and served by
gunicorn on 127.0.0.1 (a free port; ``bench/floor_app.py``: the app plus the floor page);
both scales of a database are served at once and measured page by page. Sessions log in
(8 pAp, 8 TL, 8 MB, the 2 BL 4 times each, and a mix of 4 pAp, 2 TL, 2 MB for the start
page), each with a keep-alive connection and its cookies, the connections of a role spread
evenly over the workers (``spread``). Per page and scale 8 client threads
send up to ``--runs`` requests (at most ``--seconds`` s); then one client alone sends
``--sequential`` requests per scale (at most ``--seconds`` s), the scales in turn. Printed:
p50 and p95 under load at both scales, p95 ÷ the floor page's p95 in the same server at
full scale, the growth (p95 under load and the median of one request alone, full ÷ 1/10
scale) and the table rows the page shows at both scales (a Fachaufsicht month or a search
shows more rows at full scale).
The figures also go to bench/out/pages.json.
"""
import argparse
import datetime
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402

BENCH = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
CLIENTS = 8
SEARCH = ["Müller", "Schmidt", "Wagner", "Becker", "Hoffmann", "Koch", "Richter", "Klein"]


class Client:
    """One browser: a keep-alive connection to the server and its cookies."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies = {}
        self.worker = None  # the gunicorn worker (pid) that answered last (floor_app's X-Bench-Worker)

    def request(self, method, path, body=None, headers=None):
        headers = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # the server closed an idle keep-alive connection: open a new one
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        self.worker = response.headers.get("X-Bench-Worker")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        return response.status, data

    def login(self, username):
        status, page = self.request("GET", "/anmelden")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        body = f"csrf_token={quote(token)}&username={quote(username)}&password={quote(dataset.PASSWORD)}"
        status, _ = self.request("POST", "/anmelden", body=body)
        if status != 302:
            raise SystemExit(f"bench_pages: Anmeldung von {username} fehlgeschlagen ({status})")


def spread(clients, workers):
    """Reconnect clients until their keep-alive connections are spread evenly over the workers.

    A gthread worker keeps every connection it accepted, and which worker accepts is chance:
    8 connections landed 5/3, 8/0 and 7/1 on 2 workers in three tries, and a server whose
    clients all sit on one worker answers under load at half the speed (one core, one GIL) —
    that, not the data, made one scale look 2× slower than the other. Many users spread
    evenly; 8 clients only do when asked to."""
    quota, counts = -(-len(clients) // workers), {}
    for client in clients:
        for _ in range(200):
            client.request("GET", "/bench/boden?ab=1")
            if counts.get(client.worker, 0) < quota:
                counts[client.worker] = counts.get(client.worker, 0) + 1
                break
            client.conn.close()  # the next request opens a new connection
        else:
            raise SystemExit("bench_pages: Verbindungen lassen sich nicht auf die Worker verteilen")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url, args):
    port = free_port()
    env = {**os.environ, "ABSOLVENT_BENCH": "1", "DATABASE_URL": url, "SECRET_KEY": "bench-secret",
           "SESSION_COOKIE_SECURE": "0"}
    command = [str(VENV_BIN / "gunicorn"), "--pythonpath", str(BENCH), "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--worker-class", args.worker_class, "--threads", str(args.threads),
               "--timeout", "120", "--keep-alive", "30", "--log-level", "warning", "floor_app:app"]
    server = subprocess.Popen(command, env=env, cwd=BENCH.parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            if server.poll() is not None:
                raise SystemExit("bench_pages: gunicorn ist nicht gestartet") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("bench_pages: gunicorn antwortet nicht")


def stop_server(server):
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def case_ids(url):
    """Per pAp (teams 1–8): running participations and customers of their caseload; per MB
    (mb-1 … mb-8): running measures."""
    from absolvent.db import database, make_database
    from absolvent.models import Customer, Measure, Participation, User
    database.initialize(make_database(url, pooled=False))
    today = datetime.date.today()
    with database.connection_context():
        out = {}
        for team in range(1, CLIENTS + 1):
            pap = User.get(User.username == f"pap-{team}-1")
            running = (Participation.select(Participation.id, Participation.customer).join(Customer)
                       .where(Customer.pap == pap.id, Participation.entry <= today, Participation.exit.is_null())
                       .order_by(Participation.id).limit(5))
            mb = User.get(User.username == f"mb-{team}")
            measures = (Measure.select(Measure.id).where(Measure.mb == mb.id, Measure.start <= today,
                                                          Measure.end >= today).order_by(Measure.id).limit(5))
            out[team] = {"participations": [p.id for p in running], "customers": [p.customer_id for p in running],
                         "measures": [m.id for m in measures]}
    database.close()
    return out


def pages(ids):
    """(label, role of the 8 clients, url for client i and request n, headers)."""
    month = (datetime.date.today().replace(day=28) + datetime.timedelta(days=4)).strftime("%Y-%m")
    htmx = {"HX-Request": "true"}

    def rotate(key):
        return lambda i, n: ids[i + 1][key][n % len(ids[i + 1][key])]

    participation, customer, measure = rotate("participations"), rotate("customers"), rotate("measures")
    return [
        ("Startseite", "mix", lambda i, n: "/start", {}),
        ("Wiedervorlagen 14 Tage, meine", "pAp", lambda i, n: "/wiedervorlagen/", {}),
        ("Wiedervorlagen alle, Team", "pAp", lambda i, n: "/wiedervorlagen/?zeitraum=alle&bereich=team", {}),
        ("Fachaufsicht-Liste", "TL", lambda i, n: f"/fachaufsicht/liste?monat={month}&team={i + 1}", {}),
        ("Teilnahme mit Plan", "pAp", lambda i, n: f"/teilnahmen/{participation(i, n)}", {}),
        ("Kundensuche (htmx)", "pAp", lambda i, n: f"/kunden/?q={quote(SEARCH[(i + n) % len(SEARCH)])}", htmx),
        ("Kundenseite", "pAp", lambda i, n: f"/kunden/{customer(i, n)}", {}),
        ("Teilnahmen laufend (Liste)", "pAp", lambda i, n: "/teilnahmen/", {}),
        ("Wiedervorlagen alle, MB", "MB", lambda i, n: "/wiedervorlagen/?zeitraum=alle", {}),
        ("Wiedervorlagen alle Rollen, BL", "BL", lambda i, n: "/wiedervorlagen/?zeitraum=alle&rolle=alle", {}),
        ("Team-Übersicht, TL", "TL", lambda i, n: "/dashboard/team", {}),
        ("Meine Maßnahmen, MB", "MB", lambda i, n: "/meine-massnahmen/", {}),
        ("Maßnahme des MB", "MB", lambda i, n: f"/meine-massnahmen/{measure(i, n)}", {}),
        # the floor: 50 steps from one of 100 places among the first 100,000 (both scales hold
        # them; beyond the 1/10 scale's last step the page was empty there)
        ("Boden (50 Zeilen, 3 Tabellen)", "pAp", lambda i, n: f"/bench/boden?ab={1 + 1000 * ((i + n) % 100)}", {}),
    ]


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def loaded(clients, url_for, headers, runs, seconds):
    """``runs`` requests from the 8 clients at once (at most ``seconds``); the times in ms."""
    samples, lock, counter = [], threading.Lock(), iter(range(runs))
    deadline = time.monotonic() + seconds
    failures = []

    def work(i, client):
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            path = url_for(i, n)
            started = time.perf_counter()
            status, _ = client.request("GET", path, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                failures.append((path, status))
                return
            with lock:
                samples.append(elapsed)
            n += 1

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"bench_pages: {failures[0][0]} antwortete {failures[0][1]}")
    return samples


def alone(targets, headers, runs, seconds):
    """Requests from one client alone, taking the scales in turn (small, full, small, full, …): the
    times in ms per scale, and the table rows (``<tr``, header rows included) the first response
    of each shows: a page showing more rows at full scale costs more. ``targets``: scale →
    (client, url_for)."""
    samples, rows, deadline = {s: [] for s in targets}, dict.fromkeys(targets, 0), time.monotonic() + seconds
    for n in range(runs):
        if time.monotonic() > deadline:
            break
        for scale, (client, url_for) in targets.items():
            started = time.perf_counter()
            status, body = client.request("GET", url_for(0, n), headers=headers)
            samples[scale].append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"bench_pages: {url_for(0, n)} antwortete {status}")
            rows[scale] = rows[scale] or body.count(b"<tr")
    return samples, rows


def serve(kind, scale, args):
    """A copy of the data set served by gunicorn, and logged-in clients per role."""
    built = dataset.ensure(kind, scale)
    if built is not None:
        print(f"  Datensatz {kind}/{scale} aufgebaut in {built:.1f} s", flush=True)
    url = dataset.run_copy(kind, scale)
    ids = case_ids(url)
    server, port = start_server(url, args)
    teams = range(1, CLIENTS + 1)
    sessions = {"pAp": [f"pap-{t}-1" for t in teams], "TL": [f"tl-{t}" for t in teams],
                "mix": [f"pap-{t}-1" for t in range(1, 5)] + ["tl-5", "tl-6", "mb-1", "mb-2"],
                "MB": [f"mb-{t}" for t in teams], "BL": ["bl-1", "bl-2"] * (CLIENTS // 2)}
    clients = {}
    try:
        for role, names in sessions.items():
            clients[role] = []
            for name in names:
                client = Client(port)
                client.login(name)
                clients[role].append(client)
            if args.worker_class == "gthread":
                spread(clients[role], args.workers)
    except BaseException:
        stop_server(server)
        raise
    return server, clients, pages(ids)


def measure(kind, scales, args):
    """Both scales served at once (two servers, one idle while the other is measured), page by
    page: under load at each scale back to back, then one client alone taking the scales in
    turn. A machine that slows down for a while (other guests on the host) then affects both
    scales of a page alike instead of one whole scale: the growth ratios compare like with like."""
    served, result = {}, {scale: {} for scale in scales}
    try:
        for scale in scales:
            served[scale] = serve(kind, scale, args)
        for index, (label, role, _, headers) in enumerate(next(iter(served.values()))[2]):
            targets = {}
            for scale, (_, clients, page_list) in served.items():
                url_for = page_list[index][2]
                for i, client in enumerate(clients[role]):  # warm up: templates compiled, caches filled
                    client.request("GET", url_for(i, 0), headers=headers)
                under_load = loaded(clients[role], url_for, headers, args.runs, args.seconds)
                result[scale][label] = {"p50": percentile(under_load, 0.5), "p95": percentile(under_load, 0.95),
                                        "n": len(under_load)}
                targets[scale] = (clients[role][0], url_for)
            single, rows = alone(targets, headers, args.sequential, args.seconds)
            for scale, r in result.items():
                r[label].update(alone=statistics.median(single[scale]), n_alone=len(single[scale]), rows=rows[scale])
                print(f"  {kind:10} {scale:5} {label:32} p50 {r[label]['p50']:7.1f}  p95 {r[label]['p95']:7.1f}"
                      f"  allein {r[label]['alone']:7.1f} ms  {rows[scale]:4} Zeilen  "
                      f"(n={r[label]['n']}/{len(single[scale])})", flush=True)
    finally:
        for server, clients, _ in served.values():
            stop_server(server)
            for client in (c for group in clients.values() for c in group):
                client.conn.close()
    return result


def report(results, args):
    floor = "Boden (50 Zeilen, 3 Tabellen)"
    kinds = list(results)
    print(f"\nSeiten: gunicorn {args.workers} Worker × {args.threads} Threads ({args.worker_class}), "
          f"{CLIENTS} gleichzeitige Clients; ms")
    print("voll÷1/10: p95 unter Last und eine Anfrage allein, volle ÷ 1/10-Größe; Zeilen: Tabellenzeilen der Seite"
          " (mit Kopfzeilen) bei 1/10 → voll")
    head = f"{'Seite':32}" + "".join(
        f" | {kind[:10]:10} {'1/10 p50/p95':>13} {'voll p50/p95':>13} {'p95÷Boden':>9} {'allein voll':>11} "
        f"{'voll÷1/10 p95/allein':>20} {'Zeilen':>10}" for kind in kinds)
    print(head)
    print("-" * len(head))
    for label in next(iter(results.values()))["full"]:
        line = f"{label:32}"
        for kind in kinds:
            small, full = results[kind]["small"][label], results[kind]["full"][label]
            ratio = full["p95"] / results[kind]["full"][floor]["p95"]
            line += (f" | {'':10} {small['p50']:6.0f}/{small['p95']:<6.0f} {full['p50']:6.0f}/{full['p95']:<6.0f} "
                     f"{ratio:8.1f}× {full['alone']:10.1f} {full['p95'] / small['p95']:9.1f}× /"
                     f"{full['alone'] / small['alone']:5.1f}× {small['rows']:4}→{full['rows']:<5}")
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--scales", default="small,full")
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--runs", type=int, default=128, help="requests per page under load")
    parser.add_argument("--sequential", type=int, default=20, help="requests per page from one client alone")
    parser.add_argument("--seconds", type=float, default=8, help="at most this long per page and measurement")
    args = parser.parse_args()
    if args.worker_class == "sync":
        args.threads = 1  # gunicorn turns a sync worker with threads into gthread
    kinds = [k for k in args.db.split(",") if k == "sqlite" or (k == "postgresql" and dataset.pg_reachable())]
    results = {}
    for kind in kinds:
        results[kind] = measure(kind, args.scales.split(","), args)
    dataset.OUT.mkdir(exist_ok=True)
    (dataset.OUT / "pages.json").write_text(json.dumps({"args": vars(args), "results": results}, indent=1))
    if all(set(r) >= {"small", "full"} for r in results.values()):
        report(results, args)


if __name__ == "__main__":
    main()
