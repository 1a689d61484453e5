"""Per-user aggregates kept in the same transaction as every write (issue 17, Deliver 2)."""
