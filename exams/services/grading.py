"""Grading (阅卷): a blind queue with the rubric, double marking with a tolerance and a third
examiner, practical panels, independence of examiners, every mark kept; results released per
session with what the candidate may do next; appeals re-marked by a new examiner."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.db import after_commit
from app.errors import Conflict, Invalid, NotFound
from exams.models import (
    Answer,
    Appeal,
    AppealStatus,
    Attempt,
    AttemptStatus,
    BookingStatus,
    ComponentResult,
    ExamBooking,
    ExamSession,
    Grade,
    QuestionKind,
    SessionStatus,
    StaffRole,
)
from exams.services.common import add_months, log
from instructors.queries.examiners import conflict_map, conflicts_between

# --- independence --------------------------------------------------------------------------------

def conflict_of_interest(session: Session, *, examiner_id: int, candidate_id: int) -> list[str]:
    """Why ``examiner_id`` may not mark ``candidate_id``'s work (trained them, same employer, a declared
    relation, themselves): the instructor pool's rules, empty when independent."""
    return conflicts_between(session, examiner_user_id=examiner_id, candidate_user_id=candidate_id)


# --- what an answer still needs ----------------------------------------------------------------------

@dataclass
class Need:
    round: str
    excluded: set[int]   # examiners who may not give this mark


def open_appeal_for(session: Session, attempt_id: int) -> Appeal | None:
    return session.scalar(select(Appeal).join(ComponentResult, ComponentResult.id == Appeal.result_id)
                          .where(ComponentResult.attempt_id == attempt_id, Appeal.status == AppealStatus.OPEN))


def panel_size(exam_session: ExamSession) -> int:
    return max(int((exam_session.staffing or {}).get("min_examiners", 3)), 1)


def need_of(answer: Answer, grades: list[Grade], exam_session: ExamSession, appeal: Appeal | None) -> Need | None:
    """The next mark ``answer`` needs, or None when its final score is settled."""
    markers = {g.examiner_id for g in grades}
    if appeal is not None:
        if any(g.round == "appeal" and g.created_at >= appeal.created_at for g in grades):
            return None
        return Need("appeal", markers)
    if answer.question.kind == QuestionKind.PRACTICAL:
        return Need("panel", markers) if len(grades) < panel_size(exam_session) else None
    component = exam_session.component
    rounds = {g.round: g for g in grades}
    if "first" not in rounds:
        return Need("first", markers)
    if not component.double_marking:
        return None
    if "second" not in rounds:
        return Need("second", markers)
    if abs(rounds["first"].score - rounds["second"].score) > component.marking_tolerance and "third" not in rounds:
        return Need("third", markers)
    return None


def settle(answer: Answer, grades: list[Grade], appeal: Appeal | None) -> int:
    """The final score from the marks given."""
    if appeal is not None:
        return [g for g in grades if g.round == "appeal"][-1].score
    rounds = {g.round: g.score for g in grades}
    if "panel" in rounds:
        scores = sorted(g.score for g in grades if g.round == "panel")
        return round(statistics.median(scores) + 1e-9)
    if "third" in rounds:
        return rounds["third"]
    if "second" in rounds:
        return round((rounds["first"] + rounds["second"]) / 2 + 1e-9)
    return rounds["first"]


# --- the queue -------------------------------------------------------------------------------------

@dataclass
class QueueItem:
    answer: Answer
    anon_code: str
    exam_session: ExamSession
    round: str


