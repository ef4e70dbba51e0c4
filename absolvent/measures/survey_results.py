"""The Teilnehmerbefragung's questions and results (pure: no Flask, no peewee).

The questions live here once (``SURVEY_QUESTIONS``, ``SCALE``, ``SOURCES``); the
guided form ``teilnehmerbefragung``, the blank questionnaire and the results all
use these labels. ``evaluate(answers)`` turns the submitted answers (the inner
``answers`` dicts of the snapshots) into plain numbers; below ``MIN_ANSWERS``
it reveals the number of answers only (anonymity). ``evaluate_groups`` applies the
threshold per group (a survey round, or the answers without a round): a group
below it is only counted, in every view – else "all answers" minus "round R1"
would reveal a single answer without a round. ``statements_chart`` and
``grades_chart`` draw the results as SVG (every text escaped, no inline styles:
the page's CSP forbids them; presentation attributes are fine).
"""
import base64
import json
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

SURVEY_FORM = "teilnehmerbefragung"
SURVEY_QUESTIONS = (
    ("purpose_explained", "Ziel und Ablauf der Maßnahme wurden mir zu Beginn verständlich erklärt."),
    ("content_practical", "Die Inhalte sind praxisnah und für meinen beruflichen Weg nützlich."),
    ("trainer_competence", "Die Dozentinnen und Dozenten sind fachlich kompetent."),
    ("coaching", "Ich werde vom Träger gut betreut und gecoacht."),
    ("hours_as_planned", "Der Unterricht findet wie geplant statt (kaum Ausfall)."),
    ("rooms_equipment", "Räume und Ausstattung (z. B. PC, Material) sind in Ordnung."),
    ("internship", "Das Praktikum ist hilfreich (kein Praktikum: „keine Angabe“)."),
    ("application_help", "Ich erhalte Unterstützung bei meinen Bewerbungen."),
    ("benefit", "Die Maßnahme verbessert meine Chancen auf Arbeit oder Ausbildung."),
)
SCALE = (("1", "trifft voll zu"), ("2", "trifft eher zu"), ("3", "trifft eher nicht zu"),
         ("4", "trifft gar nicht zu"))
NO_ANSWER = ("0", "keine Angabe")
GRADES = (1, 2, 3, 4, 5, 6)
GRADE_LABELS = {1: "sehr gut", 2: "gut", 3: "befriedigend", 4: "ausreichend", 5: "mangelhaft", 6: "ungenügend"}
SOURCES = (("direkt", "direkt am Gerät ausgefüllt"), ("papier", "vom Papierbogen übertragen"))
OVERALL_LABEL = "Gesamtnote für die Maßnahme (Schulnote 1 bis 6)"
COMMENTS_LABEL = "Was möchten Sie uns sonst noch sagen? (Lob, Kritik, Vorschläge)"

MIN_ANSWERS = 3
THRESHOLD_NOTE = ("Ergebnisse werden erst ab 3 Antworten angezeigt, damit keine Rückschlüsse auf "
                  "einzelne Teilnehmende möglich sind.")


def excluded_note(n):
    """The page's line about answers of groups below the threshold (only counted)."""
    if not n:
        return ""
    counted = "1 Antwort aus Runden mit weniger als 3 Antworten ist" if n == 1 else \
        f"{n} Antworten aus Runden mit weniger als 3 Antworten sind"
    return (f"{counted} nicht ausgewertet (auch nicht unter „alle Antworten“), damit keine Rückschlüsse auf "
            "einzelne Teilnehmende möglich sind; Antworten ohne Befragungsrunde zählen als eine Runde.")


def payload_answers(text):
    """The answer fields of a snapshot's canonical JSON (``{"form", …, "answers": {…}}``); {} when unreadable."""
    try:
        payload = json.loads(text)
    except (TypeError, ValueError):
        return {}
    answers = payload.get("answers") if isinstance(payload, dict) else None
    return answers if isinstance(answers, dict) else {}


def _half_up(value, places="0.1"):
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _de(value):
    """A Decimal in German notation (1,8)."""
    return str(value).replace(".", ",")


def _percent(part, whole):
    """``part`` of ``whole`` in whole percent (half up), None when ``whole`` is 0."""
    return int(_half_up(Decimal(100 * part) / Decimal(whole), "1")) if whole else None


