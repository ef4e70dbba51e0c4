"""Guided phase forms: definitions (engine/, pure), runs and submit (operations), views."""
