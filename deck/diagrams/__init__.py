"""Mermaid diagrams: rendering in one browser session, the cache, scenes read from the DOM, native shapes."""
