"""Forms of the Class and Participation screens."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..web.fields import MAX_EMAIL, MAX_NAME, clean_line


class UploadForm(FlaskForm):
    roster_file = FileField(
        "Class list (CSV file)",
        validators=[FileRequired("Choose the CSV file of your class list first.")],
        render_kw={"accept": ".csv,.txt,text/csv,text/plain"},
    )


class ConfirmImportForm(FlaskForm):
    """The preview's rows travel back in the page; the domain checks them again."""

    rows = HiddenField()
    digest = HiddenField()


class StudentForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[clean_line],
        validators=[
            DataRequired("Enter the student's name."),
            Length(max=MAX_NAME, message=f"A name can be at most {MAX_NAME} characters."),
        ],
        render_kw={"autocomplete": "off"},
    )
    email = StringField(
        "Email",
        filters=[clean_line],
        validators=[
            DataRequired("Enter the email the student comments with."),
            Length(max=MAX_EMAIL, message=f"An email can be at most {MAX_EMAIL} characters."),
        ],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    section = StringField(
        "Section",
        filters=[clean_line],
        validators=[Optional(), Length(max=64, message="A section can be at most 64 characters.")],
        render_kw={"list": "sections", "autocomplete": "off"},
    )


class EmptyForm(FlaskForm):
    """A button-only action (remove, unlink): only the CSRF token."""


class LinkForm(FlaskForm):
    student = SelectField("Student", coerce=int, validate_choice=True)
    same_email_too = BooleanField("Also link every other comment written under this email")


# What a datetime-local input sends (with or without seconds); the first is how it is shown.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
NOT_A_TIME = "Enter a date and time, such as 2026-03-03 17:00."


def local_time_field(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, format=LOCAL_FORMATS, validators=[Optional()], invalid_value_message=NOT_A_TIME
    )


class WindowForm(FlaskForm):
    """Wall-clock times in the site's zone; the view turns them into UTC."""

    opens_at = local_time_field("Opens at")
    due_at = local_time_field("Due at")
    closes_at = local_time_field("Closes at")


class ReportForm(FlaskForm):
    """The report's filters, read from the query string (a GET changes nothing: no CSRF)."""

    class Meta:
        csrf = False

    post = SelectField("Post", validate_choice=True, default="")
    section = SelectField("Section", validate_choice=True, default="")
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
