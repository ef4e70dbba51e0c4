"""Pure rule engine: calendar, rulebooks, planner and controlling.

No Flask, no database: everything here takes plain values and returns plain
values, so it can be tested and reused from the CLI, the web app and imports.
"""

from .calendar import (
    Calendar,
    add_months,
    add_weeks,
    duration_at_least,
    duration_at_most,
    duration_less_than,
    duration_months,
    duration_more_than,
    format_de,
    in_band,
    teilnahmedauer,
)
from .controlling import ControllingError, evaluate, evaluate_all
from .planner import MissingDate, ParticipationFacts, Plan, PlanError, PlannedStep, plan
from .rulebook import (
    Rulebook,
    RulebookError,
    Step,
    list_rulebooks,
    load_rulebook,
    validate_file,
)
from .vocabulary import MEASURE_TYPES, ROLES

__all__ = [
    "MEASURE_TYPES",
    "ROLES",
    "Calendar",
    "ControllingError",
    "MissingDate",
    "ParticipationFacts",
    "Plan",
    "PlanError",
    "PlannedStep",
    "Rulebook",
    "RulebookError",
    "Step",
    "add_months",
    "add_weeks",
    "duration_at_least",
    "duration_at_most",
    "duration_less_than",
    "duration_months",
    "duration_more_than",
    "evaluate",
    "evaluate_all",
    "format_de",
    "in_band",
    "list_rulebooks",
    "load_rulebook",
    "plan",
    "teilnahmedauer",
    "validate_file",
]
