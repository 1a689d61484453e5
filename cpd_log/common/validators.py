"""WTForms validators shared by the features' forms."""

from wtforms.validators import ValidationError

from cpd_log.common.dates import EARLIEST, LATEST
from cpd_log.common.web_urls import WEB_SCHEMES


def in_range(form, field) -> None:
    """A date between EARLIEST and LATEST."""
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError("Enter a date between 1900 and 2100.")


def http_url(form, field) -> None:
    """Strips the address, then wants a complete http(s) address without spaces."""
    value = (field.data or "").strip()
    field.data = value
    if value and not value.lower().startswith(WEB_SCHEMES):
        raise ValidationError("Enter a web address starting with http:// or https://.")
    if value and (" " in value or len(value) <= len("https://")):
        raise ValidationError("Enter a complete web address without spaces.")
