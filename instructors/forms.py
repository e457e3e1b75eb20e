"""HTML forms of the instructor pool."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class ProfileForm(FlaskForm):
    titles = StringField(_l("Titles (高级技师, 技师, 讲师 ...; separate with commas)"),
                         validators=[Optional(), Length(max=400)])
    years_experience = IntegerField(_l("Years of experience"), validators=[InputRequired(), NumberRange(0, 70)],
                                    default=0)
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    trades = TextAreaField(_l("Trades and levels you may teach (one per line: trade level)"),
                           validators=[Optional(), Length(max=3000)])
    biography = TextAreaField(_l("Short biography"), validators=[Optional(), Length(max=2000)])
    in_pool = BooleanField(_l("List me in the union's instructor pool"), default=True)
    photo = FileField(_l("Photo (PNG, JPEG or WebP, at most 5 MB)"))


class QualificationForm(FlaskForm):
    role = SelectField(_l("Qualification"), choices=[("examiner", _l("Examiner (考评员)")),
                                                     ("proctor", _l("Proctor (监考员)"))])
    certificate_type_code = StringField(_l("Certificate type code"), validators=[DataRequired(), Length(max=64)])
    certificate_type_name = StringField(_l("Certificate type"), validators=[DataRequired(), Length(max=200)])
    level = StringField(_l("Level (empty: every level)"), validators=[Optional(), Length(max=50)])
    number = StringField(_l("Qualification number"), validators=[DataRequired(), Length(max=64)])
    issuer = StringField(_l("Issued by"), validators=[DataRequired(), Length(max=200)])
    issued_on = DateField(_l("Issued on"), validators=[Optional()])
    expires_on = DateField(_l("Expires on"), validators=[InputRequired()])
    scan = FileField(_l("Scan (PDF or image, at most 10 MB)"))


class DecisionForm(FlaskForm):
    note = StringField(_l("Reason (needed to reject)"), validators=[Optional(), Length(max=500)])


class AvailabilityForm(FlaskForm):
    kind = SelectField(_l("Available for"), choices=[("both", _l("Teaching and examining")),
                                                     ("teach", _l("Teaching")), ("examine", _l("Examining"))])
    starts_at = DateTimeLocalField(_l("From"), validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Until"), validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class RelationForm(FlaskForm):
    related_account = StringField(_l("The person's phone number or e-mail"), validators=[DataRequired(),
                                                                                        Length(max=254)])
    relation = SelectField(_l("Relation"), choices=[("kin", _l("Kin")), ("colleague", _l("Colleague")),
                                                    ("master_apprentice", _l("Master and apprentice")),
                                                    ("other", _l("Other relation"))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class PoolSearchForm(FlaskForm):
    class Meta:
        csrf = False

    trade = StringField(_l("Trade"), validators=[Optional(), Length(max=100)])
    certificate_type_code = StringField(_l("Certificate type"), validators=[Optional(), Length(max=64)])
    level = StringField(_l("Level"), validators=[Optional(), Length(max=50)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    available_from = DateTimeLocalField(_l("Available from"), validators=[Optional()])
    available_until = DateTimeLocalField(_l("Available until"), validators=[Optional()])


class InviteForm(FlaskForm):
    class_id = SelectField(_l("Class"), coerce=int, choices=[], validate_choice=False)
    message = StringField(_l("Message"), validators=[Optional(), Length(max=500)])


class RatingForm(FlaskForm):
    stars = RadioField(_l("Stars"), coerce=int, choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")],
                       validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])
