"""HTML forms of the learning area: lessons, roster, check-in."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

KIND_CHOICES = [("text", _l("Text")), ("video", _l("Video link")), ("file", _l("File to download"))]


class LessonForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Lesson kind"), choices=KIND_CHOICES, default="text")
    body_html = TextAreaField(_l("Text (basic formatting is kept, scripts are removed)"),
                              validators=[Optional(), Length(max=200_000)], render_kw={"rows": 8})
    video_url = StringField(_l("Video link (http:// or https://)"), validators=[Optional(), Length(max=500)],
                            render_kw={"inputmode": "url", "placeholder": "https://"})
    minutes = IntegerField(_l("Minutes"), validators=[Optional(), NumberRange(min=0, max=10000)], default=0)
    file = FileField(_l("File (up to 50 MB)"))


class EditLessonForm(LessonForm):
    """Editing keeps the lesson's kind; a new file replaces the old one."""

    kind = None


class ActionForm(FlaskForm):
    """Only the CSRF token: one-button actions (mark done, move, delete, check in, roster)."""
