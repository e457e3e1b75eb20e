"""Demo data of the catalog domain (filled by the shelf & catalog work)."""


def load(world) -> None:
    """Load demo courses, classes and lessons (idempotent)."""
