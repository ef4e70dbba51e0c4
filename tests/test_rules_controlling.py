"""Controlling "Absolventenmanagement erfüllt" (RULES.md §6, §8)."""

from datetime import date

import pytest

from absolvent.rules import ControllingError, evaluate, evaluate_all

EXIT = date(2026, 7, 1)
ENTRY = date(2026, 1, 1)            # Teilnahmedauer (01.07. - 01.01.) + 1 = 182 days
WINDOW_START = date(2026, 4, 2)     # 01.07. - 90 days: 30 (Jun) + 31 (May) + 29 -> 02.04.
OUTSIDE = date(2026, 4, 1)          # exit - 91 days


def participation(**changes):
    base = {
        "ref": "T-1", "measure": "FBW", "entry": ENTRY, "exit": EXIT, "abbruch": False,
        "agreements": [{"concluded": date(2026, 5, 4), "valid_until": None}],
        "proposals": [{"date": date(2026, 6, 1), "job_kind": "Arbeit", "sv_pflichtig": True}],
    }
    base.update(changes)
    return base


def test_fulfilled():
    result = evaluate(participation())
    assert result["ref"] == "T-1"
    assert result["eligible"] is True
    assert result["fulfilled"] is True
    text = " ".join(result["reasons"])
    assert "04.05.2026" in text and "01.06.2026" in text and "182 Tage" in text


@pytest.mark.parametrize("measure", ["FBW", "FBW-ABS", "MAT", "AVGS", "MAG", "BAE"])
def test_eligible_types(measure):
    assert evaluate(participation(measure=measure))["eligible"] is True


@pytest.mark.parametrize("measure", ["AGH", "BVB", "EQ", "16E", "16I"])
def test_not_eligible_types(measure):
    result = evaluate(participation(measure=measure))
    assert result["eligible"] is False and result["fulfilled"] is None
    assert any("gehört nicht zur Fördergruppe" in r for r in result["reasons"])


def test_182_days_eligible_181_not():
    assert evaluate(participation(entry=date(2026, 1, 1)))["eligible"] is True     # 182 days
    result = evaluate(participation(entry=date(2026, 1, 2)))                          # 181 days
    assert result["eligible"] is False and result["fulfilled"] is None
    assert any("181 Tage" in r and "unter 182" in r for r in result["reasons"])


def test_abbruch_not_eligible():
    result = evaluate(participation(abbruch=True))
    assert result["eligible"] is False and result["fulfilled"] is None
    assert any("Abbruch" in r for r in result["reasons"])


def test_no_exit_not_eligible():
    result = evaluate(participation(exit=None))
    assert result["eligible"] is False


def test_window_edges_for_agreement():
    inside = participation(agreements=[{"concluded": WINDOW_START, "valid_until": None}])
    assert evaluate(inside)["fulfilled"] is True
    outside = participation(agreements=[{"concluded": OUTSIDE, "valid_until": None}])
    result = evaluate(outside)
    assert result["fulfilled"] is False
    assert any("02.04.2026 bis 01.07.2026" in r for r in result["reasons"])
    on_exit_day = participation(agreements=[{"concluded": EXIT, "valid_until": EXIT}])
    assert evaluate(on_exit_day)["fulfilled"] is True


def test_window_edges_for_proposal():
    def with_proposal(day):
        return participation(proposals=[{"date": day, "job_kind": "Arbeit",
                                         "sv_pflichtig": True}])
    assert evaluate(with_proposal(WINDOW_START))["fulfilled"] is True
    assert evaluate(with_proposal(OUTSIDE))["fulfilled"] is False
    assert evaluate(with_proposal(EXIT))["fulfilled"] is True
    assert evaluate(with_proposal(date(2026, 7, 2)))["fulfilled"] is False


def test_agreement_expiring_the_day_before_exit():
    result = evaluate(participation(agreements=[{"concluded": date(2026, 5, 4),
                                                 "valid_until": date(2026, 6, 30)}]))
    assert result["fulfilled"] is False
    assert any("galt nur bis 30.06.2026" in r for r in result["reasons"])
    ok = evaluate(participation(agreements=[{"concluded": date(2026, 5, 4),
                                             "valid_until": EXIT}]))
    assert ok["fulfilled"] is True


def test_replaced_agreement_and_valid_successor():
    # the first is replaced on 10.06.; the successor (in the window, valid) satisfies it
    agreements = [{"concluded": date(2026, 5, 4), "valid_until": None},
                  {"concluded": date(2026, 6, 10), "valid_until": "2026-12-31"}]
    assert evaluate(participation(agreements=agreements))["fulfilled"] is True


def test_replaced_agreement_with_expired_successor():
    # successor concluded 10.06. replaces the first, but itself ends 20.06.: none valid
    agreements = [{"concluded": date(2026, 5, 4), "valid_until": None},
                  {"concluded": date(2026, 6, 10), "valid_until": date(2026, 6, 20)}]
    result = evaluate(participation(agreements=agreements))
    assert result["fulfilled"] is False
    assert any("durch eine spätere ersetzt" in r for r in result["reasons"])


def test_agreement_concluded_after_exit_does_not_replace():
    agreements = [{"concluded": date(2026, 5, 4), "valid_until": None},
                  {"concluded": date(2026, 7, 5), "valid_until": None}]
    assert evaluate(participation(agreements=agreements))["fulfilled"] is True


@pytest.mark.parametrize(("kind", "sv", "fulfilled"), [
    ("Arbeit", True, True),
    ("Künstler", True, True),
    ("Minijob", True, False),
    ("Minijob", False, False),
    ("Ausbildung", True, False),
    ("Selbständigkeit", True, False),
    ("Arbeit", False, False),
])
def test_proposal_kind(kind, sv, fulfilled):
    result = evaluate(participation(proposals=[{"date": "2026-06-01", "job_kind": kind,
                                                "sv_pflichtig": sv}]))
    assert result["fulfilled"] is fulfilled
    if not fulfilled:
        assert any(r.startswith("Kein Vermittlungsvorschlag") for r in result["reasons"])


def test_no_proposal_and_no_agreement():
    result = evaluate(participation(agreements=[], proposals=[]))
    assert result["fulfilled"] is False
    assert len(result["reasons"]) == 5   # 3 eligibility + agreement + proposal


def test_string_dates_accepted():
    result = evaluate(participation(entry="2026-01-01", exit="2026-07-01"))
    assert result["fulfilled"] is True


@pytest.mark.parametrize("bad", ["01.07.2026", "2026-13-01", "20260701", 42])
def test_malformed_dates_raise(bad):
    with pytest.raises(ControllingError, match="ungültiges Datum"):
        evaluate(participation(exit=bad))


def test_evaluate_all_keeps_order():
    results = evaluate_all([participation(ref="A"), participation(ref="B", abbruch=True)])
    assert [r["ref"] for r in results] == ["A", "B"]
    assert [r["fulfilled"] for r in results] == [True, None]
    assert set(results[0]) == {"ref", "eligible", "fulfilled", "reasons"}
