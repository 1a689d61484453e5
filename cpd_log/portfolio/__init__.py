"""Evidence portfolios: a saved selection of the log, previewed as HTML and exported as PDF/ZIP."""
