"""The planner: from a rulebook and the facts of one participation to a dated plan.

``plan(rulebook, facts)`` is pure: same input, same plan. It never refuses a
plausible-but-unusual duration (it warns); it raises PlanError for facts that
cannot describe a participation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .calendar import add_months, add_weeks, compare_duration, duration_less_than, duration_more_than, format_de
from .rulebook import DurationBound, Offset, Rulebook, Step
from .vocabulary import ANCHORS, MEASURE_TYPES


class MissingDate(str):
    """A hint that a step cannot be dated because a date of the case is missing.

    It reads as the German sentence (``str``) and carries the data: ``anchor``
    (e.g. ``"exam"``), ``date_name`` ("Prüfungstermin"), ``step_id``,
    ``step_title`` and the step's ``phase``, so pages group hints by date
    without parsing the sentence and drop hints of phases that are over.
    """

    anchor: str
    date_name: str
    step_id: str
    step_title: str
    phase: str

    def __new__(cls, anchor: str, step_id: str, step_title: str, phase: str = "") -> MissingDate:
        date_name = ANCHORS[anchor]
        hint = super().__new__(cls, f"{date_name} fehlt: Schritt \"{step_title}\" kann nicht terminiert werden")
        hint.anchor, hint.date_name, hint.step_id, hint.step_title = anchor, date_name, step_id, step_title
        hint.phase = phase
        return hint


class PlanError(ValueError):
    """The facts of a participation are invalid; the message is German."""


@dataclass(frozen=True)
class ParticipationFacts:
    """What the planner needs to know about one participation.

    ``start`` is the entry into the measure, ``end`` its planned end,
    ``exit`` the actual exit (None while running), ``contacts`` the dates of
    recorded qualified contacts.
    """

    measure_type: str
    start: dt.date
    end: dt.date
    exit: dt.date | None = None
    dropout: bool = False
    exam: dt.date | None = None
    training_year_1_end: dt.date | None = None
    training_year_2_end: dt.date | None = None
    probation_end: dt.date | None = None
    intermediate_exam: dt.date | None = None
    contacts: tuple[dt.date, ...] = ()
    group_measure: bool = False


@dataclass(frozen=True)
class PlannedStep:
    """One dated task of a plan."""

    step_id: str
    title: str
    phase: str
    role: str
    mode: str
    earliest: dt.date | None
    due: dt.date
    mandatory: bool
    checklist: tuple[str, ...]
    form: str | None
    rule_id: str


@dataclass
class Plan:
    """The dated plan of one participation."""

    am_start: dt.date | None
    am_end: dt.date | None
    steps: list[PlannedStep] = field(default_factory=list)
    missing: list[MissingDate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def missing_by_date(self, phases_over: tuple[str, ...] = ()) -> list[tuple[str, list[str]]]:
        """The missing-date hints grouped by the missing date: [(date name, [step titles])],
        in first-seen order; hints of steps in ``phases_over`` (no longer doable) are left out."""
        groups: dict[str, list[str]] = {}
        for hint in self.missing:
            if hint.phase not in phases_over:
                groups.setdefault(hint.date_name, []).append(hint.step_title)
        return list(groups.items())


def _check_facts(facts: ParticipationFacts) -> None:
    if facts.measure_type not in MEASURE_TYPES:
        raise PlanError(f"Unbekannte Maßnahmeart \"{facts.measure_type}\" "
                        f"(erlaubt: {', '.join(MEASURE_TYPES)})")
    if facts.end < facts.start:
        raise PlanError(f"Das Maßnahmeende ({format_de(facts.end)}) liegt vor dem "
                        f"Eintritt ({format_de(facts.start)}).")
    if facts.exit is not None and facts.exit < facts.start:
        raise PlanError(f"Das Austrittsdatum ({format_de(facts.exit)}) liegt vor dem "
                        f"Eintritt ({format_de(facts.start)}).")
    if facts.dropout and facts.exit is None:
        raise PlanError("Bei einem Abbruch muss das Austrittsdatum angegeben werden.")


class _Planner:
    def __init__(self, rulebook: Rulebook, facts: ParticipationFacts):
        self.rulebook = rulebook
        self.facts = facts
        self.calendar = rulebook.calendar
        # on a regular exit the anchor "end" is the actual exit; on a dropout the
        # regular end is kept so that its end steps can be compared with the exit
        if facts.exit is not None and not facts.dropout:
            self.effective_end = facts.exit
        else:
            self.effective_end = facts.end
        self.anchors: dict[str, dt.date | None] = {
            "start": facts.start,
            "end": self.effective_end,
            "exit": facts.exit,
            "exam": facts.exam,
            "training_year_1_end": facts.training_year_1_end,
            "training_year_2_end": facts.training_year_2_end,
            "probation_end": facts.probation_end,
            "intermediate_exam": facts.intermediate_exam,
            "am_start": None,
        }

    # -- arithmetic -------------------------------------------------------
    def shift(self, day: dt.date, offset: Offset) -> dt.date:
        """Return ``day`` moved by ``offset``."""
        unit, value = offset.unit, offset.value
        if unit == "days":
            return day + dt.timedelta(days=value)
        if unit == "weeks":
            return add_weeks(day, value)
        if unit == "months":
            return add_months(day, value)
        if unit == "working_days":
            return self.calendar.add_working_days(day, value)
        if unit == "fraction":
            total = (self.facts.end - self.facts.start).days + 1
            return day + dt.timedelta(days=int(total * value))
        month, day_of_month = (int(part) for part in str(value).split("-"))
        candidate = dt.date(day.year, month, day_of_month)
        return candidate if candidate >= day else dt.date(day.year + 1, month, day_of_month)

    def fits(self, bound: DurationBound | None, minimum: bool) -> bool:
        """Return True when the planned duration satisfies the bound."""
        if bound is None:
            return True
        cmp = compare_duration(self.facts.start, self.facts.end, **{bound.unit: bound.value})
        if minimum:
            return cmp > 0 if bound.strict else cmp >= 0
        return cmp < 0 if bound.strict else cmp <= 0

    def applies(self, step: Step) -> bool:
        facts = self.facts
        if facts.measure_type not in step.types:
            return False
        if step.group_only and not facts.group_measure:
            return False
        if step.phase == "abbruch" and not facts.dropout:
            return False
        return self.fits(step.min_duration, True) and self.fits(step.max_duration, False)

    def term_text(self, text: str, day: dt.date) -> str:
        if "{" not in text:
            return text
        term = self.rulebook.agreement_term_on(day)
        return text.replace("{vereinbarung}", term.name).replace(
            "{vereinbarung_kurz}", term.code)

    def make(self, step: Step, due: dt.date, earliest: dt.date | None,
             step_id: str | None = None) -> PlannedStep:
        return PlannedStep(
            step_id=step_id or step.id, title=self.term_text(step.title, due),
            phase=step.phase, role=step.role, mode=step.mode, earliest=earliest,
            due=due, mandatory=step.mandatory,
            checklist=tuple(self.term_text(item, due) for item in step.checklist),
            form=step.form, rule_id=step.id,
        )

    # -- steps ------------------------------------------------------------
    def dated(self, step: Step, missing: list[MissingDate]) -> list[PlannedStep]:
        """Return the planned occurrences of one applicable step."""
        if step.repeat is not None:
            return self.recurring(step)
        base = self.anchors[step.anchor]
        if base is None:
            missing.append(MissingDate(step.anchor, step.id, step.title, step.phase))
            return []
        due = self.shift(base, step.due)
        if step.due.unit == "month_day" and due > self.effective_end:
            # "bis Ende Mai" in a measure that ends earlier: due at the end
            due = self.effective_end
        earliest = None
        if step.earliest is not None:
            early_base = self.anchors[step.earliest_anchor or step.anchor]
            earliest = self.shift(early_base, step.earliest) if early_base else None
        if earliest is not None and earliest > due:
            earliest = due
        return [self.make(step, due, earliest)]

    def recurring(self, step: Step) -> list[PlannedStep]:
        """Return the occurrences of a recurring step up to the effective end.

        Every occurrence is due one period after the previous reference date
        (first: the start). With ``reset_on_contact`` the contact that meets an
        occurrence becomes the next reference date: the latest contact in
        (reference, due], or else the first contact after due (met late).
        """
        facts, repeat = self.facts, step.repeat
        contacts = sorted(c for c in facts.contacts if c >= facts.start)
        result: list[PlannedStep] = []
        reference, number = facts.start, 0
        while True:
            number += 1
            if repeat.every.unit == "months" and not repeat.reset_on_contact:
                # monthly from the start, so that 31st-of-month clamping never drifts
                due = add_months(facts.start, repeat.every.value * number)
            else:
                due = self.shift(reference, repeat.every)
            if due > self.effective_end:
                return result
            result.append(self.make(step, due, None, f"{step.id}-{number}"))
            previous, reference = reference, due
            if repeat.reset_on_contact:
                on_time = [c for c in contacts if previous < c <= due]
                late = [c for c in contacts if c > due]
                if on_time:
                    reference = on_time[-1]
                elif late:
                    reference = late[0]   # the overdue occurrence was met late

    # -- AM period --------------------------------------------------------
    def aftercare_start(self, planned: list[PlannedStep]) -> dt.date | None:
        """Return the AM start from the first matching rule (None if none matches)."""
        for rule in self.rulebook.aftercare_start:
            if self.facts.measure_type not in rule.types:
                continue
            if not (self.fits(rule.min_duration, True) and self.fits(rule.max_duration, False)):
                continue
            if rule.first_step_of:
                dates = [p.earliest or p.due for p in planned if p.phase in rule.first_step_of]
                return min(dates) if dates else None
            base = self.anchors[rule.anchor]
            return self.shift(base, rule.offset) if base else None
        return None

    def run(self) -> Plan:
        facts, rulebook = self.facts, self.rulebook
        missing: list[MissingDate] = []
        applicable = [s for s in rulebook.steps if self.applies(s)]
        uses_am = [s for s in applicable
                   if "am_start" in (s.anchor, s.earliest_anchor or s.anchor)]
        planned: list[PlannedStep] = []
        for step in applicable:
            if step not in uses_am:
                planned.extend(self.dated(step, missing))
        am_start = self.aftercare_start([p for p in planned if p.phase != "abbruch"])
        self.anchors["am_start"] = am_start
        for step in uses_am:
            planned.extend(self.dated(step, missing))
        end_base = self.anchors[rulebook.aftercare_end_anchor]
        am_end = self.shift(end_base, rulebook.aftercare_end_offset) if end_base else None
        if am_start is None:
            am_end = None
        if facts.dropout:
            planned = [p for p in planned if self.kept_after_dropout(p)]
            if am_start is not None and am_start <= facts.exit:
                am_end = facts.exit
            else:
                am_start = am_end = None
        elif facts.exit is not None:
            planned = [p for p in planned
                       if p.phase != "waehrend" or p.due <= self.effective_end]
        planned.sort(key=lambda p: (p.due, p.step_id))
        warnings = plausibility_warnings(facts.measure_type, facts.start, facts.end)
        if not any(facts.measure_type in s.types for s in rulebook.steps):
            warnings.append(f"Das Regelwerk \"{rulebook.title}\" enthält keine Schritte "
                            f"für die Maßnahmeart {facts.measure_type}.")
        return Plan(am_start=am_start, am_end=am_end, steps=planned,
                    missing=missing, warnings=warnings)

    def kept_after_dropout(self, planned: PlannedStep) -> bool:
        """Return True when a step survives an Abbruch (see RULES.md §4.4)."""
        if planned.phase == "waehrend":
            return False
        if planned.phase in ("ende", "nach"):
            return planned.due <= self.facts.exit
        return True


def plan(rulebook: Rulebook, facts: ParticipationFacts) -> Plan:
    """Return the dated plan of one participation under ``rulebook``.

    Raises PlanError (German message) for an unknown measure type, an end or
    exit before the start, or an Abbruch without exit date.
    """
    _check_facts(facts)
    return _Planner(rulebook, facts).run()


def plausibility_warnings(measure_type: str, start: dt.date, end: dt.date) -> list[str]:
    """Return German warnings for durations beyond the usual legal limits (§2).

    Never refuses: exceptions exist (e.g. MAG up to 12 weeks for long-term
    unemployed with serious obstacles).
    """
    warnings: list[str] = []
    if measure_type == "MAG" and duration_more_than(start, end, weeks=6):
        warnings.append("MAG dauert länger als 6 Wochen (zulässig nur in Ausnahmefällen "
                        "bis 12 Wochen) – bitte prüfen.")
    if measure_type == "AGH" and duration_more_than(start, end, months=24):
        warnings.append("AGH dauert länger als 24 Monate (Höchstdauer 24 Monate "
                        "innerhalb von 5 Jahren) – bitte prüfen.")
    if measure_type == "BVB" and duration_more_than(start, end, months=10):
        warnings.append("BVB dauert länger als 10 Monate (11 mit Behinderung, 12 bei "
                        "Vorbereitung des Hauptschulabschlusses) – bitte prüfen.")
    if measure_type == "EQ" and (duration_less_than(start, end, months=4)
                                 or duration_more_than(start, end, months=12)):
        warnings.append("EQ dauert nicht zwischen 4 und 12 Monaten – bitte prüfen.")
    if measure_type == "16E" and duration_more_than(start, end, months=24):
        warnings.append("Förderung nach §16e SGB II dauert länger als 24 Monate – "
                        "bitte prüfen.")
    if measure_type == "16I" and duration_more_than(start, end, months=60):
        warnings.append("Förderung nach §16i SGB II dauert länger als 5 Jahre – "
                        "bitte prüfen.")
    return warnings
