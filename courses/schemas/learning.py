"""JSON shapes of the learning API: lessons, progress, attendance, check-in, "My training"."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api import Schema


class LessonIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    kind: Literal["text", "video"] = Field(description="file lessons are uploaded on the class's lessons page")
    body_html: str = Field(default="", max_length=200_000, description="rich text; sanitised on save")
    video_url: str | None = Field(default=None, max_length=500, description="http(s) link, for video lessons")
    minutes: int = Field(default=0, ge=0, le=10000)


class LessonPatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body_html: str | None = Field(default=None, max_length=200_000)
    video_url: str | None = Field(default=None, max_length=500)
    minutes: int | None = Field(default=None, ge=0, le=10000)
    position: int | None = Field(default=None, ge=0, description="0-based place in the class's order")


class LessonOut(BaseModel):
    id: int
    class_id: int
    position: int
    title: str
    kind: str
    minutes: int
    body_html: str
    video_url: str | None
    file_name: str | None
    file_url: str | None
    done: bool | None = Field(description="for an enrolled worker: finished or not; null for teachers")


class LessonPage(BaseModel):
    items: list[LessonOut]
    page: int
    per_page: int
    total: int


class ProgressOut(BaseModel):
    lesson_id: int
    enrollment_id: int
    enrollment_status: str
    completed_at: str | None
    lessons_done: int
    lessons_total: int
    percent: int
    days_present: int
    days_total: int


class ClassRef(BaseModel):
    id: int
    title: str
    mode: str
    starts_on: date
    ends_on: date
    city: str
    venue: str


class CourseRef(BaseModel):
    id: int
    title: str
    provider: str


class TrainingOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    enrollment_id: int
    status: str
    hold_expires_at: str | None
    completed_at: str | None
    class_: ClassRef = Field(alias="class")
    course: CourseRef
    lessons_done: int
    lessons_total: int
    days_present: int
    days_total: int
    meets_today: bool
    next_step: str = Field(description="pay | start | continue | checkin | wait | completed | none")


class TrainingPage(BaseModel):
    items: list[TrainingOut]
    page: int
    per_page: int
    total: int


class AttendanceIn(Schema):
    day: date = Field(description="YYYY-MM-DD, a day the class meets (Asia/Shanghai)")
    present: list[int] = Field(default_factory=list, max_length=2000, description="enrollment ids")
    absent: list[int] = Field(default_factory=list, max_length=2000, description="enrollment ids")


class MarkOut(BaseModel):
    enrollment_id: int
    present: bool
    method: str


class AttendanceOut(BaseModel):
    class_id: int
    day: date
    marks: list[MarkOut]


class CheckinIn(Schema):
    code: str = Field(min_length=1, max_length=1000, description="the code from the day's QR (/checkin/<code>)")


class CheckinOut(BaseModel):
    class_id: int
    class_title: str
    course_title: str
    day: date
    enrollment_id: int
    enrollment_status: str
    method: str
    already: bool = Field(description="true when the worker had already checked in that day")


class CheckinCodeOut(BaseModel):
    class_id: int
    day: date
    code: str
    url: str
    expires_at: str
