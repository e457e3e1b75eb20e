"""JSON shapes of the search API: suggestions and the search dictionary."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.api import Schema


class SuggestQuery(Schema):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    q: str = Field(default="", max_length=100, description="what the user has typed so far")


class SuggestionOut(BaseModel):
    text: str = Field(description="what to search for")
    kind: str = Field(description="synonym | word | title")
    hint: str = Field(description="for a synonym: the catalog's word it also finds")
    url: str = Field(description="the catalog search (or, for a title, the course page)")


class SuggestOut(BaseModel):
    q: str
    items: list[SuggestionOut]
    popular: list[str] = Field(description="popular searches chosen by the union (featured dictionary words)")


class SynonymIn(Schema):
    term: str = Field(min_length=1, max_length=64, description="the word workers type, e.g. 挖机")
    expansion: str = Field(min_length=1, max_length=64, description="what the catalog calls it, e.g. 挖掘机")
    two_way: bool = Field(default=True, description="also find the term when the query says the expansion")
    featured: bool = Field(default=False, description="offer the term as a popular search")


class SynonymOut(BaseModel):
    id: int
    term: str
    expansion: str
    two_way: bool
    featured: bool
    created_at: datetime


class SynonymListOut(BaseModel):
    items: list[SynonymOut]
