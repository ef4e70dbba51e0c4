"""The calendar feed's table: one secret token per subscription, kept only as its SHA-256.

A leaked database does not reveal any feed URL. Regenerating revokes the old token;
at most one active (not revoked) token per user, enforced by a partial unique index.
Changes need a numbered migration (0017_calendar_feed); tests prove the migrated
schema equals this model.
"""
from peewee import CharField, DateTimeField, ForeignKeyField

from ..db import BaseModel
from ..models import User, now


class CalendarToken(BaseModel):
    user = ForeignKeyField(User, backref="calendar_tokens", on_delete="CASCADE")
    token_sha256 = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=now)
    revoked_at = DateTimeField(null=True)
    last_used_at = DateTimeField(null=True)


CalendarToken.add_index(CalendarToken.index(CalendarToken.user, unique=True, where=CalendarToken.revoked_at.is_null(),
                                            name="calendar_token_one_active"))

ICAL_MODELS = [CalendarToken]
