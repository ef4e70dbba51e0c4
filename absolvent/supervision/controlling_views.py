"""Controlling "Absolventenmanagement erfüllt" (RULES.md §6): quota per month, team and pAp."""
from flask import Blueprint

bp = Blueprint("controlling", __name__)
