"""Appraisals inside the app (issue 18): a member submits a portfolio to a team appraiser,
who comments on it and signs it off or returns it."""
