"""Documents: the archive of issued documents, template versions, bulk print.

``views`` (blueprint ``documents``), ``operations`` (issue, archive, templates,
bulk jobs), ``context`` (plain-dict builders), ``models``, ``cli``, and
``render/`` — the pure renderer (sandboxed docxtpl, locked-down WeasyPrint).
"""
