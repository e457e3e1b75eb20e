"""(filled by the shelf work)."""
