"""Every write of the studios domain, by area."""
