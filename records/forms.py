"""HTML forms of the records domain."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from records.services.stats import DIMENSIONS
from records.services.targets import METRICS


class ActionForm(FlaskForm):
    """Only the CSRF token: one-button actions."""


class PoolForm(FlaskForm):
    show_trades = BooleanField(_l("My trades and skills"), default=True)
    trades = StringField(_l("Trades and skills (separated by commas)"), validators=[Optional(), Length(max=500)])
    show_certificates = BooleanField(_l("My valid certificates"), default=True)
    show_city = BooleanField(_l("My city"))
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])
    show_experience = BooleanField(_l("My years of experience"))
    years_experience = IntegerField(_l("Years of experience"), validators=[Optional(), NumberRange(min=0, max=60)])
    agree = BooleanField(_l("I have read and agree to the text above"), validators=[DataRequired()])


class ContactForm(FlaskForm):
    message = TextAreaField(_l("Message to the member"), validators=[Optional(), Length(max=500)],
                            render_kw={"rows": 3})


class TalentSearchForm(FlaskForm):
    class Meta:
        csrf = False

    skill = StringField(_l("Skill or trade"), validators=[Optional(), Length(max=50)])
    certificate_type = StringField(_l("Certificate"), validators=[Optional(), Length(max=100)])
    level = StringField(_l("Level"), validators=[Optional(), Length(max=50)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=50)])


METRIC_CHOICES = [(m, m) for m in METRICS]
DIMENSION_CHOICES = [("", "—"), *((d, d) for d in DIMENSIONS)]


class TargetForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    metric = SelectField(_l("Counts"), choices=METRIC_CHOICES)
    goal = IntegerField(_l("Goal"), validators=[DataRequired(), NumberRange(min=1)])
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("To"), validators=[DataRequired()])
    dimension = SelectField(_l("Only for"), choices=DIMENSION_CHOICES, validators=[Optional()])
    value = StringField(_l("Value"), validators=[Optional(), Length(max=200)])
