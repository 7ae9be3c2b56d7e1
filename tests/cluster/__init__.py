"""Several server processes on one PostgreSQL database and one Redis (issue 11)."""
