"""HTML forms of the exams domain."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class ButtonForm(FlaskForm):
    """Only the CSRF token: one button."""


class BookForm(FlaskForm):
    waitlist = BooleanField(_l("Put me on the waiting list if the session is full"))


class AppealForm(FlaskForm):
    reason = TextAreaField(_l("Why do you appeal?"), validators=[DataRequired(), Length(max=1000)])


class GradeForm(FlaskForm):
    score = IntegerField(_l("Score"), validators=[Optional(), NumberRange(min=0)])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=1000)])


def component_fields(prefix: str):
    return {
        f"{prefix}_enabled": BooleanField(_l("Part of this type")),
        f"{prefix}_max_score": IntegerField(_l("Maximum score"), default=100, validators=[Optional()]),
        f"{prefix}_pass_mark": IntegerField(_l("Pass mark"), default=60, validators=[Optional()]),
        f"{prefix}_duration_minutes": IntegerField(_l("Duration (minutes)"), default=120, validators=[Optional()]),
        f"{prefix}_retake_limit": IntegerField(_l("Retakes before retraining"), default=1, validators=[Optional()]),
        f"{prefix}_pass_valid_months": IntegerField(_l("A pass counts for (months)"), default=12,
                                                    validators=[Optional()]),
        f"{prefix}_requires_kind": SelectField(_l("Only after passing"), choices=[
            ("", "—"), ("theory", _l("Theory exam")), ("practical", _l("Practical exam"))], default=""),
        f"{prefix}_double_marking": BooleanField(_l("Double marking")),
        f"{prefix}_marking_tolerance": IntegerField(_l("Tolerance between two marks"), default=5,
                                                    validators=[Optional()]),
    }


class CertificateTypeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=160)])
    level = StringField(_l("Level"), validators=[Optional(), Length(max=40)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    validity_months = IntegerField(_l("Certificate valid for (months, 0 = no expiry)"), default=72,
                                   validators=[NumberRange(min=0)])
    review_every_months = IntegerField(_l("Review every (months)"), validators=[Optional(), NumberRange(min=1)])
    review_training_hours = IntegerField(_l("Review training (hours)"), default=0, validators=[NumberRange(min=0)])
    auto_issue = BooleanField(_l("Issue the certificate automatically when all exams are passed"), default=True)
    exam_fee_yuan = IntegerField(_l("Exam fee per component (yuan)"), default=0, validators=[NumberRange(min=0)])
    requires_membership = BooleanField(_l("Only for verified union members"))
    appeal_days = IntegerField(_l("Days to appeal a result"), default=7, validators=[NumberRange(min=0, max=90)])
    course_ids = StringField(_l("Required training: course numbers, comma-separated"),
                             validators=[Optional(), Length(max=500)])


for _kind in ("theory", "practical", "panel"):
    for _name, _field in component_fields(_kind).items():
        setattr(CertificateTypeForm, _name, _field)


class ImportForm(FlaskForm):
    file = FileField(_l("Question file (.xlsx or .csv)"))


class PaperForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    component_kind = SelectField(_l("Component"), choices=[("theory", _l("Theory exam")),
                                                           ("practical", _l("Practical exam"))])
    blueprint = TextAreaField(_l("Blueprint: one row per line — type, knowledge point, difficulty (0 = any), "
                                 "count, points"), validators=[Optional(), Length(max=4000)])
    fixed = StringField(_l("Or a fixed paper: question numbers with points (12:10, 15:20)"),
                        validators=[Optional(), Length(max=2000)])
    shuffle_options = BooleanField(_l("Shuffle options per candidate"), default=True)


class SessionForm(FlaskForm):
    certificate_type_id = SelectField(_l("Certificate type"), coerce=int)
    component = SelectField(_l("Component"), choices=[("theory", _l("Theory exam")),
                                                      ("practical", _l("Practical exam")),
                                                      ("panel", _l("Panel review"))])
    mode = SelectField(_l("How it is taken"), choices=[
        ("online_center", _l("Computer-based at an exam point")), ("online_remote", _l("Online from anywhere")),
        ("offline", _l("At the venue"))])
    paper_id = SelectField(_l("Paper"), coerce=int)
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=100)])
    capacity = IntegerField(_l("Seats"), default=30, validators=[NumberRange(min=1, max=500)])
    starts_at = DateTimeLocalField(_l("Starts (Beijing time)"), validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends (Beijing time)"), validators=[DataRequired()])
    booking_opens_at = DateTimeLocalField(_l("Booking opens"), validators=[DataRequired()])
    booking_closes_at = DateTimeLocalField(_l("Booking closes"), validators=[DataRequired()])
    cancel_deadline_at = DateTimeLocalField(_l("Cancel until"), validators=[Optional()])
    min_proctors = IntegerField(_l("At least … proctors"), validators=[Optional(), NumberRange(min=0, max=20)])
    min_examiners = IntegerField(_l("At least … examiners"), validators=[Optional(), NumberRange(min=0, max=20)])
    odd_examiners = BooleanField(_l("An odd number of examiners"))


class StaffForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int)
    role = SelectField(_l("Role"), choices=[("proctor", _l("Proctor")), ("examiner", _l("Examiner"))])


class AllowanceForm(FlaskForm):
    booking_id = IntegerField(validators=[DataRequired()])
    minutes = IntegerField(_l("Extra minutes"), validators=[NumberRange(min=0, max=120)])


class BanForm(FlaskForm):
    candidate = StringField(_l("Candidate's phone or email"), validators=[DataRequired(), Length(max=254)])
    certificate_type_id = SelectField(_l("Barred from"), coerce=int, default=0)
    until = DateField(_l("Barred until (may book again from that day)"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (e.g. caught cheating)"), validators=[DataRequired(), Length(max=500)])


class LiftBanForm(FlaskForm):
    reason = StringField(_l("Why lift it?"), validators=[DataRequired(), Length(max=500)])


class QuestionImageForm(FlaskForm):
    image = FileField(_l("Image (PNG, JPEG or WebP, at most 2 MB)"))
