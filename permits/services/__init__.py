"""Writes of the permits app, split by sub-domain; each status field has one writer here."""
