"""Timed attempts: start inside the window, the server's deadline, idempotent saves with sequence
numbers (an older save never overwrites a newer one), submit by the candidate or by the server
at the deadline, objective scoring at once."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, lazyload

from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from exams.models import (
    MANUAL,
    Answer,
    Attempt,
    AttemptStatus,
    BookingStatus,
    ExamBooking,
    ExamPaper,
    Question,
    QuestionKind,
    SessionMode,
)
from exams.services.common import log
from exams.services.papers import draw_paper

LETTERS = "ABCDEF"
MAX_TEXT = 5000


def _anon_code() -> str:
    return "K" + secrets.token_hex(4).upper()


def _create_attempt(session: Session, booking: ExamBooking, paper: ExamPaper | None, now: datetime,
                    deadline: datetime) -> Attempt:
    seed = secrets.randbelow(2**31)
    attempt = Attempt(booking_id=booking.id, exam_session_id=booking.exam_session_id, user_id=booking.user_id,
                      anon_code=_anon_code(), seed=seed, started_at=now, deadline_at=deadline)
    session.add(attempt)
    session.flush()
    drawn = draw_paper(session, paper, seed) if paper is not None else []
    session.add_all([Answer(attempt_id=attempt.id, question_id=d.question_id, position=i, points=d.points,
                            option_order=d.option_order) for i, d in enumerate(drawn, start=1)])
    attempt.max_score = sum(d.points for d in drawn)
    session.flush()
    return attempt


def start_attempt(session: Session, *, actor: User, booking_id: int, now: datetime) -> Attempt:
    """Start (or resume) the attempt of an online session's booking. Raises NotFound, Conflict."""
    booking = session.scalar(select(ExamBooking).where(ExamBooking.id == booking_id).with_for_update(of=ExamBooking))
    if booking is None or booking.user_id != actor.id:
        raise NotFound(_("No such booking."))
    exam_session = booking.exam_session
    if not exam_session.is_online:
        raise Conflict(_("This exam is not taken online."), code="not_online")
    existing = session.scalar(select(Attempt).where(Attempt.booking_id == booking.id))
    if existing is not None:
        if existing.status == AttemptStatus.IN_PROGRESS and now >= existing.deadline_at:
            submit_attempt(session, actor=None, attempt_id=existing.id, now=now)
        return existing
    if not exam_session.starts_at <= now < exam_session.ends_at:
        raise Conflict(_("The exam can be started only during the session."), code="outside_window")
    allowed = (BookingStatus.CHECKED_IN,) if exam_session.mode == SessionMode.ONLINE_CENTER else (
        BookingStatus.CHECKED_IN, BookingStatus.BOOKED)
    if booking.status not in allowed:
        raise Conflict(_("Check in with the proctor before starting.") if booking.status == BookingStatus.BOOKED
                       else _("This booking cannot start an exam."), code="not_checked_in")
    busy = session.scalar(select(exists().where(Attempt.user_id == actor.id,
                                                Attempt.status == AttemptStatus.IN_PROGRESS,
                                                Attempt.deadline_at > now)))
    if busy:
        raise Conflict(_("Finish your other exam first."), code="attempt_in_progress")
    allowance = timedelta(minutes=booking.time_allowance_minutes)
    deadline = min(now + timedelta(minutes=exam_session.component.duration_minutes), exam_session.ends_at) + allowance
    attempt = _create_attempt(session, booking, exam_session.paper, now, deadline)
    log(session, action="attempt_started", actor=actor, now=now, exam_session_id=exam_session.id,
        attempt_id=attempt.id)
    return attempt


def open_offline_attempt(session: Session, *, booking: ExamBooking, now: datetime) -> Attempt:
    """A practical/offline candidate checked in: an attempt of the session's tasks, waiting for examiners."""
    existing = session.scalar(select(Attempt).where(Attempt.booking_id == booking.id))
    if existing is not None:
        return existing
    exam_session = booking.exam_session
    attempt = _create_attempt(session, booking, exam_session.paper, now, exam_session.ends_at)
    attempt.status, attempt.submitted_at = AttemptStatus.SUBMITTED, now
    for answer in attempt.answers:
        answer.needs_grading = True
    if not attempt.answers:
        attempt.status = AttemptStatus.SUBMITTED
    session.flush()
    return attempt


def lock_attempt(session: Session, attempt_id: int) -> Attempt | None:
    """The attempt, locked for this transaction: saves and the submit of one attempt run one at a time.

    PostgreSQL: a row lock. SQLite has no row locks and fails a transaction that read before
    another writer committed and then writes (a stale snapshot): the lock there is a first,
    empty write, taken before anything is read (the edges end their read-only transaction first).
    """
    # The attempt's own row only: its booking, session and type (joined by default) load if asked
    # for; a save, every few seconds per candidate, never needs them.
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Attempt).where(Attempt.id == attempt_id).values(seed=Attempt.seed)
                        .execution_options(synchronize_session=False))
        return session.scalar(select(Attempt).where(Attempt.id == attempt_id).options(lazyload("*"))
                              .execution_options(populate_existing=True))
    return session.scalar(select(Attempt).where(Attempt.id == attempt_id).options(lazyload("*"))
                          .with_for_update(of=Attempt))


