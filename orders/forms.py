"""HTML forms of enterprise orders. Money is typed in yuan and stored in fen."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


def fen(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


class ButtonForm(FlaskForm):
    """Only the CSRF token: one button."""


MODES = [("any", _l("Any mode")), ("offline", _l("Offline")), ("online", _l("Online")), ("blended", _l("Blended"))]


class DemandForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[("training", _l("Training")),
                                            ("technical_service", _l("Technical service"))], default="training")
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    skill = StringField(_l("Skill or trade"), validators=[DataRequired(), Length(max=200)])
    certificate_type = StringField(_l("Certificate wanted (optional)"), validators=[Optional(), Length(max=100)])
    headcount = IntegerField(_l("Number of employees"), validators=[DataRequired(), NumberRange(1, 5000)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    venue_preference = StringField(_l("Venue preference"), validators=[Optional(), Length(max=200)])
    mode = SelectField(_l("Mode"), choices=MODES, default="any")
    preferred_start = DateField(_l("Preferred start"), validators=[Optional()])
    preferred_end = DateField(_l("Preferred end"), validators=[Optional()])
    budget = DecimalField(_l("Budget in total (yuan, optional)"), places=2, validators=[Optional(), NumberRange(0)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def values(self) -> dict:
        data = {k: v for k, v in self.data.items() if k != "csrf_token"}
        data["budget"] = fen(self.budget.data)
        return data


class DirectForm(FlaskForm):
    organization_ids = SelectMultipleField(_l("Direct to these providers"), coerce=int, validators=[Optional()])
    open_to_all = SelectField(_l("Open to every approved provider"), choices=[("", _l("Leave as it is")),
                                                                              ("1", _l("Yes")), ("0", _l("No"))],
                              default="")


INCLUSION_CHOICES = [("materials", _l("Materials")), ("exam_fee", _l("Exam fee")), ("meals", _l("Meals")),
                     ("accommodation", _l("Accommodation")), ("certificate_fee", _l("Certificate fee")),
                     ("transport", _l("Transport"))]


class QuoteForm(FlaskForm):
    price_per_person = DecimalField(_l("Price per person (yuan)"), places=2, validators=[DataRequired(),
                                                                                          NumberRange(0)])
    total = DecimalField(_l("Total (yuan; empty: price × headcount)"), places=2, validators=[Optional(),
                                                                                             NumberRange(0)])
    course_id = SelectField(_l("Course"), coerce=str, validators=[Optional()])
    class_id = SelectField(_l("Existing class (optional)"), coerce=str, validators=[Optional()])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    mode = SelectField(_l("Mode"), choices=MODES[1:], default="offline")
    instructors = StringField(_l("Instructors"), validators=[Optional(), Length(max=500)])
    inclusions = SelectMultipleField(_l("Included"), choices=INCLUSION_CHOICES, validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    cancel_fee_pct = IntegerField(_l("Cancellation fee after confirmation (% of total)"), default=0,
                                  validators=[Optional(), NumberRange(0, 100)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def values(self) -> dict:
        data = {k: v for k, v in self.data.items() if k != "csrf_token"}
        data["price_per_person"], data["total"] = fen(self.price_per_person.data), fen(self.total.data)
        data["course_id"] = int(self.course_id.data) if self.course_id.data else None
        data["class_id"] = int(self.class_id.data) if self.class_id.data else None
        return data


class AskForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=1000)])


class ClassOrderForm(FlaskForm):
    class_id = SelectField(_l("Class"), coerce=int, validators=[DataRequired()])
    seats = IntegerField(_l("Seats for your employees"), validators=[DataRequired(), NumberRange(1, 5000)])


class SubmitOrderForm(FlaskForm):
    pay_method = RadioField(_l("How you pay"), choices=[("online", _l("Online payment")),
                                                        ("bank_transfer", _l("Bank transfer with invoice"))],
                            default="online")
    invoice_title = StringField(_l("Invoice title"), validators=[Optional(), Length(max=200)])
    invoice_tax_number = StringField(_l("Tax number"), validators=[Optional(), Length(max=20)])
    notes = TextAreaField(_l("Notes for the provider"), validators=[Optional(), Length(max=1000)])


class ConfirmOrderForm(FlaskForm):
    class_id = SelectField(_l("Class the order is taught in"), coerce=str, choices=[], validate_choice=False,
                           validators=[Optional()])


class CancelOrderForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class RosterUploadForm(FlaskForm):
    file = FileField(_l("Roster file (CSV or XLSX)"), validators=[FileRequired()])


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=32)])
    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=32)])
    member_no = StringField(_l("Member number"), validators=[Optional(), Length(max=32)])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=100)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])


class AcceptForm(FlaskForm):
    rating = RadioField(_l("Rating"), choices=[(str(n), "★" * n) for n in range(5, 0, -1)], default="5",
                        validators=[DataRequired()])
    comment = TextAreaField(_l("Comment for the provider"), validators=[Optional(), Length(max=1000)])


class ObjectionForm(FlaskForm):
    text = TextAreaField(_l("What is wrong"), validators=[DataRequired(), Length(max=1000)])


class ResolveForm(FlaskForm):
    note = TextAreaField(_l("How it was resolved"), validators=[DataRequired(), Length(max=500)])


class OfflinePaymentForm(FlaskForm):
    reference = StringField(_l("Bank slip or receipt no."), validators=[DataRequired(), Length(max=200)])


class SubsidyForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    kind = SelectField(_l("Subsidy"), choices=[("amount", _l("Amount per member")),
                                               ("percent", _l("Percentage per member"))])
    value = DecimalField(_l("Amount (yuan) or percentage"), places=2, validators=[DataRequired(), NumberRange(0)])
    budget = DecimalField(_l("Budget for the year (yuan)"), places=2, validators=[DataRequired(), NumberRange(0)])
