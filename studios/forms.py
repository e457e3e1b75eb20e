"""HTML forms of the studios domain."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from studios.models import AchievementKind, HonorKind, ServiceKind, StudioLevel, TeamScope

LEVELS = [(StudioLevel.NATIONAL.value, _l("National")), (StudioLevel.PROVINCIAL.value, _l("Provincial")),
          (StudioLevel.CITY.value, _l("City-level")), (StudioLevel.ENTERPRISE.value, _l("Enterprise-level"))]
SERVICE_KINDS = [(ServiceKind.TECHNICAL_SERVICE.value, _l("Technical service")),
                 (ServiceKind.SKILLS_TRAINING.value, _l("Skills training")),
                 (ServiceKind.MANAGEMENT.value, _l("Management improvement")),
                 (ServiceKind.FARMING_GUIDANCE.value, _l("Farming-technology guidance")),
                 (ServiceKind.DEMONSTRATION_TEACHING.value, _l("Demonstration teaching"))]


class ProposeStudioForm(FlaskForm):
    name = StringField(_l("Studio name"), validators=[DataRequired(), Length(max=200)])
    organization_id = SelectField(_l("Enterprise it belongs to"), coerce=int, choices=[], validate_choice=False)
    leader_phone = StringField(_l("Leader's mobile number"), validators=[DataRequired(), Length(max=20)])
    level = SelectField(_l("Level proposed"), choices=LEVELS, default=StudioLevel.CITY.value)
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)])
    note = TextAreaField(_l("Why it deserves naming"), validators=[Optional(), Length(max=1000)])


class NameStudioForm(FlaskForm):
    level = SelectField(_l("Level"), choices=LEVELS)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class RejectStudioForm(FlaskForm):
    note = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class StudioProfileForm(FlaskForm):
    name = StringField(_l("Studio name"), validators=[DataRequired(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("About the studio"), validators=[Optional(), Length(max=10_000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=32)])
    trades = StringField(_l("Trades (separate with commas)"), validators=[Optional(), Length(max=1000)])
    industry_codes = SelectMultipleField(_l("Industries"), choices=[])
    course_ids = SelectMultipleField(_l("Courses it offers"), coerce=int, choices=[])

    def changes(self) -> dict:
        return {"name": self.name.data, "city": self.city.data or "", "summary": self.summary.data or "",
                "description": self.description.data or "", "address": self.address.data or "",
                "contact_phone": self.contact_phone.data or "", "trades": self.trades.data or "",
                "industry_codes": self.industry_codes.data or [], "course_ids": self.course_ids.data or []}


class MemberForm(FlaskForm):
    phone = StringField(_l("Mobile number"), validators=[DataRequired(), Length(max=20)])
    title = StringField(_l("Title or skill level"), validators=[Optional(), Length(max=100)])


class AchievementForm(FlaskForm):
    kind = SelectField(_l("Kind of achievement"), choices=[(AchievementKind.INNOVATION.value, _l("Innovation")),
                                            (AchievementKind.PATENT.value, _l("Patent")),
                                            (AchievementKind.TECHNIQUE.value, _l("Technique")),
                                            (AchievementKind.AWARD.value, _l("Award"))])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    patent_number = StringField(_l("Patent number"), validators=[Optional(), Length(max=32)])
    achieved_on = DateField(_l("Date"), validators=[InputRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    evidence = FileField(_l("Evidence (PDF or image, at most 10 MB)"))


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo (PNG, JPEG or WebP, at most 5 MB)"), validators=[DataRequired()])
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=200)])


class HonorForm(FlaskForm):
    phone = StringField(_l("Member's mobile number"), validators=[DataRequired(), Length(max=20)])
    kind = SelectField(_l("Honour"), choices=[(HonorKind.MODEL_WORKER.value, _l("Model worker")),
                                             (HonorKind.CRAFTSMAN.value, _l("Craftsman")),
                                             (HonorKind.MAY_DAY_MEDAL.value, _l("May Day Labour Medal")),
                                             (HonorKind.OTHER.value, _l("Other honour"))])
    title = StringField(_l("Title as awarded"), validators=[DataRequired(), Length(max=100)])
    level = SelectField(_l("Level"), choices=LEVELS)
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=1950, max=2100)])
    awarded_by = StringField(_l("Awarded by"), validators=[DataRequired(), Length(max=200)])


class TargetForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    level = SelectField(_l("Level"), choices=LEVELS)
    target = IntegerField(_l("Studios to name"), validators=[InputRequired(), NumberRange(min=1, max=100_000)])


class CriterionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=100)])
    weight = IntegerField(_l("Weight"), validators=[InputRequired(), NumberRange(min=1, max=100)])
    description = StringField(_l("What counts"), validators=[Optional(), Length(max=500)])


class ApprenticeshipForm(FlaskForm):
    master_id = SelectField(_l("Master"), coerce=int, choices=[], validate_choice=False)
    apprentice_phone = StringField(_l("Apprentice's mobile number"), validators=[DataRequired(), Length(max=20)])
    starts_on = DateField(_l("Starts"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends"), validators=[InputRequired()])
    goals = TextAreaField(_l("Goals"), validators=[DataRequired(), Length(max=2000)])


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Progress note"), validators=[DataRequired(), Length(max=2000)])


class AssessmentForm(FlaskForm):
    result = SelectField(_l("Result"), choices=[("excellent", _l("Excellent")), ("passed", _l("Passed")),
                                                ("failed", _l("Not passed"))])
    assessment = TextAreaField(_l("Final assessment"), validators=[DataRequired(), Length(max=2000)])


class OfferForm(FlaskForm):
    kind = SelectField(_l("Service"), choices=SERVICE_KINDS)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    trades = StringField(_l("Trades (separate with commas)"), validators=[Optional(), Length(max=1000)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    available_from = DateField(_l("Available from"), validators=[Optional()])
    available_until = DateField(_l("Available until"), validators=[Optional()])


class RequesterForm(FlaskForm):
    kind = SelectField(_l("Who asks"), choices=[("village", _l("Village")), ("school", _l("School"))])
    name = StringField(_l("Village or school name"), validators=[DataRequired(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=32)])


class HelpRequestForm(FlaskForm):
    asker = SelectField(_l("Asking for"), choices=[], validate_choice=False)
    kind = SelectField(_l("Help needed"), choices=SERVICE_KINDS)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("The problem or need"), validators=[Optional(), Length(max=2000)])
    trades = StringField(_l("Trades (separate with commas)"), validators=[Optional(), Length(max=1000)])
    industry_code = SelectField(_l("Industry"), choices=[], validate_choice=False)
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    needed_from = DateField(_l("Needed from"), validators=[Optional()])
    needed_until = DateField(_l("Needed until"), validators=[Optional()])


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=200)])
    scope = SelectField(_l("Scope"), choices=[(TeamScope.PROVINCIAL.value, _l("Provincial team")),
                                              (TeamScope.CITY.value, _l("City team")),
                                              (TeamScope.INDUSTRY.value, _l("Industry team"))])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    industry_code = SelectField(_l("Industry"), choices=[], validate_choice=False)
    studio_ids = SelectMultipleField(_l("Studios"), coerce=int, choices=[])


class AssignForm(FlaskForm):
    target = SelectField(_l("Assign to"), choices=[], validate_choice=False)


class ProposalForm(FlaskForm):
    studio_id = SelectField(_l("Studio"), coerce=int, choices=[], validate_choice=False)
    plan = TextAreaField(_l("What the studio proposes"), validators=[DataRequired(), Length(max=2000)])
    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("Until"), validators=[Optional()])


class DeliverForm(FlaskForm):
    note = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=2000)])


class CompleteForm(FlaskForm):
    rating = SelectField(_l("Rating"), coerce=int, choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"),
                                                            (1, "★")])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])
