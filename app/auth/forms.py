"""HTML forms of the accounts domain."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class SignUpForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=20)])
    email = EmailField(_l("E-mail (optional if you give a phone)"), validators=[Optional(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(_l("Repeat password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class SignInForm(FlaskForm):
    account = StringField(_l("Mobile phone or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))])


class ForgotPasswordForm(FlaskForm):
    account = StringField(_l("Mobile phone or e-mail"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))])


class OrganizationForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[("enterprise", _l("Enterprise")), ("provider", _l("Training provider"))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"), validators=[Optional(), Length(max=18)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=32)])
    description = TextAreaField(_l("About"), validators=[Optional(), Length(max=2000)])


class InviteForm(FlaskForm):
    contact = StringField(_l("Mobile phone or e-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[])


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Note (required to reject)"), validators=[Optional(), Length(max=500)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for one-button actions."""
