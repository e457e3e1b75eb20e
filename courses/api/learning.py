"""(filled by the learning work)."""
