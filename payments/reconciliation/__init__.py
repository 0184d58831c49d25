"""SADAD reconciliation (spec §4): the day's file against the portal's payments."""
