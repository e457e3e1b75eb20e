"""Catalog: courses, training classes, enrollment, online lessons, attendance."""
