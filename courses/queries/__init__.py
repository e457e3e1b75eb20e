"""Reads of the catalog domain, by area."""
