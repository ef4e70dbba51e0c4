"""Write operations of the Fachaufsicht review (RULES.md §7, Goslar 1.4.3): draw the
sample, check a case, give feedback, sign off, addenda and the BL's spot checks.

One business action per function, each in one transaction, each returning German
messages per field (never raising for bad input). Once a review is signed every
change raises ``Locked``; only addenda and spot checks are added. Every write
first claims the review row (``_claim``: an UPDATE that only matches while the
review is unsigned), so a sign-off and a concurrent change cannot interleave.
"""
import datetime
import hashlib
import json

from .. import audit
from ..caseload import planning
from ..db import database
from ..formats import month_label
from ..models import now
from ..validation import CONFLICT_MESSAGE, Checker, IntegrityError
from . import queries
from .models import SpotCheck, SupervisionAddendum, SupervisionCase, SupervisionReview
from .review_criteria import CRITERIA, CRITERION_KEYS, RATINGS, load_ratings, suggest, suggested_ratings
from .review_sample import draw, in_focus, new_seed, sample_count

SAMPLE_KINDS = {"anzahl": "Anzahl Fälle", "anteil": "Anteil in Prozent"}
FEEDBACK = {"einzelgespraech": "Einzelfallbesprechung mit dem pAp", "team": "Rückmeldung an das Team"}
FEEDBACK_TITLE = "Fachaufsicht: Einzelfallbesprechung"
MAX_CASES = 1000


class Locked(Exception):
    """The review is signed: nothing may change any more (corrections are addenda)."""

    def __init__(self, review):
        super().__init__(f"Die Fachaufsicht {month_label(review.month)} ist abgezeichnet und kann nicht mehr "
                         "geändert werden. Korrekturen bitte als Nachtrag erfassen.")


def _claim(review):
    """Lock the unsigned review row for this transaction; raise ``Locked`` when it is signed."""
    if not SupervisionReview.update(version=SupervisionReview.version).where(
            SupervisionReview.id == review.id, SupervisionReview.signed_at.is_null()).execute():
        raise Locked(review)


