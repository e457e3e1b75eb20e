"""HTML forms of the membership domain."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class NeverEchoedField(StringField):
    """A text field whose value is never written back into the page (resident ID numbers):
    after a failed validation of another field the person types it again."""

    def _value(self) -> str:
        return ""


class LinkMembershipForm(FlaskForm):
    member_no = StringField(_l("Membership number"), validators=[DataRequired(), Length(max=32)])
    union_name = StringField(_l("Grassroots union"), validators=[DataRequired(), Length(max=200)])
    employer = StringField(_l("Employer"), validators=[DataRequired(), Length(max=200)])
    real_name = StringField(_l("Real name"), validators=[DataRequired(), Length(max=100)])
    id_number = NeverEchoedField(_l("Resident ID number"), validators=[DataRequired(), Length(max=32)],
                            render_kw={"autocomplete": "off", "inputmode": "text"})


class RegisterImportForm(FlaskForm):
    file = FileField(_l("Register file (CSV or XLSX)"),
                     validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("Upload a CSV or XLSX file."))])
