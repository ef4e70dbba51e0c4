"""Measures and providers (Maßnahmen, Träger): no personal data; every logged-in
user reads them, MB/TL/BL/Admin maintain them.

views: ``measures``, ``providers`` (one blueprint each); ``operations`` (writes).
"""
