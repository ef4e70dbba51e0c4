"""Audit trail: every read and write of personal data (Sozialdaten) is logged."""
from flask import has_request_context, request
from flask_login import current_user

from .models import AuditLog


def client_address():
    if not has_request_context():
        return "cli"
    return request.remote_addr or ""


def log(action, entity, entity_id="", detail="", user=None):
    """Append one audit row. ``user`` defaults to the logged-in user (None for the CLI)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    AuditLog.create(
        user=user,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=detail[:2000],
        address=client_address(),
    )
