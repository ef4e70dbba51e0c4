"""Verwaltung (Admin): users, teams and the Jobcenter settings; ``views`` and ``operations``."""
