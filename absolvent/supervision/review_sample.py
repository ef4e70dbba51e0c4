"""The Fachaufsicht sample: risk-based focus, size or share, random but reproducible.

A case's place in the draw is the SHA-256 of ``"<seed>:<participation id>"``;
the sample is the first N cases of the focus in that order. The same seed and
the same list always give the same cases (independent of the Python version),
and a case added to the list later does not reshuffle the others.
"""
import hashlib
import secrets


def new_seed():
    """A fresh random seed (16 hex digits)."""
    return secrets.token_hex(8)


def sample_count(population, size=None, share=None):
    """How many of ``population`` cases to draw: ``size`` (at most all), or ``share`` percent
    rounded half up (kaufmännisch), at least one case when the share is above zero."""
    if population <= 0:
        return 0
    if size is not None:
        return max(0, min(size, population))
    if share:
        return min(population, max(1, (population * share + 50) // 100))
    return 0


def in_focus(rows, focus_types=(), focus_paps=()):
    """The participations of ``rows`` within the focus (measure types and/or pAp ids; empty = all)."""
    return [p for p in rows
            if (not focus_types or p.measure.type_code in focus_types)
            and (not focus_paps or p.customer.pap_id in focus_paps)]


def _rank(seed, participation_id):
    return hashlib.sha256(f"{seed}:{participation_id}".encode()).hexdigest()


def draw(participation_ids, count, seed):
    """The ids of the sample: the ``count`` first of ``participation_ids`` ordered by their rank."""
    return set(sorted(set(participation_ids), key=lambda pid: _rank(seed, pid))[:count])
