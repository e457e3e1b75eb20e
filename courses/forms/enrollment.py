"""HTML forms of enrollment: enroll, cancel, offline payments, class cancellation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class EnrollForm(FlaskForm):
    """Only the CSRF token: one button."""


class CancelEnrollmentForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class OfflinePaymentForm(FlaskForm):
    reference = StringField(_l("Bank slip or receipt no."), validators=[DataRequired(), Length(max=200)])


class OfflineRefundForm(FlaskForm):
    """Only the CSRF token: the provider paid an offline refund back."""


class CancelClassForm(FlaskForm):
    reason = TextAreaField(_l("Reason, sent to every participant"), validators=[DataRequired(), Length(max=500)])
