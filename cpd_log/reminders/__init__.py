"""Reminder digests: what to do next, mailed weekly or monthly to verified accounts that asked
(`content.py` says what, `sending.py` sends at most once per user and period, `unsubscribe.py`
signs the one-click link, `views.py` is the settings and unsubscribe pages)."""