def _to_original(answer: Answer, question: Question, response) -> list[str]:
    """The response as the candidate gave it (shown letters / texts) in the bank's terms."""
    if response is None:
        return []
    if not isinstance(response, list) or any(not isinstance(v, str) for v in response):
        raise Invalid(_("An answer is a list of strings."), field="response")
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        originals = []
        for letter in response:
            index = LETTERS.find(letter.strip().upper())
            if index < 0 or index >= len(answer.option_order):
                raise Invalid(_("Unknown option %(letter)s.", letter=letter), field="response")
            originals.append(LETTERS[answer.option_order[index]])
        if question.kind == QuestionKind.SINGLE and len(originals) > 1:
            raise Invalid(_("Choose one option."), field="response")
        return sorted(set(originals))
    if question.kind == QuestionKind.TRUE_FALSE:
        if response not in ([], ["T"], ["F"]):
            raise Invalid(_("Answer T or F."), field="response")
        return response
    return [text[:MAX_TEXT] for text in response]


def to_shown(answer: Answer, response: list | None) -> list | None:
    """The stored response in the letters the candidate sees."""
    if response is None or answer.question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return response
    return sorted(LETTERS[answer.option_order.index(LETTERS.index(r))] for r in response)


def save_answers(session: Session, *, actor: User, attempt_id: int, answers: list[dict], now: datetime) -> dict:
    """Save answers ``[{"position", "response", "seq"}]``; a save with a sequence number not above the
    stored one changes nothing. Raises NotFound, Conflict (time_over, attempt_closed), Invalid."""
    attempt = lock_attempt(session, attempt_id)
    if attempt is None or attempt.user_id != actor.id:
        raise NotFound(_("No such attempt."))
    if attempt.status == AttemptStatus.IN_PROGRESS and now >= attempt.deadline_at:
        submit_attempt(session, actor=None, attempt_id=attempt.id, now=now)
        raise Conflict(_("Time is over: your exam was submitted with the answers saved before the deadline."),
                       code="time_over")
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise Conflict(_("This exam has been submitted."), code="attempt_closed")
    # Only the answers being saved (with their questions, joined): a save of one answer must not
    # load a 100-question paper.
    positions = {item["position"] for item in answers}
    by_position = {a.position: a for a in session.scalars(
        select(Answer).where(Answer.attempt_id == attempt_id, Answer.position.in_(positions)))}
    saved = stale = 0
    for item in answers:
        answer = by_position.get(item["position"])
        if answer is None:
            raise Invalid(_("No question %(n)s on this paper.", n=item["position"]), field="position")
        response = _to_original(answer, answer.question, item.get("response"))
        result = session.execute(
            update(Answer).where(Answer.id == answer.id, Answer.seq < item["seq"])
            .values(response=response, seq=item["seq"], saved_at=now).execution_options(synchronize_session=False))
        if result.rowcount:
            saved += 1
        else:
            stale += 1
        session.expire(answer)
    session.flush()
    return {"saved": saved, "stale": stale}


def score_objective(question: Question, response: list | None, points: int) -> int:
    """Full points for a fully right answer, none otherwise (multiple choice: exact set)."""
    if not response:
        return 0
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE):
        return points if sorted(response) == sorted(question.answer) else 0
    if question.kind == QuestionKind.FILL:
        blanks = question.answer
        if len(response) < len(blanks):
            return 0
        norm = [r.strip().replace(" ", "").lower() for r in response]
        right = all(norm[i] in {alt.strip().replace(" ", "").lower() for alt in blank.split("|")}
                    for i, blank in enumerate(blanks))
        return points if right else 0
    return 0


def submit_attempt(session: Session, *, actor: User | None, attempt_id: int, now: datetime) -> Attempt:
    """Close the attempt (the candidate, or the server at the deadline when ``actor`` is None) and
    score its objective answers. Idempotent. Raises NotFound."""
    attempt = lock_attempt(session, attempt_id)
    if attempt is None or (actor is not None and attempt.user_id != actor.id):
        raise NotFound(_("No such attempt."))
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return attempt
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = min(now, attempt.deadline_at)
    attempt.submitted_by_server = actor is None
    answers = list(session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)
                                   .execution_options(populate_existing=True)))
    objective = 0
    manual = False
    for answer in answers:
        if answer.question.kind in MANUAL:
            answer.needs_grading = bool(answer.response)
            if not answer.response:
                answer.final_score = 0
            manual = manual or answer.needs_grading
        else:
            answer.auto_score = answer.final_score = score_objective(answer.question, answer.response, answer.points)
            objective += answer.auto_score
    attempt.objective_score = objective
    if not manual:
        attempt.status, attempt.score = AttemptStatus.GRADED, objective
    log(session, action="attempt_submitted", actor=actor, now=now, exam_session_id=attempt.exam_session_id,
        attempt_id=attempt.id, by_server=actor is None)
    session.flush()
    return attempt


def submit_overdue(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Submit every attempt whose deadline has passed (the periodic job). Returns how many."""
    ids = list(session.scalars(select(Attempt.id).where(Attempt.status == AttemptStatus.IN_PROGRESS,
                                                        Attempt.deadline_at <= now).limit(limit)))
    for attempt_id in ids:
        submit_attempt(session, actor=None, attempt_id=attempt_id, now=now)
    return len(ids)
