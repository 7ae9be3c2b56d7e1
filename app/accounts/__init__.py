"""Facilitator accounts: passwords, sessions, CSRF and the first-run setup link."""
