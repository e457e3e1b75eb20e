"""Accounts: people, roles, organizations, invitations, sign-in and API tokens."""
