"""Published trial figures (Niu et al. 2026 and other second-line results) and patient matching."""
