"""The theme as typed data: theme.yaml, label tables, notes templates."""
