"""HTML form of the search dictionary's admin page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length


class SynonymForm(FlaskForm):
    term = StringField(_l("Word workers type"), validators=[DataRequired(), Length(max=64)])
    expansion = StringField(_l("What the catalog calls it"), validators=[DataRequired(), Length(max=64)])
    two_way = BooleanField(_l("Both ways (plain synonyms)"), default=True)
    featured = BooleanField(_l("Offer as a popular search"))
