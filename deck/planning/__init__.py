"""Stage 2: Bank -> DeckPlan (pure data): composition, slides, study/mock/handout/scorecard planners."""
