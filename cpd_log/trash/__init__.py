"""The trash: deleted activities and reflections, kept TRASH_DAYS, restorable (models/trash.py)."""
