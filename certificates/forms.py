"""HTML forms of the certificates domain."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class ActionForm(FlaskForm):
    """Only the CSRF token: one-button actions."""


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)], render_kw={"rows": 2})


class ScopeForm(FlaskForm):
    scope = StringField(_l("Scope"), validators=[DataRequired(), Length(max=40)])


class ProposeClassForm(FlaskForm):
    class_id = IntegerField(_l("Class number"), validators=[DataRequired(), NumberRange(min=1)])


class ProposeSessionForm(FlaskForm):
    exam_session_id = IntegerField(_l("Exam session number"), validators=[DataRequired(), NumberRange(min=1)])


class ReviewForm(FlaskForm):
    training_hours = IntegerField(_l("Hours of review training completed"),
                                  validators=[DataRequired(), NumberRange(min=0, max=1000)])
    note = TextAreaField(_l("Where and when you took the review training"), validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 2})


class DecisionForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class RecordForm(FlaskForm):
    name = StringField(_l("Certificate name"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"placeholder": "特种作业操作证（低压电工作业）"})
    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=64)])
    issuer = StringField(_l("Issued by"), validators=[DataRequired(), Length(max=200)],
                         render_kw={"placeholder": "海南省应急管理厅"})
    issued_on = DateField(_l("Issued on"), validators=[DataRequired()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    scan = FileField(_l("Scan or photo (PDF, JPG or PNG, up to 10 MB)"))
