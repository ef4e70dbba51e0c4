"""Writes of the calendar feed: create (or regenerate) and revoke a user's token, and
note its use. The token itself is returned once and never stored, only its SHA-256."""
import datetime
import hashlib
import re
import secrets

from peewee import IntegrityError

from ..db import database
from ..models import User, now
from .models import CalendarToken

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits, 43 URL-safe characters
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
TOUCH_EVERY = datetime.timedelta(minutes=1)  # last_used_at is written at most once a minute


def token_hash(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def active_token(user):
    """The user's active (not revoked) token row, or None."""
    return CalendarToken.get_or_none(CalendarToken.user == user.id, CalendarToken.revoked_at.is_null())


def _revoke_active(user, at):
    return (CalendarToken.update(revoked_at=at)
            .where(CalendarToken.user == user.id, CalendarToken.revoked_at.is_null()).execute())


def create_token(user):
    """A new feed token for ``user``; revokes the active one in the same transaction.

    Returns (token, row, revoked): the plain token (shown once), its row and how many
    tokens were revoked. Two requests at once cannot leave two active tokens: the
    partial unique index refuses the second insert, which is then retried once and
    revokes the first."""
    for attempt in (1, 2):
        token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            with database.atomic():
                revoked = _revoke_active(user, now())
                row = CalendarToken.create(user=user.id, token_sha256=token_hash(token))
            return token, row, revoked
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def revoke(user):
    """Revoke the user's active token; returns how many were revoked (0 or 1)."""
    with database.atomic():
        return _revoke_active(user, now())


def find_active(token):
    """The active token row for a feed URL's token, with its user, or None for a
    malformed, unknown or revoked token or a deactivated user (the lookup by hash
    needs no constant-time comparison: nothing secret is compared)."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        return None
    return (CalendarToken.select(CalendarToken, User).join(User)
            .where(CalendarToken.token_sha256 == token_hash(token), CalendarToken.revoked_at.is_null(),
                   User.active == True).first())  # noqa: E712


def touch(row, at=None):
    """Note the feed's use: ``last_used_at`` at most once a minute (one conditional
    UPDATE, nothing written when it was set less than a minute ago)."""
    at = at or now()
    return (CalendarToken.update(last_used_at=at)
            .where(CalendarToken.id == row.id,
                   CalendarToken.last_used_at.is_null() | (CalendarToken.last_used_at <= at - TOUCH_EVERY))
            .execute())
