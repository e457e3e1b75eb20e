"""JSON shapes of the catalog API, by area."""
