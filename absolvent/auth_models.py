"""The tables only the login uses: server-side sessions and login attempts (auth.py; the
administration revokes sessions). Every change needs a numbered migration in ``migrations/``."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField

from .db import BaseModel
from .models import User, now


class AuthSession(BaseModel):
    """A server-side login session; logout revokes it, so a copied cookie dies."""

    token = CharField(unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=now)
    last_seen = DateTimeField(default=now)
    address = CharField(default="")
    revoked_at = DateTimeField(null=True)


class LoginAttempt(BaseModel):
    username = CharField(index=True)
    address = CharField(index=True)
    at = DateTimeField(default=now, index=True)
    success = BooleanField(default=False)


AUTH_MODELS = [AuthSession, LoginAttempt]
