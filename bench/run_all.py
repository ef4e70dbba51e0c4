"""``make bench``: data sets, pages, documents and import in one report (not a test).

    .venv/bin/python bench/run_all.py [--no-import] [pages options, e.g. --db sqlite]

1. builds the data sets when missing or outdated (bench/dataset.py; build times printed),
2. the pages under load (bench/bench_pages.py) on SQLite and, when it answers, PostgreSQL,
3. the documents against plain docxtpl / WeasyPrint (bench/bench_documents.py, BENCH_N=10,
   BENCH_N_LIST=2 unless set; the three ways in turn),
4. the import of 50,000 rows (bench/bench_import.py; ``--no-import`` skips it).

Everything printed also goes to bench/out/report.md, headed by the machine it ran on (cores,
memory, load before and after, Python, SQLite, PostgreSQL, date): copy it into
bench/RESULTS.md to keep a run.
"""
import ctypes.util
import datetime
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_pages  # noqa: E402
import dataset  # noqa: E402

LOG = []


def say(text=""):
    print(text, flush=True)
    LOG.append(text)


def machine():
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    pg = "nicht erreichbar"
    if dataset.pg_reachable():
        pg = dataset._pg_admin("SHOW server_version", fetch=True)[0][0]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    # WeasyPrint subsets fonts 2-3x faster with HarfBuzz's subsetter: the PDF times depend on it
    subset = "ja" if ctypes.util.find_library("harfbuzz-subset") else "nein (PDFs langsamer)"
    return (f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} Kerne ({cpu}), "
            f"{int(mem) / 1024 / 1024:.0f} GB RAM, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, PostgreSQL {pg}, libharfbuzz-subset0: {subset}")


def load():
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run(script, env=None):
    """Run a bench script, echo and keep its output."""
    process = subprocess.Popen([sys.executable, str(BENCH / script)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})},
                               cwd=BENCH.parent)
    for line in process.stdout:
        say(line.rstrip("\n"))
    if process.wait():
        raise SystemExit(f"{script} endete mit Status {process.returncode}")


def main():
    started = time.monotonic()
    skip_import = "--no-import" in sys.argv
    sys.argv = [sys.argv[0], *[a for a in sys.argv[1:] if a != "--no-import"]]
    say(f"# make bench\n\nMaschine: {machine()}\nLast (1/5/15 min) vorher: {load()}\n")
    say("## Datensätze")
    kinds = ["sqlite"] + (["postgresql"] if dataset.pg_reachable() else [])
    for kind in kinds:
        for scale in ("small", "full"):
            seconds = dataset.ensure(kind, scale)
            say(f"{kind:10} {scale:5}: " + ("aktuell (bench/out, Stempel passt), wiederverwendet" if seconds is None
                                            else f"aufgebaut in {seconds:.1f} s"))
    say("\n## Seiten unter Last\n```")
    real_print = print
    bench_pages.print = lambda *a, **k: (real_print(*a, **k), LOG.append(" ".join(map(str, a))))
    bench_pages.main()
    say("```\n\n## Dokumente\n```")
    run("bench_documents.py", {"BENCH_N": os.environ.get("BENCH_N", "10"),
                               "BENCH_N_LIST": os.environ.get("BENCH_N_LIST", "2")})
    say("```")
    if not skip_import:
        say("\n## Import\n```")
        run("bench_import.py")
        say("```")
    say(f"\nLast nachher: {load()}; Dauer {time.monotonic() - started:.0f} s")
    dataset.OUT.mkdir(exist_ok=True)
    (dataset.OUT / "report.md").write_text("\n".join(LOG) + "\n", encoding="utf-8")
    print(f"Bericht: {dataset.OUT / 'report.md'}")


if __name__ == "__main__":
    main()
