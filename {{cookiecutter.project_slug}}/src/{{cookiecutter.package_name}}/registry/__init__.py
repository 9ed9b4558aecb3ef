"""The model registry: promotion by aliases, rollback, lineage, and champions for serving."""
