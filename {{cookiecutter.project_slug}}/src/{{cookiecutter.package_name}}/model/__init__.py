"""The project's one model: reproducible training and the versioned artifact it writes."""
