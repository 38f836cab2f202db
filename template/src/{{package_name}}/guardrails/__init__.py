"""Guardrails: checks on what goes into the model and what comes out of it."""
