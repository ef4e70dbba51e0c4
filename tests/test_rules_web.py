"""Regelwerk page and simulator (all roles)."""
import pytest


@pytest.mark.parametrize("who", ["pap1", "mb1", "tl1", "bl", "admin", "dqm1", "bov1"])
def test_rulebook_page_for_every_role(world, auth, who):
    auth.login(who)
    body = auth.get("/regelwerk/").get_data(as_text=True)
    assert "Regelwerk: Absolventenmanagement und Maßnahmebetreuung Jobcenter Goslar" in body
    assert "Niedersachsen" in body or "NI" in body
    assert "3 Monate vor Maßnahmeende" in body  # FBW-ABS: boV 3 months before the end


def test_other_rulebook_and_type_filter_fragment(world, auth):
    auth.login("pap1")
    body = auth.get("/regelwerk/?regelwerk=deutsche-weinstrasse-2022").get_data(as_text=True)
    assert "Deutsche Weinstraße" in body and "10 Arbeitstage nach Maßnahmeende" in body
    frag = auth.get("/regelwerk/?regelwerk=deutsche-weinstrasse-2022&art=BAE", htmx=True).get_data(as_text=True)
    assert frag.lstrip().startswith('<div id="rule-table"') and "<html" not in frag
    assert "Qualifizierter Kontakt (mind. alle 8 Wochen)" not in frag  # MAT rule, filtered out
    assert auth.get("/regelwerk/?regelwerk=gibtsnicht").status_code == 404


def test_simulator_fragment(world, auth):
    auth.login("pap1")
    url = ("/regelwerk/simulation?regelwerk=deutsche-weinstrasse-2022&measure=MAT"
           "&start=05.01.2026&end=30.09.2026")
    frag = auth.get(url, htmx=True).get_data(as_text=True)
    assert frag.lstrip().startswith('<div id="simulation-result"')
    # 8-week contacts 02.03., 27.04., 22.06., 17.08.2026; AM from 30.06.2026 to 30.03.2027
    for day in ("02.03.2026", "27.04.2026", "22.06.2026", "17.08.2026", "30.06.2026", "30.03.2027"):
        assert day in frag
    full = auth.get(url).get_data(as_text=True)
    assert "<html" in full and "02.03.2026" in full


def test_simulator_dropout(world, auth):
    auth.login("pap1")
    frag = auth.get("/regelwerk/simulation?regelwerk=deutsche-weinstrasse-2022&measure=MAT&start=05.01.2026"
                    "&end=30.09.2026&exit=10.04.2026&dropout=on", htmx=True).get_data(as_text=True)
    assert "15.04.2026" in frag and "24.04.2026" in frag and "27.04.2026" not in frag


@pytest.mark.parametrize("query,message", [
    ("measure=XYZ&start=05.01.2026&end=30.09.2026", "Bitte eine Maßnahmeart auswählen."),
    ("measure=MAT&start=05.01.2026&end=31.02.2026", "Geplantes Ende: Dieses Datum gibt es nicht."),
    ("measure=MAT&start=&end=30.09.2026", "Bitte Eintritt angeben"),
    ("measure=MAT&start=05.01.2026&end=01.01.2026", "Das geplante Ende darf nicht vor dem Eintritt liegen."),
    ("measure=MAT&start=05.01.2026&end=30.09.2026&exit=01.01.2026", "Der Austritt darf nicht vor dem Eintritt"),
])
def test_simulator_errors(world, auth, query, message):
    auth.login("pap1")
    frag = auth.get(f"/regelwerk/simulation?{query}", htmx=True)
    assert frag.status_code == 200 and message in frag.get_data(as_text=True)
    assert auth.get(f"/regelwerk/simulation?{query}").status_code == 422
