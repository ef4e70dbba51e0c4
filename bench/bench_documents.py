"""Benchmark: our document layer vs. plain docxtpl / plain WeasyPrint (not a test).

For every document in forms/ and each of its formats, renders the sample N
times (default 10, ``BENCH_N``) three ways, in turn, and prints mean/median ms:

- ``absolvent``  render_docx / render_pdf: context check, sandbox, autoescape,
                 SafeFetcher, child process with time limit (the real path)
- ``in-process`` the same engine without the child process (sandbox + fetcher only)
- ``plain``      ``DocxTemplate(path).render(ctx)`` without sandbox, or
                 ``weasyprint.HTML(string=jinja2.Template(src).render(ctx), base_url=…)
                 .write_pdf()`` with WeasyPrint's default fetcher (static files
                 reached through a file:// base URL, the way an unguarded app would).

Every PDF is tagged (PDF/UA-1, ``engine.PDF_VARIANT``); ``plain`` tags too, so the
comparison stays fair. The last row renders the Fachaufsicht list with 500 rows
(``BENCH_LIST_ROWS``; ``BENCH_N_LIST`` renders, default 3), a real table of one cell per value,
and a line under the table gives WeasyPrint's floor for that size: the same number of rows and
cells as a bare table of short texts (``bare_table_pdf``), tagged and untagged, the table with
half the cells, and the values of each row as one line of text (``one_line_rows_pdf``): the cost
follows the number of lines WeasyPrint breaks (one per cell), not the amount of text.

Run: .venv/bin/python bench/bench_documents.py
"""

import os
import statistics
import time
import warnings
from functools import partial
from io import BytesIO
from pathlib import Path

with warnings.catch_warnings():  # libharfbuzz-subset0 missing: WeasyPrint warns at import
    warnings.simplefilter("ignore", DeprecationWarning)
    import weasyprint

import jinja2
from docxtpl import DocxTemplate

from absolvent.documents.render import DEFAULT_STATIC_DIR, registry, render_docx, render_pdf
from absolvent.documents.render.context import prepare_context
from absolvent.documents.render.engine import PDF_VARIANT, docx_bytes, pdf_result
from absolvent.documents.render.sandbox import lines

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "forms"
N = int(os.environ.get("BENCH_N", "10"))
LIST_ROWS = int(os.environ.get("BENCH_LIST_ROWS", "500"))
N_LIST = int(os.environ.get("BENCH_N_LIST", "3"))


def timed(funcs, n=N) -> list[list[float]]:
    """The times (ms) of ``n`` runs of each of ``funcs``, taken in turn (a, b, c, a, b, c, …):
    a machine that slows down or speeds up during the run affects every variant alike
    (taken one after the other, the ratios of unchanged code moved by up to ±0.5)."""
    for func in funcs:
        func()  # warm-up
    runs = [[] for _ in funcs]
    for _ in range(n):
        for func, times in zip(funcs, runs, strict=True):
            start = time.perf_counter()
            func()
            times.append((time.perf_counter() - start) * 1000)
    return runs


def plain_docx(path: Path, ctx: dict) -> bytes:
    doc = DocxTemplate(path)
    env = jinja2.Environment()  # no sandbox, no autoescape; only our `lines` filter
    env.filters["lines"] = lines
    doc.render(ctx, env)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def plain_pdf(path: Path, ctx: dict) -> bytes:
    env = jinja2.Environment()
    env.filters["lines"] = lines
    html = env.from_string(path.read_text(encoding="utf-8")).render(ctx)
    # Same stylesheet, reached through file:// URLs (what WeasyPrint does by default).
    static = DEFAULT_STATIC_DIR.as_uri()
    html = html.replace('href="/forms/_print/print.css"', "")
    css = (FORMS / "_print" / "print.css").read_text(encoding="utf-8")
    css = css.replace('url("/static/', f'url("{static}/')
    return weasyprint.HTML(string=html, base_url=FORMS.as_uri() + "/").write_pdf(
        stylesheets=[weasyprint.CSS(string=css, base_url=static + "/")], pdf_variant=PDF_VARIANT)