def grading_queue(session: Session, *, examiner: User, exam_session_id: int | None = None) -> list[QueueItem]:
    """Answers this examiner may mark now, blind (candidates by anonymous code), oldest first."""
    sessions = select(ExamSession.id).join(ExamSession.staff).where(
        ExamSession.staff.any(user_id=examiner.id, role=StaffRole.EXAMINER))
    stmt = (select(Answer, Attempt).join(Attempt, Attempt.id == Answer.attempt_id)
            .where(Answer.needs_grading.is_(True), Attempt.exam_session_id.in_(sessions),
                   Attempt.status != AttemptStatus.IN_PROGRESS)
            .order_by(Attempt.submitted_at, Answer.attempt_id, Answer.position))
    if exam_session_id is not None:
        stmt = stmt.where(Attempt.exam_session_id == exam_session_id)
    rows = session.execute(stmt).all()
    if not rows:
        return []
    grades = _grades_by_answer(session, [a.id for a, _attempt in rows])
    appeals = _open_appeals(session, {attempt.id for _a, attempt in rows})
    exam_sessions = {s.id: s for s in session.scalars(select(ExamSession).where(
        ExamSession.id.in_({attempt.exam_session_id for _a, attempt in rows})))}
    conflicts = conflict_map(session, [examiner.id], {attempt.user_id for _a, attempt in rows})
    items = []
    for answer, attempt in rows:
        exam_session = exam_sessions[attempt.exam_session_id]
        need = need_of(answer, grades.get(answer.id, []), exam_session, appeals.get(attempt.id))
        if need is None or examiner.id in need.excluded:
            continue
        if conflicts.get((examiner.id, attempt.user_id)):
            continue
        items.append(QueueItem(answer, attempt.anon_code, exam_session, need.round))
    return items


def _grades_by_answer(session: Session, answer_ids: list[int]) -> dict[int, list[Grade]]:
    found: dict[int, list[Grade]] = {}
    for grade in session.scalars(select(Grade).where(Grade.answer_id.in_(answer_ids)).order_by(Grade.id)):
        found.setdefault(grade.answer_id, []).append(grade)
    return found


def _open_appeals(session: Session, attempt_ids: set[int]) -> dict[int, Appeal]:
    rows = session.execute(select(ComponentResult.attempt_id, Appeal).join(
        Appeal, Appeal.result_id == ComponentResult.id).where(
        ComponentResult.attempt_id.in_(attempt_ids), Appeal.status == AppealStatus.OPEN)).all()
    return {attempt_id: appeal for attempt_id, appeal in rows}


# --- marking ---------------------------------------------------------------------------------------

def grade_answer(session: Session, *, actor: User, answer_id: int, now: datetime, score: int | None = None,
                 item_scores: list[int] | None = None, comment: str = "") -> Grade:
    """Record the actor's mark for one answer (append-only). Raises NotFound (not theirs to mark),
    Conflict (already_marked, not_waiting), Invalid (score out of range)."""
    answer = session.get(Answer, answer_id)
    if answer is None:
        raise NotFound(_("No such answer."))
    attempt = session.scalar(select(Attempt).where(Attempt.id == answer.attempt_id).with_for_update(of=Attempt))
    exam_session = session.get(ExamSession, attempt.exam_session_id)
    if actor.id not in exam_session.staff_ids(StaffRole.EXAMINER) or conflict_of_interest(
            session, examiner_id=actor.id, candidate_id=attempt.user_id):
        raise NotFound(_("No such answer."))
    grades = _grades_by_answer(session, [answer.id]).get(answer.id, [])
    appeal = open_appeal_for(session, attempt.id)
    need = need_of(answer, grades, exam_session, appeal) if answer.needs_grading else None
    if need is None:
        raise Conflict(_("This answer is not waiting for a mark."), code="not_waiting")
    if actor.id in need.excluded:
        raise Conflict(_("You have marked this answer already; marks are not changed."), code="already_marked")
    question = answer.question
    if question.kind == QuestionKind.PRACTICAL:
        rubric = question.rubric
        if item_scores is None or len(item_scores) != len(rubric):
            raise Invalid(_("Score every rubric item."), field="item_scores")
        for value, item in zip(item_scores, rubric, strict=True):
            if not 0 <= value <= item["points"]:
                raise Invalid(_("%(item)s is scored 0 to %(points)s.", item=item["item"], points=item["points"]),
                              field="item_scores")
        raw = sum(item_scores)
        total = sum(item["points"] for item in rubric)
        score = round(raw * answer.points / total) if total else 0
    else:
        if score is None or not 0 <= score <= answer.points:
            raise Invalid(_("The score is between 0 and %(points)s.", points=answer.points), field="score")
        item_scores = []
    grade = Grade(answer_id=answer.id, examiner_id=actor.id, round=need.round, score=score,
                  item_scores=list(item_scores), comment=(comment or "")[:1000], created_at=now)
    session.add(grade)
    session.flush()
    log(session, action="marked", actor=actor, now=now, exam_session_id=exam_session.id, answer_id=answer.id,
        round=need.round, score=score)
    grades.append(grade)
    if need_of(answer, grades, exam_session, appeal) is None:
        previous = answer.final_score
        answer.final_score, answer.needs_grading = settle(answer, grades, appeal), False
        if previous is not None and previous != answer.final_score:
            log(session, action="answer_rescored", actor=actor, now=now, exam_session_id=exam_session.id,
                answer_id=answer.id, old=previous, new=answer.final_score)
        session.flush()
        _finish_attempt(session, attempt, exam_session, appeal, actor, now)
    return grade


