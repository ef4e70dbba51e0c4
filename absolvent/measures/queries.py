"""Reads of the MB's workspace, narrowed by ``access``."""
from flask import abort

from .. import access
from ..models import Measure, Provider


def get_measure(measure_id):
    """The measure with its Träger, or abort 404."""
    measure = (Measure.select(Measure, Provider).join(Provider)
               .where(Measure.id == measure_id).first())
    if measure is None:
        abort(404)
    return measure


def get_own_measure(measure_id, user):
    """The measure when ``user`` is its MB (the one who does its MB work), else abort 404 / 403."""
    measure = get_measure(measure_id)
    access.require(access.is_mb_of_measure(user, measure))
    return measure


def get_supervised_measure(measure_id, user):
    """The measure when ``user`` may read its MB work (its MB, TL, BL), else abort 404 / 403."""
    measure = get_measure(measure_id)
    access.require(access.can_view_measure_work(user, measure))
    return measure
