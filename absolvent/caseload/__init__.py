"""Caseload: customers, participations, their follow-up plans, contacts and
agreements, the worklist and the rulebook page.

views: ``customers``, ``participations``, ``followups``, ``worklist``,
``agreements``, ``rulebook`` (one blueprint each); ``queries`` (what a user may
see), ``operations`` (writes), ``planning`` (rulebook → follow-ups).
"""
