"""The calendar feed: a secret .ics address per user with cycle ends, 90-day warnings, planned
activities and "How did you apply it?" prompts (`services.py` keeps the address, `calendar.py`
writes RFC 5545 with icalendar, `views.py` serves it and the owner's buttons)."""
