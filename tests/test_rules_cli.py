"""CLI of the rule engine (click groups "rules" and "controlling")."""

import json

import pytest
from click.testing import CliRunner

from absolvent.rules.cli import controlling_cli, rules_cli

PLAN = ["plan", "--rulebook", "goslar-2016", "--measure", "FBW-ABS",
        "--start", "2025-09-01", "--end", "2027-08-31"]


@pytest.fixture
def cli():
    return CliRunner()


def assert_one_line_error(result):
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fehler: ")
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_list(cli):
    result = cli.invoke(rules_cli, ["list"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Kennung", "Bundesland", "Titel"]
    assert lines[1].startswith("deutsche-weinstrasse-2022") and "RP" in lines[1]
    assert lines[2].startswith("goslar-2016") and "NI (Niedersachsen)" in lines[2]


def test_plan_json_shape(cli):
    result = cli.invoke(rules_cli, PLAN + ["--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"rulebook", "measure", "start", "end", "am_start", "am_end", "steps"}
    assert data["rulebook"] == "goslar-2016" and data["measure"] == "FBW-ABS"
    assert (data["start"], data["end"]) == ("2025-09-01", "2027-08-31")
    assert (data["am_start"], data["am_end"]) == ("2027-04-30", "2028-02-29")
    for step in data["steps"]:
        assert set(step) == {"id", "title", "role", "phase", "earliest", "due", "mandatory"}
    by_id = {s["id"]: s for s in data["steps"]}
    assert by_id["abs-ev"]["earliest"] == "2027-05-31"
    assert by_id["abs-ev"]["due"] == "2027-08-30"
    assert by_id["abs-ev"]["mandatory"] is True
    assert by_id["abs-uebergabe-bov"]["earliest"] is None
    assert [s["due"] for s in data["steps"]] == sorted(s["due"] for s in data["steps"])


def test_plan_json_null_am_dates(cli):
    result = cli.invoke(rules_cli, ["plan", "--rulebook", "goslar-2016", "--measure", "BVB",
                                    "--start", "2025-09-01", "--end", "2026-06-30", "--json"])
    data = json.loads(result.stdout)
    assert data["am_start"] is None and data["am_end"] is None and data["steps"] == []


def test_plan_table_in_german(cli):
    result = cli.invoke(rules_cli, PLAN)
    assert result.exit_code == 0
    assert "30.08.2027" in result.stdout and "31.05.2027" in result.stdout
    assert "Absolventenmanagement: 30.04.2027 bis 29.02.2028" in result.stdout
    assert "Hinweis: Ende der Probezeit fehlt" in result.stdout


@pytest.mark.parametrize(("change", "fragment"), [
    (("--rulebook", "entenhausen"), "Unbekanntes Regelwerk"),
    (("--measure", "XYZ"), "unbekannte Maßnahmeart"),
    (("--start", "01.09.2025"), "ungültiges Datum"),
    (("--start", "2025-02-30"), "ungültiges Datum"),
    (("--end", "20270831"), "ungültiges Datum"),
    (("--end", "2025-08-31"), "liegt vor dem Eintritt"),
])
def test_plan_bad_input_exits_2(cli, change, fragment):
    args = list(PLAN)
    args[args.index(change[0]) + 1] = change[1]
    result = cli.invoke(rules_cli, args)
    assert_one_line_error(result)
    assert fragment in result.stderr


def test_click_usage_errors_exit_2(cli):
    result = cli.invoke(rules_cli, ["plan", "--rulebook", "goslar-2016"])
    assert result.exit_code == 2
    assert "Missing option" in result.stderr
    assert cli.invoke(rules_cli, ["unbekannt"]).exit_code == 2
    assert cli.invoke(controlling_cli, ["evaluate"]).exit_code == 2


def test_validate_bundled(cli):
    result = cli.invoke(rules_cli, ["validate"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["OK deutsche-weinstrasse-2022.toml", "OK goslar-2016.toml"]


def test_validate_file_with_errors(cli, tmp_path):
    path = tmp_path / "kaputt.toml"
    path.write_text('id = "kaputt"\ntitle = "x"\n', encoding="utf-8")
    result = cli.invoke(rules_cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "kaputt.toml: jobcenter: Pflichtangabe fehlt" in result.stderr


def test_validate_missing_file(cli, tmp_path):
    result = cli.invoke(rules_cli, ["validate", str(tmp_path / "fehlt.toml")])
    assert result.exit_code == 1
    assert "Datei nicht lesbar" in result.stderr


def write_json(tmp_path, payload, name="in.json"):
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload),
                    encoding="utf-8")
    return str(path)


def test_controlling_evaluate(cli, tmp_path):
    payload = {"participations": [
        {"ref": "A", "measure": "FBW", "entry": "2026-01-01", "exit": "2026-07-01",
         "abbruch": False,
         "agreements": [{"concluded": "2026-05-04", "valid_until": ""}],
         "proposals": [{"date": "2026-06-01", "job_kind": "Künstler", "sv_pflichtig": True}]},
        {"ref": "B", "measure": "AGH", "entry": "2026-01-01", "exit": "2026-07-01",
         "abbruch": False, "agreements": [], "proposals": []},
    ]}
    result = cli.invoke(controlling_cli, ["evaluate", write_json(tmp_path, payload)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["ref"] for r in data["results"]] == ["A", "B"]
    assert data["results"][0]["fulfilled"] is True
    assert data["results"][1]["eligible"] is False and data["results"][1]["fulfilled"] is None


@pytest.mark.parametrize(("payload", "fragment"), [
    ("{kein json", "kein gültiges JSON"),
    ({"results": []}, "participations"),
    ({"participations": [1, 2]}, "participations"),
    ({"participations": [{"ref": "A", "measure": "FBW", "entry": "2026-01-01",
                          "exit": "1.7.2026"}]}, "ungültiges Datum"),
])
def test_controlling_bad_input_exits_2(cli, tmp_path, payload, fragment):
    result = cli.invoke(controlling_cli, ["evaluate", write_json(tmp_path, payload)])
    assert_one_line_error(result)
    assert fragment in result.stderr


def test_controlling_unreadable_file(cli, tmp_path):
    result = cli.invoke(controlling_cli, ["evaluate", str(tmp_path / "fehlt.json")])
    assert_one_line_error(result)
    assert "nicht lesbar" in result.stderr


def test_controlling_non_utf8_file(cli, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"participations": ["Künstler"]}'.encode("latin-1"))
    result = cli.invoke(controlling_cli, ["evaluate", str(path)])
    assert_one_line_error(result)