def _mean(weighted_sum, count):
    """(mean rounded to one decimal as float, German text) or (None, "–") when ``count`` is 0."""
    if not count:
        return None, "–"
    mean = _half_up(Decimal(weighted_sum) / Decimal(count))
    return float(mean), _de(mean)


def _grade(value):
    """The Schulnote 1–6 of an answer (int, whole float or digit text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if value in GRADES else None
    text = str(value or "").strip()
    return int(text) if text in {str(g) for g in GRADES} else None


def _statement(key, label, answers):
    values = [str(a.get(key, "")).strip() for a in answers]
    counts = [values.count(code) for code, _ in SCALE]
    answered = sum(counts)
    mean, mean_text = _mean(sum(int(code) * n for (code, _), n in zip(SCALE, counts, strict=True)), answered)
    agree = _percent(counts[0] + counts[1], answered)
    return {"key": key, "label": label, "answered": answered, "no_answer": len(values) - answered,
            "counts": counts, "percents": [_percent(n, answered) for n in counts],
            "mean": mean, "mean_text": mean_text, "agree_percent": agree,
            "agree_text": "–" if agree is None else f"{agree} %"}


def _grades(answers):
    grades = [g for g in (_grade(a.get("overall_grade")) for a in answers) if g is not None]
    counts = [grades.count(g) for g in GRADES]
    mean, mean_text = _mean(sum(grades), len(grades))
    return {"count": len(grades), "no_answer": len(answers) - len(grades), "counts": counts,
            "percents": [_percent(n, len(grades)) for n in counts], "mean": mean, "mean_text": mean_text,
            "rows": [{"grade": g, "label": GRADE_LABELS[g], "count": n, "percent": _percent(n, len(grades))}
                     for g, n in zip(GRADES, counts, strict=True)]}


def _alphabetical(text):
    """Sort key as in a German index: case and accents ignored first (Ä with A), then the text."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)), text


def evaluate_groups(groups):
    """The results of answers in groups (each survey round, and the answers without a round):
    only groups of at least MIN_ANSWERS are evaluated; the others are counted as ``excluded``."""
    groups = [[a for a in group if isinstance(a, dict)] for group in groups]
    kept = [a for group in groups if len(group) >= MIN_ANSWERS for a in group]
    return evaluate(kept, excluded=sum(len(group) for group in groups if len(group) < MIN_ANSWERS))


def evaluate(answers, excluded=0):
    """The results of a list of answer dicts, as plain values.

    Per statement: answered (without "keine Angabe"), no_answer ("0" or missing), counts and
    percents of 1–4, mean (1 = best, one decimal, half up) and the share agreeing (1 or 2) in
    whole percent. The overall grade: count, mean, distribution 1–6. Sources and the comments,
    sorted alphabetically (their order must not reveal who answered when).
    Below MIN_ANSWERS only ``total`` is given (``shown`` False, ``note`` the reason).
    ``excluded`` answers (of groups below the threshold, see ``evaluate_groups``) count in
    ``total`` only; ``evaluated`` is the number the figures are made of.
    """
    answers = [a for a in answers if isinstance(a, dict)]
    evaluated = len(answers)
    result = {"total": evaluated + excluded, "evaluated": evaluated, "excluded": excluded,
              "excluded_note": excluded_note(excluded), "shown": evaluated >= MIN_ANSWERS,
              "min_answers": MIN_ANSWERS, "note": "" if evaluated >= MIN_ANSWERS else THRESHOLD_NOTE,
              "scale": [{"code": code, "label": label} for code, label in SCALE],
              "statements": [], "grades": None, "sources": [], "comments": []}
    if not result["shown"]:
        return result
    sources = [str(a.get("source", "")) for a in answers]
    comments = [str(a.get("comments") or "").strip() for a in answers]
    result.update(
        statements=[_statement(key, label, answers) for key, label in SURVEY_QUESTIONS],
        grades=_grades(answers),
        sources=[{"code": code, "label": label, "count": sources.count(code)} for code, label in SOURCES],
        comments=sorted((c for c in comments if c), key=_alphabetical))
    return result