def bare_table_pdf(rows: int, cells: int, tagged: bool) -> bytes:
    """The library's floor for a list of ``rows`` × ``cells``: a table of short texts and nothing
    else (no stylesheet, borders, fonts or header), written by plain WeasyPrint."""
    row = "<tr>" + "".join(f"<td>Wert {i}</td>" for i in range(cells)) + "</tr>"
    html = f"<table style='table-layout: fixed; width: 100%; font: 8pt sans-serif'>{row * rows}</table>"
    return weasyprint.HTML(string=html).write_pdf(
        stylesheets=[weasyprint.CSS(string="@page { size: A4 landscape }")],
        **({"pdf_variant": PDF_VARIANT} if tagged else {}))


def one_line_rows_pdf(rows: int, cells: int) -> bytes:
    """The same values as ``bare_table_pdf``, each row one line of text (no table, tagged):
    WeasyPrint's cost grows with the lines it breaks, one per cell, not with the text."""
    row = "<p style='margin: 0'>" + " ".join(f"Wert {i}" for i in range(cells)) + "</p>"
    return weasyprint.HTML(string=f"<div style='font: 8pt sans-serif'>{row * rows}</div>").write_pdf(
        stylesheets=[weasyprint.CSS(string="@page { size: A4 landscape }")], pdf_variant=PDF_VARIANT)


def main() -> None:
    mounts = {"/static/": DEFAULT_STATIC_DIR, "/forms/_print/": FORMS / "_print"}
    rows = []
    for spec in registry.list_documents(FORMS):
        ctx = registry.load_sample(spec)
        for fmt in spec.formats:
            if fmt == "docx":
                data = spec.docx_path.read_bytes()
                runs = timed([partial(render_docx, spec.docx_path, ctx),
                              partial(docx_bytes, data, prepare_context(ctx, 10**6), 10**8),
                              partial(plain_docx, spec.docx_path, ctx)])
            else:
                src = spec.html_path.read_text(encoding="utf-8")
                runs = timed([partial(render_pdf, spec.html_path, ctx),
                              partial(pdf_result, src, prepare_context(ctx, 10**6), mounts, 10**8),
                              partial(plain_pdf, spec.html_path, ctx)])
            rows.append((f"{spec.name}.{fmt}", *runs))
    spec = registry.get(FORMS, "fachaufsicht-liste")
    ctx = registry.load_sample(spec)
    ctx["rows"] = [{**row, "number": i} for i, row in enumerate((ctx["rows"] * LIST_ROWS)[:LIST_ROWS], 1)]
    src = spec.html_path.read_text(encoding="utf-8")
    rows.append((f"fachaufsicht-liste.pdf ×{LIST_ROWS}",
                 *timed([partial(render_pdf, spec.html_path, ctx),
                         partial(pdf_result, src, prepare_context(ctx, 10**7), mounts, 10**8),
                         partial(plain_pdf, spec.html_path, ctx)], N_LIST)))

    cells = 12  # the Fachaufsicht list's columns
    floor = timed([partial(bare_table_pdf, LIST_ROWS, cells, True), partial(bare_table_pdf, LIST_ROWS, cells, False),
                   partial(bare_table_pdf, LIST_ROWS, cells // 2, True), partial(one_line_rows_pdf, LIST_ROWS, cells)],
                  N_LIST)

    head = (f"{'document':34} {'absolvent mean/median':>22} {'in-process mean/median':>23} "
            f"{'plain mean/median':>18} {'overhead':>10} {'÷ plain':>8}")
    print(f"N = {N} renders each (ms)")
    print(head)
    print("-" * len(head))
    for name, ours, inproc, plain in rows:
        def fmt(runs):
            return f"{statistics.mean(runs):8.1f} / {statistics.median(runs):7.1f}"
        overhead = statistics.median(ours) - statistics.median(plain)
        ratio = statistics.median(ours) / statistics.median(plain)
        print(f"{name:34} {fmt(ours):>22} {fmt(inproc):>23} {fmt(plain):>18} "
              f"{overhead:+9.1f} {ratio:7.2f}×")
    print(f"\nWeasyPrint's floor for {LIST_ROWS} rows × {cells} cells (a table of short texts, nothing else; "
          f"median of {N_LIST}): tagged {statistics.median(floor[0]):.0f} ms, "
          f"untagged {statistics.median(floor[1]):.0f} ms; {cells // 2} cells tagged "
          f"{statistics.median(floor[2]):.0f} ms; the {cells} values of a row as one line of text, tagged "
          f"{statistics.median(floor[3]):.0f} ms")


if __name__ == "__main__":
    main()
