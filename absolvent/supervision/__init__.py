"""Supervision (Fachaufsicht): the TL's monthly list of ending measures (RULES.md §7).

``views`` (blueprint ``supervision``), ``queries`` (the list's rows and the
"AM eingeleitet" column), ``operations`` (issuing the printed list).
"""