def _json(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _ids(values):
    return {int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 18}


def focus_of(review):
    """(measure types, pAp ids) of a stored review."""
    types = [t for t in review.focus_types.split(",") if t]
    return types, sorted(_ids(review.focus_paps.split(",")))


# ------------------------------------------------------------------ sample

def check_sample_form(form, pap_ids):
    """Return (values, errors) of the focus and sample form."""
    c = Checker(form)
    types = form.getlist("typ")
    if any(t not in queries.SUPERVISION_TYPES for t in types):
        c.fail("typ", "Unbekannte Maßnahmeart im Schwerpunkt.")
    raw_paps = form.getlist("pap")
    paps = _ids(raw_paps)
    if len(paps) != len(set(raw_paps)) or not paps <= set(pap_ids):
        c.fail("pap", "Unbekannte Auswahl für den pAp-Schwerpunkt.")
    kind = c.choice("art", "die Art der Stichprobe", SAMPLE_KINDS)
    amount = c.integer("umfang", "Der Umfang", minimum=1, maximum=100 if kind == "anteil" else MAX_CASES)
    if not form.get("umfang", "").strip():
        c.errors["umfang"] = "Bitte den Umfang der Stichprobe angeben (Anzahl Fälle oder Prozent)."
    return {"types": sorted(set(types)), "paps": sorted(paps), "size": amount if kind == "anzahl" else None,
            "share": amount if kind == "anteil" else None}, c.errors


def draw_sample(team, month, form, user, today=None):
    """Set the focus and draw the sample for ``team`` and ``month``.

    ``form["ziehung"] == "gleich"`` keeps the stored seed (the same list gives the
    same cases); anything else draws with a new seed. All cases of the list are
    stored; newly sampled ones get the suggested ratings. Returns (review, errors);
    raises ``Locked`` after the sign-off.
    """
    review = queries.review_for(team, month)
    if review is not None and review.signed:
        raise Locked(review)
    rows = queries.supervision_rows(team, month)
    values, errors = check_sample_form(form, [i for i, _ in queries.pap_choices(team, month)])
    if errors:
        return None, errors
    seed = review.seed if review is not None and review.seed and form.get("ziehung") == "gleich" else new_seed()
    focus = in_focus(rows, values["types"], values["paps"])
    count = sample_count(len(focus), values["size"], values["share"])
    chosen = draw([p.id for p in focus], count, seed)
    suggestions = suggest([p for p in rows if p.id in chosen], today)
    fields = {"focus_types": ",".join(values["types"]), "focus_paps": ",".join(map(str, values["paps"])),
              "sample_size": values["size"], "sample_share": values["share"], "seed": seed}
    try:
        with database.atomic():
            if review is None:
                review = SupervisionReview.create(team=team.id, month=month, created_by=user, **fields)
                action = "create"
            else:
                _claim(review)
                SupervisionReview.update(version=SupervisionReview.version + 1, **fields).where(
                    SupervisionReview.id == review.id).execute()
                action = "update"
            _sync_cases(review, rows, chosen, suggestions)
            audit.log(action, "supervision-review", review.id,
                      f"Stichprobe {len(chosen)} von {len(focus)} (Liste {len(rows)}), Seed {seed}, "
                      f"Schwerpunkt {fields['focus_types'] or 'alle Arten'} / pAp {fields['focus_paps'] or 'alle'}")
    except IntegrityError:  # another draw created the review at the same moment
        return None, {"_form": "Die Stichprobe wurde gerade an anderer Stelle gezogen. Bitte die Seite neu laden."}
    return SupervisionReview.get_by_id(review.id), {}


def _sync_cases(review, rows, chosen, suggestions):
    """Store every row of the list as a case; ratings follow the sample (call inside a transaction)."""
    existing = {c.participation_id: c for c in SupervisionCase.select().where(SupervisionCase.review == review.id)}
    for p in rows:
        case, sampled = existing.pop(p.id, None), p.id in chosen
        ratings = _json(suggested_ratings(suggestions[p.id])) if sampled else "{}"
        if case is None:
            SupervisionCase.create(review=review.id, participation=p.id, sampled=sampled, ratings=ratings)
        elif case.sampled != sampled:
            SupervisionCase.update(sampled=sampled, ratings=ratings, checked_by=None, checked_at=None,
                                   version=case.version + 1).where(SupervisionCase.id == case.id).execute()
    if existing:  # no longer on the list (planned end moved, exit before the month)
        SupervisionCase.delete().where(SupervisionCase.id.in_([c.id for c in existing.values()])).execute()


# ------------------------------------------------------------------ one case

def check_case(case, form, user, today=None):
    """Save the ratings, the finding and the feedback of a sampled case.

    Feedback "einzelgespraech" gives the case's pAp a Wiedervorlage
    "Fachaufsicht: Einzelfallbesprechung" on the chosen day (once). Returns
    errors (empty on success); raises ``Locked`` after the sign-off.
    """
    today = today or datetime.date.today()
    if case.review.signed:
        raise Locked(case.review)
    if not case.sampled:
        return {"_form": "Nur Fälle der Stichprobe werden geprüft."}
    c = Checker(form)
    ratings = {key: c.choice(f"k_{key}", f"„{label}“", RATINGS, required=False) for key, label in CRITERIA}
    ratings = {k: v for k, v in ratings.items() if v}
    finding = c.text("befund", "die Feststellung", required=False, max_len=4000)
    feedback = c.choice("rueckmeldung", "die Rückmeldung", FEEDBACK, required=False) or ""
    if "nio" in ratings.values() and not finding:
        c.fail("befund", "Bitte die Feststellung zu den mit n.i.O. bewerteten Punkten beschreiben.")
    if case.followup_id and feedback != "einzelgespraech":
        c.fail("rueckmeldung", "Die Einzelfallbesprechung ist schon als Wiedervorlage gesetzt und bleibt bestehen.")
    due = None
    if feedback == "einzelgespraech" and not case.followup_id:
        due = c.date("termin", "den Termin der Einzelfallbesprechung")
        if due and due < today:
            c.fail("termin", "Termin: darf nicht in der Vergangenheit liegen.")
    if not c.ok:
        return c.errors
    with database.atomic():
        _claim(case.review)
        if not SupervisionCase.update(
                ratings=_json(ratings), finding=finding, feedback=feedback, checked_by=user, checked_at=now(),
                version=SupervisionCase.version + 1).where(
                SupervisionCase.id == case.id, SupervisionCase.version == _version(form)).execute():
            return {"_form": CONFLICT_MESSAGE}
        if due:
            f = planning.add_manual_followup(case.participation, FEEDBACK_TITLE, due, user, role="pAp", phase="",
                                             reason=f"Fachaufsicht {month_label(case.review.month)}")
            SupervisionCase.update(followup=f.id).where(SupervisionCase.id == case.id).execute()
            audit.log("create", "followup", f.id, f"{FEEDBACK_TITLE}, fällig {due:%d.%m.%Y}")
        audit.log("update", "supervision-case", case.id,
                  ", ".join(f"{k}={v}" for k, v in sorted(ratings.items())) + (f"; Rückmeldung {feedback}"
                                                                               if feedback else ""))
    return {}


def _version(form):
    raw = form.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1


# ------------------------------------------------------------------ the review

def save_team_findings(review, form, user):
    """Save the feedback to the whole team; returns errors, raises ``Locked`` after the sign-off."""
    if review.signed:
        raise Locked(review)
    c = Checker(form)
    text = c.text("team_findings", "die Rückmeldung an das Team", required=False, max_len=8000)
    if not c.ok:
        return c.errors
    with database.atomic():
        _claim(review)
        if not SupervisionReview.update(team_findings=text, version=SupervisionReview.version + 1).where(
                SupervisionReview.id == review.id, SupervisionReview.version == _version(form)).execute():
            return {"_form": CONFLICT_MESSAGE}
        audit.log("update", "supervision-review", review.id, "Rückmeldung an das Team")
    return {}


def unchecked(cases):
    """The sampled cases with criteria still unrated."""
    return [c for c in cases if c.sampled and set(CRITERION_KEYS) - set(load_ratings(c.ratings))]


def signed_payload(review, cases):
    """The canonical JSON (str) of what a sign-off confirms: focus, sample, every case with
    its ratings, finding and feedback, the team feedback, who and when."""
    types, paps = focus_of(review)
    return _json({
        "review": review.id, "team": review.team_id, "month": f"{review.month:%Y-%m}",
        "focus_types": types, "focus_paps": paps, "sample_size": review.sample_size,
        "sample_share": review.sample_share, "seed": review.seed, "team_findings": review.team_findings,
        "signed_by": review.signed_by_id, "signed_at": review.signed_at.isoformat() if review.signed_at else None,
        "cases": [{"participation": c.participation_id, "sampled": c.sampled, "ratings": load_ratings(c.ratings),
                   "finding": c.finding, "feedback": c.feedback, "followup": c.followup_id,
                   "checked_by": c.checked_by_id,
                   "checked_at": c.checked_at.isoformat() if c.checked_at else None}
                  for c in sorted(cases, key=lambda c: c.participation_id)],
    })


def checksum(review, cases):
    return hashlib.sha256(signed_payload(review, cases).encode("utf-8")).hexdigest()


def verify(review):
    """True when the stored review and cases still give the checksum stored at the sign-off."""
    cases = SupervisionCase.select().where(SupervisionCase.review == review.id)
    return review.signed and checksum(review, cases) == review.signed_sha256


def sign_off(review, form, user):
    """Sign the review: who, when, which cases, findings, with the SHA-256 of the canonical JSON.

    Needs the confirmation box and every sampled case fully rated. Returns
    errors; raises ``Locked`` when it is already signed.
    """
    if review.signed:
        raise Locked(review)
    c = Checker(form)
    if form.get("bestaetigt") != "ja":
        c.fail("bestaetigt", "Bitte bestätigen Sie, dass Sie die Fälle der Stichprobe geprüft haben.")
    if not review.seed:
        c.fail("_form", "Bitte zuerst den Schwerpunkt setzen und die Stichprobe ziehen.")
    open_cases = unchecked(queries.review_cases(review, sampled=True))
    if open_cases:
        names = "; ".join(case.participation.customer.full_name for case in open_cases[:10])
        c.fail("_form", f"Noch nicht alle Punkte bewertet ({len(open_cases)} Fälle): {names}.")
    if not c.ok:
        return c.errors
    with database.atomic() as transaction:
        if not SupervisionReview.update(signed_by=user, signed_at=now(), version=SupervisionReview.version + 1).where(
                SupervisionReview.id == review.id, SupervisionReview.signed_at.is_null(),
                SupervisionReview.version == _version(form)).execute():
            signed = SupervisionReview.get_by_id(review.id)
            if signed.signed:
                raise Locked(signed)
            return {"_form": CONFLICT_MESSAGE}
        signed = SupervisionReview.get_by_id(review.id)
        cases = list(SupervisionCase.select().where(SupervisionCase.review == review.id))
        if unchecked(cases):  # changed between the check above and the claim
            transaction.rollback()
            return {"_form": "Inzwischen wurde ein Fall geändert; bitte prüfen und erneut abzeichnen."}
        digest = checksum(signed, cases)
        SupervisionReview.update(signed_sha256=digest).where(SupervisionReview.id == review.id).execute()
        audit.log("sign", "supervision-review", review.id,
                  f"{sum(1 for c in cases if c.sampled)} von {len(cases)} Fällen geprüft, sha256={digest}")
    return {}


def add_addendum(review, form, user):
    """A dated correction to a signed review; returns errors."""
    if not review.signed:
        return {"_form": "Vor dem Abzeichnen bitte die Prüfung selbst ändern; Nachträge gibt es danach."}
    c = Checker(form)
    text = c.text("nachtrag", "den Text des Nachtrags", max_len=4000)
    if not c.ok:
        return c.errors
    with database.atomic():
        row = SupervisionAddendum.create(review=review.id, text=text, author=user)
        audit.log("create", "supervision-addendum", row.id, f"Fachaufsicht {review.id}")
    return {}


def spot_check(review, form, user):
    """The BL's spot check of a signed review: ok yes/no and a remark (required for "nein")."""
    c = Checker(form)
    ok = c.choice("ok", "das Ergebnis der Prüfung", {"ja": "ohne Beanstandung", "nein": "mit Beanstandung"})
    remark = c.text("bemerkung", "die Beanstandung", required=ok == "nein", max_len=4000)
    if not review.signed:
        c.fail("_form", "Nur abgezeichnete Listen können stichprobenartig geprüft werden.")
    if not c.ok:
        return c.errors
    with database.atomic():
        row = SpotCheck.create(review=review.id, user=user, ok=ok == "ja", remark=remark)
        audit.log("create", "spot-check", row.id, f"Fachaufsicht {review.id}: {'ok' if ok == 'ja' else 'Beanstandung'}")
    return {}
