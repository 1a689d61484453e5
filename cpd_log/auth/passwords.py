"""The password rule, in one place for registration, password change and `flask create-user`.

Long enough (PASSWORD_MIN_LENGTH), at most MAX_CHARS, and not guessable: zxcvbn estimates how
many guesses an attacker with the usual dictionaries (common passwords, names, words, keyboard
patterns, dates, l33t substitutions) needs, offline, from the word lists it ships. A score below
PASSWORD_MIN_SCORE (0-4; 3 = "safely unguessable" for an online attack) is refused with
zxcvbn's own advice. The email and display name count as guessable words.
"""

from collections.abc import Iterable

from flask import current_app

MAX_CHARS = 200
# zxcvbn's matching grows steeply with length (200 random characters take ~7 s) and it refuses
# more than 72 characters; a password whose first 72 characters are strong is strong.
ESTIMATE_CHARS = 72
TOO_GUESSABLE = "This password is too easy to guess."


def guessable_words(email: str | None, display_name: str | None) -> list[str]:
    """What an attacker who knows the account would try first."""
    words = []
    if email:
        words += [email, email.split("@")[0]]
    if display_name:
        words += [display_name, *display_name.split()]
    return [w.strip().lower() for w in words if w and w.strip()]


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """What is wrong with `password`, in words for the form field, or None when it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"Use at least {minimum} characters."
    if len(password) > MAX_CHARS:
        return f"Use at most {MAX_CHARS} characters."
    from zxcvbn import zxcvbn  # its word lists load with the first password, not at start-up

    result = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=list(user_inputs))
    if result["score"] >= current_app.config["PASSWORD_MIN_SCORE"]:
        return None
    feedback = result["feedback"]
    advice = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
    return " ".join([TOO_GUESSABLE, *(a for a in advice if a)])