def _finish_attempt(session: Session, attempt: Attempt, exam_session: ExamSession, appeal: Appeal | None,
                    actor: User, now: datetime) -> None:
    pending = session.scalar(select(exists().where(Answer.attempt_id == attempt.id, Answer.needs_grading.is_(True))))
    if pending:
        return
    attempt.score = session.scalar(select(func.coalesce(func.sum(Answer.final_score), 0))
                                   .where(Answer.attempt_id == attempt.id))
    attempt.status = AttemptStatus.GRADED
    session.flush()
    if appeal is not None:
        _decide_appeal(session, appeal, attempt, actor, now)
    elif exam_session.status == SessionStatus.SCHEDULED and now >= exam_session.ends_at and not grading_pending(
            session, exam_session.id, now):
        release_results(session, actor=actor, exam_session_id=exam_session.id, now=now)


# --- release -------------------------------------------------------------------------------------

def grading_pending(session: Session, exam_session_id: int, now: datetime) -> int:
    """Attempts of the session that are not fully graded yet."""
    return session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.exam_session_id == exam_session_id, Attempt.status != AttemptStatus.GRADED)) or 0


def release_results(session: Session, *, actor: User, exam_session_id: int, now: datetime) -> list[ComponentResult]:
    """Publish the session's results (scores, pass/fail, absent) once grading is done; sends
    ``results_released`` after commit. Raises NotFound, Conflict (grading_pending, already_released)."""
    from exams.services.attempts import submit_attempt

    exam_session = session.scalar(select(ExamSession).where(ExamSession.id == exam_session_id).with_for_update(of=ExamSession))
    if exam_session is None:
        raise NotFound(_("No such exam session."))
    if exam_session.status == SessionStatus.RELEASED:
        raise Conflict(_("The results of this session are already released."), code="already_released")
    if exam_session.status == SessionStatus.CANCELLED or now < exam_session.ends_at:
        raise Conflict(_("Results can be released after the session has ended."), code="session_not_over")
    for attempt_id in session.scalars(select(Attempt.id).where(Attempt.exam_session_id == exam_session_id,
                                                                Attempt.status == AttemptStatus.IN_PROGRESS)):
        submit_attempt(session, actor=None, attempt_id=attempt_id, now=now)
    if pending := grading_pending(session, exam_session_id, now):
        raise Conflict(_("%(n)s candidates' work is still being graded.", n=pending), code="grading_pending")
    component = exam_session.component
    attempts = {a.booking_id: a for a in session.scalars(select(Attempt).where(
        Attempt.exam_session_id == exam_session_id))}
    results = []
    for booking in session.scalars(select(ExamBooking).where(
            ExamBooking.exam_session_id == exam_session_id,
            ExamBooking.status.in_((BookingStatus.BOOKED, BookingStatus.CHECKED_IN)))):
        attempt = attempts.get(booking.id)
        score = attempt.score if attempt else None
        if attempt is not None and attempt.max_score and attempt.max_score != component.max_score:
            score = round(attempt.score * component.max_score / attempt.max_score)
        passed = score is not None and score >= component.pass_mark
        sat_at = attempt.started_at if attempt else exam_session.starts_at
        result = ComponentResult(
            booking_id=booking.id, user_id=booking.user_id, certificate_type_id=exam_session.certificate_type_id,
            component_id=component.id, exam_session_id=exam_session_id, attempt_id=attempt.id if attempt else None,
            score=score, passed=passed, absent=attempt is None, sat_at=sat_at, released_at=now,
            valid_until=add_months(sat_at, component.pass_valid_months) if passed else None)
        session.add(result)
        results.append(result)
    exam_session.status, exam_session.released_at = SessionStatus.RELEASED, now
    log(session, action="results_released", actor=actor, now=now, exam_session_id=exam_session_id,
        candidates=len(results))
    session.flush()

    def _announce(session_id: int = exam_session_id) -> None:
        from exams.signals import results_released

        results_released.send(session_id)

    after_commit(session, _announce)
    return results


