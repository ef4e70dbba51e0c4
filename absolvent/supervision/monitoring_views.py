"""The "nicht eingeleitet" list (Goslar 1.4.2) and the TL/BL dashboards."""
from flask import Blueprint

bp = Blueprint("monitoring", __name__)
