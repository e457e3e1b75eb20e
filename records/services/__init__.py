"""Writes of the records domain: printouts, the talent pool, targets, summaries."""
