"""Bringing learning in without retyping: calendar files, spreadsheets and Open Badges."""
