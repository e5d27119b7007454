"""Small shared helpers: atomic file writes and the one hardened XML parser factory."""
