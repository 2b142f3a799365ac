"""Maintenance commands for the repository (not part of the published CLI)."""
