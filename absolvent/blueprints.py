"""Blueprint registration and the role-aware navigation."""
from flask import url_for
from flask_login import current_user

from .models import JobcenterSettings

CASE_ROLES = ("pAp", "boV", "AG-S", "TL", "DQM", "BL", "MB")


def nav_items(user):
    """The navigation entries ``user`` may use, in display order."""
    items = [("home.index", "Start", None)]
    if user.has_role(*CASE_ROLES):
        items += [("worklist.index", "Wiedervorlagen", None), ("customers.index", "Kunden", None),
                  ("participations.index", "Teilnahmen", None)]
    items += [("measures.index", "Maßnahmen", None), ("providers.index", "Träger", None)]
    items += [("rules_web.index", "Regelwerk", None)]
    items += [(endpoint, label, roles) for endpoint, label, roles in EXTRA_NAV]
    items += [("admin.users", "Verwaltung", ("Admin",))]
    return [{"url": url_for(e), "label": label} for e, label, roles in items
            if roles is None or user.has_role(*roles)]


# Areas added later append (endpoint, label, roles or None) here.
EXTRA_NAV = [("documents.bulk", "Sammeldruck", ("pAp", "TL")),
             ("documents.supervision_list", "Fachaufsicht", ("TL", "BL")),
             ("documents.templates", "Vorlagen", ("Admin",))]


def register(app):
    from . import (admin, auth, customers, documents_web, followups_web, home, measures, participations,
                   providers, rules_web, worklist)
    for module in (auth, home, customers, providers, measures, participations, followups_web, worklist,
                   rules_web, documents_web, admin):
        app.register_blueprint(module.bp)

    @app.context_processor
    def inject_navigation():
        if not (current_user and current_user.is_authenticated):
            return {"nav_items": [], "jobcenter_name": app.config["JOBCENTER_NAME"]}
        settings = JobcenterSettings.current()
        return {"nav_items": nav_items(current_user),
                "jobcenter_name": settings.name if settings else app.config["JOBCENTER_NAME"]}
