"""The whole account out and back in: the backup archive, its import, and the activities CSV."""
