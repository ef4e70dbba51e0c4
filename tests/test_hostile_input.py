"""Hostile values in every route, query and form field never give a 5xx (issue 10 finding 4).

Generated from the app's URL map: ids beyond 2^63, Unicode digits ("²" is a digit to
str.isdigit but not to int), huge numbers, markup and path tricks, as path arguments,
query values and form fields, for GET and POST, as full page and htmx request.
"""
import re

import pytest

HOSTILE = ["99999999999999999999999", str(2**63), str(2**63 - 1), "²", "-1", "1e400", "0x10", "",
           "<script>", "../../etc/passwd", "A" * 5000, "NaN", "２"]
PARAMS = ["seite", "customer", "monat", "team", "zeitraum", "bereich", "rolle", "status", "q", "art",
          "regelwerk", "zurueck_zu", "format", "version", "followup", "teilnahme", "due", "reason", "outcome",
          "measure", "entry", "planned_end", "exit", "pap", "capacity", "provider", "mb", "id", "done",
          "contact_date", "channel", "subject", "qualified", "aktion", "start", "end", "name", "roles"]
PATH_VALUES = {"int": ["99999999999999999999999", str(2**63), "1"], "default": ["²", "x", "eingliederungsvereinbarung"]}


def _urls(app):
    """(rule, url) with every path argument replaced by hostile values (ints beyond 2^63 for <int:…>)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for i in range(3):
            def value(match, i=i):
                kind = "int" if match.group(1) == "int" else "default"
                return PATH_VALUES[kind][i]
            yield rule, re.sub(r"<(?:(\w+):)?\w+>", value, rule.rule)


@pytest.mark.parametrize("who", ["pap1", "bl", "mb1"])  # team, all teams, own measures
def test_no_route_answers_5xx_to_hostile_input(app, world, auth, who):
    auth.login(who)
    failures = []
    for rule, url in _urls(app):
        for value in HOSTILE:
            query = {name: value for name in PARAMS}
            methods = rule.methods - {"HEAD", "OPTIONS"}
            if "GET" in methods:
                for htmx in (False, True):
                    response = auth.client.get(url, query_string=query,
                                               headers={"HX-Request": "true"} if htmx else {})
                    if response.status_code >= 500:
                        failures.append(("GET", url, value, response.status_code))
            if "POST" in methods and rule.endpoint not in ("auth.logout",):
                response = auth.post(url, query)
                if response.status_code >= 500:
                    failures.append(("POST", url, value, response.status_code))
    assert failures == []
