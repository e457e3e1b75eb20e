"""Reads of the records domain."""
