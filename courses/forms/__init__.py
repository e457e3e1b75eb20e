"""HTML forms of the catalog domain, by area."""