def questionnaire_content():
    """The blank questionnaire's questions and explanations (plain values for the print)."""
    return {
        "questions": [{"number": n, "key": key, "label": label}
                      for n, (key, label) in enumerate(SURVEY_QUESTIONS, start=1)],
        "scale": [{"code": code, "label": label} for code, label in SCALE],
        "no_answer_label": NO_ANSWER[1],
        "grades": [{"grade": g, "label": GRADE_LABELS[g]} for g in GRADES],
        "overall_label": OVERALL_LABEL,
        "comments_label": COMMENTS_LABEL,
        "purpose": ("Wir möchten wissen, wie Sie die Maßnahme erleben. Ihre Meinung hilft uns, die Qualität "
                    "der Maßnahme zu prüfen und mit dem Träger zu verbessern."),
        "anonymity": ("Ihre Antworten sind anonym. Bitte schreiben Sie keinen Namen und keine Kundennummer auf "
                      "den Bogen. Niemand kann sehen, welcher Bogen von Ihnen ist. Die Teilnahme ist freiwillig; "
                      "wenn Sie nicht mitmachen, hat das keine Folgen für Sie. Ergebnisse werden nur "
                      "zusammengefasst und erst ab 3 Antworten ausgewertet."),
        "how_to": ("Kreuzen Sie bei jeder Aussage ein Kästchen an. Wenn eine Aussage für Sie nicht passt "
                   "oder Sie nichts sagen möchten, kreuzen Sie „keine Angabe“ an."),
        "return_note": ("Bitte falten Sie den ausgefüllten Bogen einmal und werfen Sie ihn in die verschlossene "
                        "Sammelbox (oder den Umschlag) des Jobcenters. Geben Sie den Bogen nicht beim Träger ab. "
                        "Die Maßnahmebetreuung des Jobcenters nimmt die Bögen mit und trägt sie ohne Namen ein."),
    }


# ------------------------------------------------------------------ SVG charts

FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
# the four answers: fill colour, pattern drawing (lines over the fill) and label colour; darker = more agreement
SHADES = (
    ("#1f4e79", "", "#ffffff"),
    ("#5b8fc7", '<path d="M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6" stroke="#1f4e79" stroke-width="1.5"/>', "#000000"),
    ("#bdd3ea", '<circle cx="2" cy="2" r="1.2" fill="#1f4e79"/><circle cx="6" cy="6" r="1.2" fill="#1f4e79"/>',
     "#000000"),
    ("#ffffff", '<path d="M0 0 L8 8 M8 0 L0 8" stroke="#555555" stroke-width="0.8"/>', "#000000"),
)
CHART_WIDTH, BAR_X, BAR_W = 760, 4, 560
LEGEND_H, ROW_H = 40, 50


def _prefix(id_prefix):
    return "".join(ch for ch in str(id_prefix) if ch.isascii() and (ch.isalnum() or ch == "-")) or "chart"


def _fill(prefix, i):
    """The fill of answer ``i`` (1–4): its colour when plain, else its pattern."""
    colour, drawing, _ = SHADES[i - 1]
    return f"url(#{prefix}-a{i})" if drawing else colour


def _patterns(prefix):
    parts = []
    for i, (fill, drawing, _) in enumerate(SHADES, start=1):
        if not drawing:
            continue
        parts.append(f'<pattern id="{prefix}-a{i}" patternUnits="userSpaceOnUse" width="8" height="8">'
                     f'<rect width="8" height="8" fill="{fill}"/>{drawing}</pattern>')
    return "<defs>" + "".join(parts) + "</defs>"


def _svg(width, height, title, label, body):
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}" {FONT} font-size="12">'
        f"<title>{escape(title)}</title>{body}</svg>")


def _num(value):
    return f"{value:.1f}".rstrip("0").rstrip(".")


