"""Measuring and breaking text with real font metrics, and code highlighting (no python-pptx here)."""
