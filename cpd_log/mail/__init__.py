"""Email: messages from templates (plain text and HTML), sent over SMTP or, in development, to
the console and the dev outbox (`sending.py`, `outbox.py`, `views.py`)."""
