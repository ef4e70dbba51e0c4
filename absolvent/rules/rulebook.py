"""Rulebooks: one TOML file per Jobcenter and version, loaded and validated.

A rulebook is pure data (see ``absolvent/rulebooks/*.toml``); this module
turns a validated file into frozen dataclasses. Adding a Jobcenter means
adding a file, never code.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .calendar import Calendar
from .schema import check, parse_month_day


class RulebookError(Exception):
    """A rulebook is unknown, unreadable or invalid; ``errors`` lists German lines."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Offset:
    """A shift from an anchor date: unit is days, weeks, months, working_days,
    fraction (share of the measure duration) or month_day ("MM-DD", first such
    day on or after the anchor)."""

    unit: str
    value: int | float | str


@dataclass(frozen=True)
class DurationBound:
    """A limit on the planned measure duration; strict means > (min) or < (max)."""

    unit: str
    value: int
    strict: bool = False


@dataclass(frozen=True)
class Repeat:
    """Recurrence of a step from the start while not after the end."""

    every: Offset
    reset_on_contact: bool = False


@dataclass(frozen=True)
class Step:
    """One rule row of a rulebook (a task template)."""

    id: str
    title: str
    phase: str
    role: str
    types: tuple[str, ...]
    anchor: str
    due: Offset | None
    mandatory: bool
    mode: str = ""
    earliest: Offset | None = None
    earliest_anchor: str | None = None
    min_duration: DurationBound | None = None
    max_duration: DurationBound | None = None
    checklist: tuple[str, ...] = ()
    form: str | None = None
    repeat: Repeat | None = None
    group_only: bool = False
    source: str = ""


@dataclass(frozen=True)
class AftercareStartRule:
    """How the AM start is found for some types: an anchor + offset, or the
    first planned step of the given phases (``first_step_of``)."""

    types: tuple[str, ...]
    min_duration: DurationBound | None = None
    max_duration: DurationBound | None = None
    anchor: str | None = None
    offset: Offset | None = None
    first_step_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgreementTerm:
    """The name of the agreement (EV or KP) used from ``valid_from`` on."""

    code: str
    name: str
    valid_from: dt.date | None = None


