"""Writes of the records domain: honours, printouts, the talent pool, targets, summaries."""
