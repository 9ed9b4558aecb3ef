"""The HTTP service: health, metrics and the versioned API."""
