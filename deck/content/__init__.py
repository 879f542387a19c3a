"""Stage 1: the content model, loading and validating a bank, its JSON Schema, Markdown import, starters."""
