"""Stage 3: DeckPlan -> .pptx bytes. The only package that writes raw XML."""
