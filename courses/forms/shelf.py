"""HTML forms of the shelf: course, class, review decision, industry, catalog search."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from courses.models import ClassMode, RefundRule

MODE_LABELS = {ClassMode.ONLINE: _l("Online"), ClassMode.OFFLINE: _l("Offline"), ClassMode.BLENDED: _l("Blended")}
REFUND_LABELS = {
    RefundRule.FULL_BEFORE_START: _l("Full refund until the class starts"),
    RefundRule.FULL_UNTIL_DEADLINE: _l("Full refund until the deadline before the start"),
    RefundRule.NONE: _l("No refund after payment"),
}


def to_fen(amount: Decimal | None) -> int | None:
    """Yuan as typed in a form (``128.5``) → integer fen (``12850``)."""
    if amount is None:
        return None
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


class CourseForm(FlaskForm):
    provider_id = SelectField(_l("Provider"), coerce=int, choices=[], validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)])
    description_html = TextAreaField(_l("Description"), validators=[Optional(), Length(max=50_000)])
    industry_codes = SelectMultipleField(_l("Industries"), choices=[])
    skills = StringField(_l("Skills (separate with commas)"), validators=[Optional(), Length(max=1000)])
    hours = IntegerField(_l("Hours"), default=0, validators=[Optional(), NumberRange(min=0, max=2000)])
    certificate_type = StringField(_l("Certificate it prepares for"), validators=[Optional(), Length(max=100)])
    instructor_ids = SelectMultipleField(_l("Instructors"), coerce=int, choices=[])
    cover = FileField(_l("Cover image (PNG, JPEG or WebP, at most 5 MB)"))

    def changes(self) -> dict:
        return {
            "title": self.title.data, "summary": self.summary.data or "",
            "description_html": self.description_html.data or "", "industry_codes": self.industry_codes.data or [],
            "skills": self.skills.data or "", "hours": self.hours.data or 0,
            "certificate_type": self.certificate_type.data or "", "instructor_ids": self.instructor_ids.data or [],
        }


class ClassForm(FlaskForm):
    title = StringField(_l("Class name"), validators=[DataRequired(), Length(max=200)])
    mode = SelectField(_l("Mode"), choices=[(m.value, label) for m, label in MODE_LABELS.items()])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    enroll_opens_at = DateTimeLocalField(_l("Enrollment opens"), format="%Y-%m-%dT%H:%M",
                                         validators=[InputRequired()])
    enroll_closes_at = DateTimeLocalField(_l("Enrollment closes"), format="%Y-%m-%dT%H:%M",
                                          validators=[InputRequired()])
    capacity = IntegerField(_l("Seats"), validators=[InputRequired(), NumberRange(min=1, max=10_000)])
    price = DecimalField(_l("Price (yuan)"), places=2, default=Decimal(0),
                         validators=[InputRequired(), NumberRange(min=0)])
    member_price = DecimalField(_l("Member price (yuan, optional)"), places=2,
                                validators=[Optional(), NumberRange(min=0)])
    free_for_members = BooleanField(_l("Free for verified members (union-subsidised)"))
    requires_membership = BooleanField(_l("Only for union members"))
    refund_rule = SelectField(_l("Refund rule"), choices=[(r.value, label) for r, label in REFUND_LABELS.items()])
    refund_deadline_days = IntegerField(_l("Refund deadline (days before start)"), default=0,
                                        validators=[Optional(), NumberRange(min=0, max=365)])
    instructor_id = SelectField(_l("Instructor"), coerce=int, choices=[])


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason (required to reject)"), validators=[Optional(), Length(max=500)])


class IndustryForm(FlaskForm):
    code = StringField(_l("Code (latin letters)"), validators=[DataRequired(), Length(max=32)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=50)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=80)])
    is_future = BooleanField(_l("Future industry"))
