"""Error pages: every failure gets a page in the app's look, and a 500 rolls the session back."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from cpd_log.extensions import db

MESSAGES = {
    400: "The request could not be understood. Go back, check the form and try again.",
    403: "You are not allowed to do that.",
    404: "There is nothing here. It may have been deleted, or the address is mistyped.",
    405: "That action is not available at this address.",
    413: "That upload is too large.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing was saved; please try again.",
}


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return _render(error.code or 500, error.name)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        message = (
            "This form has expired or did not come from this site, so nothing was done. "
            "Go back, reload the page and try again."
        )
        return render_template(
            "errors/error.html", code=400, name="Form expired", message=message
        ), 400

    @app.errorhandler(InternalServerError)
    def _server_error(error):
        db.session.rollback()
        return _render(500, "Internal Server Error")


def _render(code: int, name: str):
    message = MESSAGES.get(code, name)
    return render_template("errors/error.html", code=code, name=name, message=message), code
