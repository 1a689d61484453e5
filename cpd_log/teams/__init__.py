"""Teams (issue 18): membership, invites, consent, the lead's dashboard."""
