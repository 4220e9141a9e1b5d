"""Storage: the engine and its sessions, the typed models, and the Alembic migrations."""