def statements_chart(results, title="Zustimmung je Aussage", id_prefix="survey"):
    """Horizontal stacked bars (1–4 as shares of the answers without "keine Angabe"), each
    share patterned and labelled with its percentage; Markup, empty below the threshold."""
    if not results.get("shown"):
        return Markup("")
    prefix = _prefix(id_prefix)
    body = [_patterns(prefix)]
    for i, (code, text) in enumerate(SCALE):
        x = 4 + i * 186
        body.append(f'<rect x="{x}" y="4" width="18" height="14" fill="{_fill(prefix, i + 1)}" stroke="#000000" '
                    f'stroke-width="0.6"/><text x="{x + 24}" y="15">{escape(code)} = {escape(text)}</text>')
    body.append('<text x="4" y="34" font-size="10" fill="#333333">Anteile ohne „keine Angabe“; rechts: Zahl '
                "der Antworten (n), Durchschnitt (Ø, 1 = beste) und Zustimmung (1 + 2).</text>")
    summary = []
    for row, s in enumerate(results["statements"]):
        top = LEGEND_H + row * ROW_H
        body.append(f'<text x="{BAR_X}" y="{top + 13}">{row + 1}. {escape(s["label"])}</text>')
        bar_y = top + 19
        if not s["answered"]:
            body.append(f'<rect x="{BAR_X}" y="{bar_y}" width="{BAR_W}" height="20" fill="#f2f2f2" '
                        f'stroke="#999999" stroke-width="0.6"/><text x="{BAR_X + 8}" y="{bar_y + 14}" '
                        f'font-size="11">nur „keine Angabe“ ({s["no_answer"]})</text>')
        x = float(BAR_X)
        for i, (count, percent) in enumerate(zip(s["counts"], s["percents"], strict=True)):
            if not count:
                continue
            width = BAR_W * count / s["answered"]
            body.append(f'<rect x="{_num(x)}" y="{bar_y}" width="{_num(width)}" height="20" '
                        f'fill="{_fill(prefix, i + 1)}" stroke="#000000" stroke-width="0.6"/>')
            if width >= 40:
                cx = x + width / 2
                body.append(f'<rect x="{_num(cx - 17)}" y="{bar_y + 3}" width="34" height="14" rx="3" '
                            f'fill="#ffffff" stroke="#000000" stroke-width="0.4"/><text x="{_num(cx)}" '
                            f'y="{bar_y + 14}" font-size="10" text-anchor="middle">{percent} %</text>')
            x += width
        figures = (f'n = {s["answered"]} · Ø {escape(s["mean_text"])} · {escape(s["agree_text"])} Zust.'
                   if s["answered"] else "n = 0")
        body.append(f'<text x="{BAR_X + BAR_W + 10}" y="{bar_y + 14}" font-size="11">{figures}</text>')
        summary.append(f'{s["label"]} {s["agree_text"]} Zustimmung, Durchschnitt {s["mean_text"]}' if s["answered"]
                       else f'{s["label"]} nur „keine Angabe“')
    height = LEGEND_H + len(results["statements"]) * ROW_H + 4
    label = f'{title} ({results["evaluated"]} Antworten): ' + "; ".join(summary)
    return _svg(CHART_WIDTH, height, title, label, "".join(body))


def grades_chart(results, title="Verteilung der Gesamtnoten", id_prefix="grades"):
    """Columns of the overall grades 1–6 with their counts written above; Markup, empty below the threshold."""
    grades = results.get("grades") if results.get("shown") else None
    if not grades:
        return Markup("")
    prefix = _prefix(id_prefix)
    width, height, base, top, left, slot, bar = 440, 210, 170, 24, 20, 70, 40
    peak = max(grades["counts"]) or 1
    body = [_patterns(prefix), f'<line x1="{left}" y1="{base}" x2="{left + 6 * slot}" y2="{base}" '
            f'stroke="#000000"/>']
    for i, (g, n) in enumerate(zip(GRADES, grades["counts"], strict=True)):
        cx = left + i * slot + slot / 2
        h = (base - top) * n / peak
        if n:
            body.append(f'<rect x="{_num(cx - bar / 2)}" y="{_num(base - h)}" width="{bar}" height="{_num(h)}" '
                        f'fill="{_fill(prefix, 2)}" stroke="#000000" stroke-width="0.6"/>')
        body.append(f'<text x="{_num(cx)}" y="{_num(base - h - 5)}" text-anchor="middle" '
                    f'font-weight="bold">{n}</text>'
                    f'<text x="{_num(cx)}" y="{base + 16}" text-anchor="middle">Note {g}</text>'
                    f'<text x="{_num(cx)}" y="{base + 31}" text-anchor="middle" font-size="10" '
                    f'fill="#333333">{escape(GRADE_LABELS[g])}</text>')
    label = (f'{title}: {grades["count"]} Noten, Durchschnitt {grades["mean_text"]}; '
             + ", ".join(f"Note {g}: {n}" for g, n in zip(GRADES, grades["counts"], strict=True)))
    return _svg(width, height, title, label, "".join(body))


def data_uri(svg):
    """An SVG (text) as a ``data:`` URI, for an ``<img>`` in a printed document."""
    if not svg:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode("utf-8")).decode("ascii")
