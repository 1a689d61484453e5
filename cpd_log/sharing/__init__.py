"""Share links: a read-only portfolio for a reviewer behind a token, and the reviews left on it."""
