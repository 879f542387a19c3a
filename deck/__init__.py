"""interview-deck: compile a YAML interview question bank into PPTX decks."""

from pathlib import Path

__version__ = "0.1.0"
REPO = Path(__file__).resolve().parent.parent  # content/, templates/, assets/, node_modules/
