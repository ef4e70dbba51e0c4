"""The Jobcenter's settings as the app uses them: the active rulebook, the word
for the agreement (EV or Kooperationsplan) and the rulebook choices."""
import datetime

from .models import JobcenterSettings
from .rules.rulebook import AgreementTerm, Rulebook, list_rulebooks, load_rulebook
from .vocabulary import AGREEMENT_TERMS

DEFAULT_RULEBOOK = "goslar-2016"


def rulebook_choices():
    """Return [(id, "title (Bundesland)")] for every bundled rulebook."""
    return [(rb.id, f"{rb.title} ({rb.bundesland})") for rb in list_rulebooks()]


def active_rulebook() -> Rulebook:
    """The rulebook named in the Jobcenter settings (default goslar-2016)."""
    settings = JobcenterSettings.current()
    return load_rulebook(settings.active_rulebook if settings else DEFAULT_RULEBOOK)


def agreement_term(day=None) -> AgreementTerm:
    """EV or Kooperationsplan, as the active rulebook names it on ``day`` (default today)."""
    return active_rulebook().agreement_term_on(day or datetime.date.today())


def term_name(agreement):
    """The rulebook's word for a stored agreement's kind on its date (EV / Kooperationsplan)."""
    term = agreement_term(agreement.concluded_on)
    return term.name if term.code == agreement.kind else AGREEMENT_TERMS.get(agreement.kind, term.name)