@dataclass(frozen=True)
class Rulebook:
    """A validated rulebook."""

    id: str
    title: str
    jobcenter: str
    bundesland: str
    agreement_terms: tuple[AgreementTerm, ...]
    aftercare_start: tuple[AftercareStartRule, ...]
    aftercare_end_anchor: str
    aftercare_end_offset: Offset
    steps: tuple[Step, ...]
    closure_days: tuple[tuple[int, int], ...] = ()
    source: str = ""
    valid_from: dt.date | None = None
    path: str = field(default="", compare=False)

    @functools.cached_property
    def calendar(self) -> Calendar:
        """Return the working-day calendar of this rulebook's Bundesland."""
        return Calendar(self.bundesland, self.closure_days)

    @property
    def agreement_term(self) -> AgreementTerm:
        """Return the term used for new agreements (the latest one)."""
        return self.agreement_terms[-1]

    def agreement_term_on(self, day: dt.date) -> AgreementTerm:
        """Return the term in force on ``day`` (EV before 01.07.2023, then KP …)."""
        current = self.agreement_terms[0]
        for term in self.agreement_terms[1:]:
            if term.valid_from is not None and term.valid_from <= day:
                current = term
        return current

    @property
    def measure_types(self) -> tuple[str, ...]:
        """Return the measure codes this rulebook has steps for, sorted."""
        return tuple(sorted({code for step in self.steps for code in step.types}))

    def step(self, step_id: str) -> Step:
        """Return the step with ``step_id``; raises KeyError."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)




def _offset(raw: dict | None) -> Offset | None:
    if raw is None:
        return None
    (unit, value), = raw.items()
    return Offset(unit, value)


def _bound(raw: dict | None) -> DurationBound | None:
    if raw is None:
        return None
    unit = next(key for key in raw if key != "strict")
    return DurationBound(unit, raw[unit], bool(raw.get("strict", False)))


def _build_step(raw: dict) -> Step:
    repeat = raw.get("repeat")
    return Step(
        id=raw["id"], title=raw["title"], phase=raw["phase"], role=raw["role"],
        types=tuple(raw["types"]), anchor=raw["anchor"], due=_offset(raw.get("due")),
        mandatory=raw["mandatory"], mode=raw.get("mode", ""),
        earliest=_offset(raw.get("earliest")),
        earliest_anchor=raw.get("earliest_anchor"),
        min_duration=_bound(raw.get("min_duration")),
        max_duration=_bound(raw.get("max_duration")),
        checklist=tuple(raw.get("checklist", ())), form=raw.get("form"),
        repeat=Repeat(_offset(repeat["every"]), repeat.get("reset_on_contact", False))
        if repeat else None,
        group_only=raw.get("group_only", False), source=raw.get("source", ""),
    )


def _build(data: dict, path: Path) -> Rulebook:
    aftercare = data["aftercare"]
    return Rulebook(
        id=data["id"], title=data["title"], jobcenter=data["jobcenter"],
        bundesland=data["bundesland"],
        agreement_terms=tuple(
            AgreementTerm(t["code"], t["name"], t.get("from"))
            for t in data["agreement_terms"]
        ),
        aftercare_start=tuple(
            AftercareStartRule(
                types=tuple(r["types"]), min_duration=_bound(r.get("min_duration")),
                max_duration=_bound(r.get("max_duration")), anchor=r.get("anchor"),
                offset=_offset(r.get("offset")),
                first_step_of=tuple(r.get("first_step_of", ())),
            )
            for r in aftercare["start"]
        ),
        aftercare_end_anchor=aftercare["end"]["anchor"],
        aftercare_end_offset=_offset(aftercare["end"]["offset"]),
        steps=tuple(_build_step(s) for s in data["steps"]),
        closure_days=tuple(parse_month_day(d) for d in data.get("closure_days", [])),
        source=data.get("source", ""), valid_from=data.get("valid_from"),
        path=str(path),
    )


def rulebook_dir() -> Path:
    """Return the folder of the bundled rulebooks (package data)."""
    return Path(str(resources.files("absolvent").joinpath("rulebooks")))


def _read(path: Path) -> tuple[dict | None, list[str]]:
    """Return (parsed data, errors) for one TOML file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle), []
    except OSError as exc:
        return None, [f"{path.name}: Datei nicht lesbar ({exc.strerror or exc})"]
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{path.name}: TOML-Syntaxfehler: {exc}"]


def validate_file(path: str | Path) -> list[str]:
    """Return all errors of the rulebook file at ``path`` (empty list = valid)."""
    path = Path(path)
    data, errors = _read(path)
    if errors:
        return errors
    return check(data, path.name, stem=path.stem)


def _resolve(id_or_path: str | Path) -> Path:
    candidate = Path(id_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        return candidate
    text = str(id_or_path)
    if not text or "/" in text or "\\" in text or text.startswith("."):
        raise RulebookError([f"Unbekanntes Regelwerk \"{text}\""])
    return rulebook_dir() / f"{text}.toml"


def load_rulebook(id_or_path: str | Path) -> Rulebook:
    """Return the rulebook with this id (bundled) or at this file path.

    Raises RulebookError (with German lines) when it is unknown or invalid.
    """
    path = _resolve(id_or_path)
    if not path.exists():
        raise RulebookError([f"Unbekanntes Regelwerk \"{id_or_path}\""])
    stat = path.stat()
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _load_cached(path_text: str, _mtime: int, _size: int) -> Rulebook:
    path = Path(path_text)
    data, errors = _read(path)
    if not errors:
        errors = check(data, path.name, stem=path.stem)
    if errors:
        raise RulebookError(errors)
    return _build(data, path)


def list_rulebooks() -> list[Rulebook]:
    """Return all bundled rulebooks sorted by id; raises RulebookError if one is invalid."""
    return [load_rulebook(path) for path in sorted(rulebook_dir().glob("*.toml"))]
