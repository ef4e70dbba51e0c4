"""Issuing the Fachaufsicht list: its plain-dict context, render and archive."""
import datetime

from ..documents import context as document_context
from ..documents import operations as documents
from ..documents.render import DocumentError, registry
from ..formats import de_date, month_label
from . import queries

SUPERVISION_DOCUMENT = "fachaufsicht-liste"


def supervision_list(team, month_start, rows, team_lead=None, generated_on=None, focus=""):
    """Context of 'fachaufsicht-liste' for ``rows`` from ``queries.supervision_rows``."""
    started = queries.am_started_map(p.id for p in rows)
    return {
        "jobcenter": document_context.jobcenter(),
        "team": {"name": team.name},
        "month_label": month_label(month_start),
        "generated_on": de_date(generated_on or datetime.date.today()),
        "focus": focus,
        "rows": [{
            "customer_number": p.customer.customer_number,
            "customer_name": p.customer.full_name,
            "pap_name": p.customer.pap.name if p.customer.pap_id else "",
            "measure_type": p.measure.type_code,
            "measure_number": p.measure.measure_number,
            "measure_title": p.measure.title,
            "exit_planned": de_date(p.planned_end),
            "am_started": started[p.id],
            "sampled": False,
        } for p in rows],
        "team_lead": {"name": team_lead.name if team_lead else ""},
    }


def issue_supervision_list(team, month_start, user):
    """Render and archive the Fachaufsicht list of ``team`` for the month; returns ``documents.Issued``.

    The sign-off block names the issuing user when they are a TL, else the team's TL.
    """
    lead = user if user.has_role("TL") and user.team_id == team.id else queries.team_lead(team)
    spec = registry.get(documents.forms_dir(), SUPERVISION_DOCUMENT)
    rows = queries.supervision_rows(team, month_start)
    context = supervision_list(team, month_start, rows, team_lead=lead)
    try:
        data, label = documents.render(spec, "pdf", context)
    except DocumentError as exc:
        return documents.Issued(error=str(exc))
    doc = documents.archive(spec, "pdf", data, label, user, ("Fachaufsicht", team.name, f"{month_start:%Y-%m}"),
                            team=team, subject=f"Team {team.id} {month_start:%Y-%m}")
    return documents.Issued(document=doc)