def next_steps(session: Session, result: ComponentResult) -> list[str]:
    """What the candidate may do after this result: book_next (the component this pass opens),
    retake, retrain, or done (every component passed)."""
    ctype = result.certificate_type
    if result.passed:
        following = [c for c in ctype.components if c.requires_kind == result.component.kind]
        if following:
            return ["book_next"]
        others = [c for c in ctype.components if c.id != result.component_id]
        passed = {c for c in session.scalars(select(ComponentResult.component_id).where(
            ComponentResult.user_id == result.user_id, ComponentResult.passed.is_(True),
            ComponentResult.certificate_type_id == ctype.id))}
        return ["done"] if all(c.id in passed for c in others) else ["book_next"]
    fails = session.scalar(select(func.count()).select_from(ComponentResult).where(
        ComponentResult.user_id == result.user_id, ComponentResult.component_id == result.component_id,
        ComponentResult.passed.is_(False), ComponentResult.released_at.is_not(None),
        ComponentResult.sat_at <= result.sat_at)) or 0
    return ["retake"] if fails <= result.component.retake_limit else ["retrain"]


# --- appeals ---------------------------------------------------------------------------------------

def file_appeal(session: Session, *, actor: User, result_id: int, reason: str, now: datetime) -> Appeal:
    """Appeal a released result within the type's appeal days: its manually graded answers are
    re-marked by an examiner who did not mark them. Raises NotFound, Conflict, Invalid."""
    result = session.get(ComponentResult, result_id)
    if result is None or result.user_id != actor.id or result.released_at is None:
        raise NotFound(_("No such result."))
    if not (reason or "").strip():
        raise Invalid(_("Say why you appeal."), field="reason")
    if now > result.released_at + timedelta(days=result.certificate_type.appeal_days):
        raise Conflict(_("The time for appeals has passed."), code="appeal_closed")
    if session.scalar(select(exists().where(Appeal.result_id == result.id))):
        raise Conflict(_("This result has been appealed already."), code="already_appealed")
    if result.attempt_id is None:
        raise Conflict(_("There is no work to re-mark."), code="nothing_to_remark")
    appeal = Appeal(result_id=result.id, user_id=actor.id, reason=reason.strip()[:1000], created_at=now,
                    old_score=result.score)
    session.add(appeal)
    manual = list(session.scalars(select(Answer).where(Answer.attempt_id == result.attempt_id,
                                                       Answer.auto_score.is_(None))))
    for answer in manual:
        answer.needs_grading = True
    session.flush()
    log(session, action="appeal_filed", actor=actor, now=now, exam_session_id=result.exam_session_id,
        appeal_id=appeal.id)
    if not manual:   # objective only: the re-check is the scoring itself
        attempt = session.get(Attempt, result.attempt_id)
        _decide_appeal(session, appeal, attempt, actor, now)
    return appeal


def _decide_appeal(session: Session, appeal: Appeal, attempt: Attempt, actor: User, now: datetime) -> None:
    result = appeal.result
    component = result.component
    score = attempt.score or 0
    if attempt.max_score and attempt.max_score != component.max_score:
        score = round(score * component.max_score / attempt.max_score)
    appeal.status, appeal.decided_at, appeal.new_score = AppealStatus.DECIDED, now, score
    if score != result.score:
        result.score = score
        result.passed = score >= component.pass_mark
        result.valid_until = add_months(result.sat_at, component.pass_valid_months) if result.passed else None
    log(session, action="appeal_decided", actor=actor, now=now, exam_session_id=result.exam_session_id,
        appeal_id=appeal.id, old=appeal.old_score, new=score)
    session.flush()


def examiners_of(user: User) -> bool:
    return user.has_role(Role.INSTRUCTOR)
