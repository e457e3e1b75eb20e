"""Exams services: certificate types, booking, attempts, grading, release, appeals, facts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import Conflict, Invalid, NotFound
from courses.models import Enrollment, EnrollmentStatus
from exams import facts
from exams.models import (
    Answer,
    AttemptStatus,
    BookingStatus,
    ComponentResult,
    ExamLog,
    Grade,
    QuestionKind,
    SessionMode,
    SessionStatus,
)
from exams.services import attempts as attempt_service
from exams.services import booking as booking_service
from exams.services import grading
from exams.services import papers as paper_service
from exams.services import sessions as session_service
from exams.services import types as type_service
from exams.signals import results_released
from tests.exams.conftest import NOW


def test_seeded_special_operations_rules(special_ops, skill_level):
    theory, practical = special_ops.component("theory"), special_ops.component("practical")
    assert (theory.duration_minutes, theory.max_score, theory.pass_mark, theory.retake_limit,
            theory.pass_valid_months) == (120, 100, 80, 1, 12)
    assert practical.pass_mark == 80 and practical.requires_kind == "theory"
    assert (special_ops.validity_months, special_ops.review_every_months, special_ops.review_training_hours) == (
        72, 36, 8)
    assert [c.pass_mark for c in skill_level.components] == [60, 60]


def test_edit_type_and_required_courses(db, special_ops, union_admin, make_course):
    components = [{"kind": "theory", "max_score": 100, "pass_mark": 85, "duration_minutes": 90},
                  {"kind": "practical", "max_score": 100, "pass_mark": 80, "requires_kind": "theory"}]
    ctype = type_service.save_certificate_type(db, actor=union_admin, now=NOW, type_id=special_ops.id,
                                               code=special_ops.code, values={"name_zh": "低压电工", "exam_fee": 5000},
                                               components=components)
    assert ctype.component("theory").pass_mark == 85 and ctype.exam_fee == 5000
    with pytest.raises(Invalid):
        type_service.save_certificate_type(db, actor=union_admin, now=NOW, type_id=None, code="x",
                                           values={"name_zh": "x"}, components=[{"kind": "theory", "pass_mark": 120,
                                                                                 "max_score": 100}])
    with pytest.raises(Conflict):
        type_service.save_certificate_type(db, actor=union_admin, now=NOW, type_id=None, code=special_ops.code,
                                           values={"name_zh": "x"}, components=[{"kind": "theory"}])
    course = make_course()
    assert type_service.set_required_courses(db, actor=union_admin, type_id=special_ops.id,
                                             course_ids=[course.id]) == [course.id]


def test_unsatisfiable_blueprint_is_refused_with_the_row(db, special_ops, make_questions, union_admin):
    make_questions(special_ops, QuestionKind.SINGLE, 3, knowledge_point="接地")
    with pytest.raises(Invalid) as err:
        paper_service.create_paper(db, actor=union_admin, type_id=special_ops.id, component_kind="theory", title="t",
                                   blueprint=[{"kind": "single", "knowledge_point": "接地", "count": 5, "points": 2}],
                                   now=NOW)
    assert err.value.code == "blueprint_unsatisfiable" and "only 3" in err.value.message


def test_paper_is_reproducible_from_its_seed(db, theory_paper):
    first = paper_service.draw_paper(db, theory_paper, 42)
    assert first == paper_service.draw_paper(db, theory_paper, 42)
    assert len(first) == 10 and len({d.question_id for d in first}) == 10
    assert any(d.option_order != [0, 1, 2, 3] for d in first)
    assert first != paper_service.draw_paper(db, theory_paper, 43)


def test_booking_seats_numbers_and_capacity(db, make_session, make_candidate):
    exam_session = make_session(capacity=2)
    a, b, c = make_candidate(), make_candidate(), make_candidate()
    first = booking_service.book_exam_seat(db, actor=a, exam_session_id=exam_session.id, now=NOW)
    second = booking_service.book_exam_seat(db, actor=b, exam_session_id=exam_session.id, now=NOW)
    assert (first.seat_no, second.seat_no, first.status) == (1, 2, BookingStatus.BOOKED)
    with pytest.raises(Conflict) as err:
        booking_service.book_exam_seat(db, actor=c, exam_session_id=exam_session.id, now=NOW)
    assert err.value.code == "session_full"
    waiting = booking_service.book_exam_seat(db, actor=c, exam_session_id=exam_session.id, now=NOW, waitlist=True)
    assert waiting.status == BookingStatus.WAITLISTED
    booking_service.cancel_booking(db, actor=a, booking_id=first.id, now=NOW)
    db.refresh(waiting)
    assert (waiting.status, waiting.seat_no) == (BookingStatus.BOOKED, 1)
    db.refresh(exam_session)
    assert exam_session.seats_taken == 2


def test_cancel_after_deadline_refused(db, make_session, make_candidate):
    exam_session = make_session()
    candidate = make_candidate()
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id, now=NOW)
    with pytest.raises(Conflict) as err:
        booking_service.cancel_booking(db, actor=candidate, booking_id=booking.id,
                                       now=exam_session.cancel_deadline_at)
    assert err.value.code == "cancel_deadline_passed"
    with pytest.raises(NotFound):
        booking_service.cancel_booking(db, actor=make_candidate(), booking_id=booking.id, now=NOW)


def test_overlapping_bookings_refused(db, make_session, make_candidate):
    one = make_session()
    two = make_session(starts_in=timedelta(days=7, minutes=60))
    candidate = make_candidate()
    booking_service.book_exam_seat(db, actor=candidate, exam_session_id=one.id, now=NOW)
    with pytest.raises(Conflict) as err:
        booking_service.book_exam_seat(db, actor=candidate, exam_session_id=two.id, now=NOW)
    assert err.value.code == "overlapping_booking"


def test_booking_window(db, make_session, make_candidate):
    exam_session = make_session(booking_opens_at=NOW + timedelta(hours=1))
    with pytest.raises(Conflict) as err:
        booking_service.book_exam_seat(db, actor=make_candidate(), exam_session_id=exam_session.id, now=NOW)
    assert err.value.code == "booking_closed"


def test_eligibility_reasons(db, special_ops, make_session, make_candidate, make_course, make_class, union_admin):
    course = make_course()
    type_service.set_required_courses(db, actor=union_admin, type_id=special_ops.id, course_ids=[course.id])
    practical = make_session(component="practical", mode=SessionMode.OFFLINE)
    candidate = make_candidate()
    with pytest.raises(Invalid) as err:
        booking_service.book_exam_seat(db, actor=candidate, exam_session_id=practical.id, now=NOW)
    assert err.value.code == "not_eligible"
    assert "required training" in err.value.message and "Pass the" in err.value.message
    db.add(Enrollment(class_id=make_class(course=course).id, user_id=candidate.id, status=EnrollmentStatus.COMPLETED,
                      completed_at=NOW - timedelta(days=2)))
    theory = make_session()
    assert booking_service.eligibility_reasons(db, user=candidate, exam_session=theory, now=NOW) == []


def _answer_all(db, attempt, candidate, *, right=True):
    answers = []
    for answer in db.scalars(select(Answer).where(Answer.attempt_id == attempt.id)):
        question = answer.question
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            originals = question.answer if right else ["A"]
            response = attempt_service.to_shown(answer, originals)
        elif question.kind == QuestionKind.TRUE_FALSE:
            response = question.answer if right else ["F"]
        else:
            response = ["漏电保护器应每月试跳一次。"]
        answers.append({"position": answer.position, "response": response, "seq": 1})
    attempt_service.save_answers(db, actor=candidate, attempt_id=attempt.id, answers=answers,
                                 now=attempt.started_at + timedelta(minutes=5))


def test_attempt_needs_check_in_and_window(db, make_session, make_candidate):
    exam_session = make_session()
    candidate = make_candidate()
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id, now=NOW)
    with pytest.raises(Conflict) as err:
        attempt_service.start_attempt(db, actor=candidate, booking_id=booking.id, now=exam_session.starts_at)
    assert err.value.code == "not_checked_in"
    remote = make_session(mode=SessionMode.ONLINE_REMOTE, starts_in=timedelta(days=9))
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=remote.id, now=NOW)
    with pytest.raises(Conflict) as err:
        attempt_service.start_attempt(db, actor=candidate, booking_id=booking.id, now=NOW)
    assert err.value.code == "outside_window"
    attempt = attempt_service.start_attempt(db, actor=candidate, booking_id=booking.id, now=remote.starts_at)
    assert attempt.deadline_at == remote.starts_at + timedelta(minutes=120)


def test_deadline_never_past_session_end_plus_allowance(db, make_session, make_candidate, union_admin):
    exam_session = make_session(mode=SessionMode.ONLINE_REMOTE, minutes=150)
    candidate = make_candidate()
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id, now=NOW)
    booking_service.grant_allowance(db, actor=union_admin, booking_id=booking.id, minutes=15, now=NOW)
    late = exam_session.starts_at + timedelta(minutes=60)
    attempt = attempt_service.start_attempt(db, actor=candidate, booking_id=booking.id, now=late)
    assert attempt.deadline_at == exam_session.ends_at + timedelta(minutes=15)
    again = attempt_service.start_attempt(db, actor=candidate, booking_id=booking.id, now=late + timedelta(minutes=1))
    assert again.id == attempt.id   # resume, not a second attempt


def test_saves_keep_the_newest(db, sitting):
    attempt, candidate, _s = sitting()
    now = attempt.started_at + timedelta(minutes=1)
    first = db.scalar(select(Answer).where(Answer.attempt_id == attempt.id, Answer.position == 1))
    attempt_service.save_answers(db, actor=candidate, attempt_id=attempt.id,
                                 answers=[{"position": 1, "response": ["B"], "seq": 5}], now=now)
    result = attempt_service.save_answers(db, actor=candidate, attempt_id=attempt.id,
                                          answers=[{"position": 1, "response": ["A"], "seq": 3}], now=now)
    assert result == {"saved": 0, "stale": 1}
    db.refresh(first)
    assert attempt_service.to_shown(first, first.response) == ["B"] and first.seq == 5
    with pytest.raises(NotFound):
        attempt_service.save_answers(db, actor=sitting()[1], attempt_id=attempt.id,
                                     answers=[{"position": 1, "response": ["B"], "seq": 9}], now=now)


def test_server_submits_at_the_deadline(db, sitting):
    attempt, candidate, _s = sitting()
    _answer_all(db, attempt, candidate)
    with pytest.raises(Conflict) as err:
        attempt_service.save_answers(db, actor=candidate, attempt_id=attempt.id,
                                     answers=[{"position": 1, "response": ["A"], "seq": 9}], now=attempt.deadline_at)
    assert err.value.code == "time_over"
    db.refresh(attempt)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_by_server
    assert attempt.objective_score == 90


def test_periodic_job_submits_overdue(db, sitting):
    attempt, _c, _s = sitting()
    assert attempt_service.submit_overdue(db, now=attempt.deadline_at - timedelta(seconds=1)) == 0
    assert attempt_service.submit_overdue(db, now=attempt.deadline_at) == 1
    db.refresh(attempt)
    # Nothing was answered: nothing left for examiners, the attempt is graded at once (0 points).
    assert (attempt.status, attempt.score, attempt.submitted_by_server) == (AttemptStatus.GRADED, 0, True)


def _grade_flow(db, make_examiner, exam_session, attempt, scores):
    examiners = [make_examiner() for _ in scores]
    for examiner in examiners:
        session_service.assign_staff(db, actor=examiner, exam_session_id=exam_session.id, user_id=examiner.id,
                                     role="examiner", now=NOW)
    return examiners


def test_double_marking_third_examiner_release_and_facts(db, sitting, make_examiner, union_admin):
    attempt, candidate, exam_session = sitting()
    _answer_all(db, attempt, candidate)
    attempt_service.submit_attempt(db, actor=candidate, attempt_id=attempt.id,
                                   now=attempt.started_at + timedelta(minutes=30))
    e1, e2, e3 = _grade_flow(db, make_examiner, exam_session, attempt, [1, 2, 3])
    queue = grading.grading_queue(db, examiner=e1)
    assert len(queue) == 1 and queue[0].anon_code == attempt.anon_code and queue[0].round == "first"
    answer_id = queue[0].answer.id
    grading.grade_answer(db, actor=e1, answer_id=answer_id, score=2, now=exam_session.ends_at)
    with pytest.raises(Conflict) as err:
        grading.grade_answer(db, actor=e1, answer_id=answer_id, score=9, now=exam_session.ends_at)
    assert err.value.code == "already_marked"
    assert grading.grading_queue(db, examiner=e1) == []
    grading.grade_answer(db, actor=e2, answer_id=answer_id, score=9, now=exam_session.ends_at)
    assert grading.grading_queue(db, examiner=e3)[0].round == "third"
    sent = []
    results_released.connect(lambda sender: sent.append(sender), weak=False)
    grading.grade_answer(db, actor=e3, answer_id=answer_id, score=8, now=exam_session.ends_at)
    db.refresh(attempt)
    assert (attempt.status, attempt.score) == (AttemptStatus.GRADED, 98)
    assert db.get(type(exam_session), exam_session.id).status == SessionStatus.RELEASED
    assert len(list(db.scalars(select(Grade).where(Grade.answer_id == answer_id)))) == 3
    result = db.scalar(select(ComponentResult).where(ComponentResult.user_id == candidate.id))
    assert result.passed and result.score == 98
    assert grading.next_steps(db, result) == ["book_next"]
    later = exam_session.ends_at + timedelta(days=1)
    assert [r["score"] for r in facts.exam_results(db, candidate.id, now=later)] == [98]
    eligibility = facts.certificate_eligibility(db, user_id=candidate.id, certificate_type_id=exam_session.
                                                certificate_type_id, now=later)
    assert not eligibility["eligible"] and eligibility["components"][0]["passed"]
    assert facts.released_candidates(db, exam_session_id=exam_session.id) == [candidate.id]
    db.commit()   # the signal goes out after commit
    assert exam_session.id in sent


def test_examiner_independence(db, sitting, make_examiner, make_class, make_org, make_user):
    from app.access import Role

    trainer = make_examiner()
    attempt, candidate, exam_session = sitting()
    training_class = make_class(instructor_id=trainer.id)
    db.add(Enrollment(class_id=training_class.id, user_id=candidate.id, status=EnrollmentStatus.COMPLETED,
                      completed_at=NOW))
    employer = make_org()
    colleague = make_user(Role.INSTRUCTOR, org=employer)
    from app.auth.services import grant_role

    grant_role(db, candidate, Role.INSTRUCTOR, employer)
    _answer_all(db, attempt, candidate)
    attempt_service.submit_attempt(db, actor=candidate, attempt_id=attempt.id, now=attempt.deadline_at)
    for examiner in (trainer, colleague):
        session_service.assign_staff(db, actor=examiner, exam_session_id=exam_session.id, user_id=examiner.id,
                                     role="examiner", now=NOW)
        assert grading.grading_queue(db, examiner=examiner) == []
    answer = db.scalar(select(Answer).where(Answer.attempt_id == attempt.id, Answer.needs_grading.is_(True)))
    with pytest.raises(NotFound):
        grading.grade_answer(db, actor=trainer, answer_id=answer.id, score=5, now=NOW)
    assert "trained" in grading.conflict_of_interest(db, examiner_id=trainer.id, candidate_id=candidate.id)[0]
    assert "same employer" in grading.conflict_of_interest(db, examiner_id=colleague.id, candidate_id=candidate.id)[0]
    assert grading.conflict_of_interest(db, examiner_id=make_examiner().id, candidate_id=candidate.id) == []


def test_practical_panel_after_theory_and_appeal(db, special_ops, sitting, make_examiner, make_session,
                                                 practical_paper, union_admin, make_candidate):
    attempt, candidate, theory = sitting()
    _answer_all(db, attempt, candidate)
    attempt_service.submit_attempt(db, actor=candidate, attempt_id=attempt.id, now=attempt.deadline_at)
    e1, e2 = make_examiner(), make_examiner()
    for examiner in (e1, e2):
        session_service.assign_staff(db, actor=union_admin, exam_session_id=theory.id, user_id=examiner.id,
                                     role="examiner", now=NOW)
    short = grading.grading_queue(db, examiner=e1)[0].answer.id
    grading.grade_answer(db, actor=e1, answer_id=short, score=4, now=theory.ends_at)
    grading.grade_answer(db, actor=e2, answer_id=short, score=6, now=theory.ends_at)
    theory_result = db.scalar(select(ComponentResult).where(ComponentResult.user_id == candidate.id))
    assert theory_result.score == 95
    practical = make_session(component="practical", mode=SessionMode.OFFLINE, paper=practical_paper,
                             starts_in=timedelta(days=20), booking_opens_at=theory.ends_at)
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=practical.id,
                                             now=theory.ends_at + timedelta(hours=1))
    booking_service.check_in(db, actor=union_admin, ticket_token=booking.ticket_token, now=practical.starts_at)
    panel = [make_examiner() for _ in range(3)]
    for examiner in panel:
        session_service.assign_staff(db, actor=union_admin, exam_session_id=practical.id, user_id=examiner.id,
                                     role="examiner", now=NOW)
    assert session_service.staffing_problems(practical)   # no proctor yet
    for examiner, items in zip(panel, [[50, 30], [60, 25], [40, 40]], strict=True):
        item = grading.grading_queue(db, examiner=examiner)[0]
        assert item.round == "panel"
        grading.grade_answer(db, actor=examiner, answer_id=item.answer.id, item_scores=items,
                             now=practical.ends_at)
    result = db.scalar(select(ComponentResult).where(ComponentResult.exam_session_id == practical.id))
    assert (result.score, result.passed) == (80, True)   # median of 80, 85, 80
    assert facts.certificate_eligibility(db, user_id=candidate.id, certificate_type_id=special_ops.id,
                                         now=practical.ends_at)["eligible"]
    # Appeal the theory: re-marked by an examiner who did not mark it.
    appeal = grading.file_appeal(db, actor=candidate, result_id=theory_result.id, reason="简答题评分偏低",
                                 now=theory.ends_at + timedelta(days=1))
    assert grading.grading_queue(db, examiner=e1) == []
    fresh = make_examiner()
    session_service.assign_staff(db, actor=union_admin, exam_session_id=theory.id, user_id=fresh.id,
                                 role="examiner", now=NOW)
    item = grading.grading_queue(db, examiner=fresh)[0]
    assert item.round == "appeal"
    grading.grade_answer(db, actor=fresh, answer_id=item.answer.id, score=10, now=theory.ends_at + timedelta(days=2))
    db.refresh(appeal)
    db.refresh(theory_result)
    assert (appeal.status, appeal.old_score, appeal.new_score, theory_result.score) == ("decided", 95, 100, 100)
    assert db.scalar(select(ExamLog).where(ExamLog.action == "appeal_decided")).detail == {
        "appeal_id": appeal.id, "old": 95, "new": 100}


def test_release_refused_while_grading_pending(db, sitting, union_admin):
    attempt, candidate, exam_session = sitting()
    _answer_all(db, attempt, candidate)
    with pytest.raises(Conflict) as err:
        grading.release_results(db, actor=union_admin, exam_session_id=exam_session.id, now=exam_session.starts_at)
    assert err.value.code == "session_not_over"
    with pytest.raises(Conflict) as err:
        grading.release_results(db, actor=union_admin, exam_session_id=exam_session.id, now=exam_session.ends_at)
    assert err.value.code == "grading_pending"


def test_retakes_then_retraining(db, special_ops, make_session, make_candidate, union_admin):
    candidate = make_candidate()
    component = special_ops.component("theory")
    for days in (1, 2):
        past = make_session(starts_in=timedelta(days=-30 + days), booking_opens_at=NOW - timedelta(days=60))
        db.add(ComponentResult(booking_id=_fake_booking(db, past, candidate).id, user_id=candidate.id,
                               certificate_type_id=special_ops.id, component_id=component.id,
                               exam_session_id=past.id, score=50, passed=False, sat_at=past.starts_at,
                               released_at=past.ends_at))
    db.flush()
    reasons = booking_service.eligibility_reasons(db, user=candidate, exam_session=make_session(), now=NOW)
    assert any("retrain" in r for r in reasons)


def _fake_booking(db, exam_session, candidate):
    from exams.models import ExamBooking

    booking = ExamBooking(exam_session_id=exam_session.id, user_id=candidate.id, status=BookingStatus.CHECKED_IN,
                          starts_at=exam_session.starts_at, ends_at=exam_session.ends_at,
                          ticket_token=f"t{exam_session.id}-{candidate.id}", created_at=NOW)
    db.add(booking)
    db.flush()
    return booking


def test_appeal_window(db, sitting, union_admin):
    attempt, candidate, exam_session = sitting()
    attempt_service.submit_attempt(db, actor=candidate, attempt_id=attempt.id, now=attempt.deadline_at)
    result = grading.release_results(db, actor=union_admin, exam_session_id=exam_session.id,
                                     now=exam_session.ends_at)[0]
    with pytest.raises(Conflict) as err:
        grading.file_appeal(db, actor=candidate, result_id=result.id, reason="复核",
                            now=exam_session.ends_at + timedelta(days=8))
    assert err.value.code == "appeal_closed"
    with pytest.raises(NotFound):
        grading.file_appeal(db, actor=union_admin, result_id=result.id, reason="复核", now=exam_session.ends_at)


def test_staff_assignment_books_the_pool_calendar(db, make_session, make_examiner, union_admin):
    one = make_session()
    overlapping = make_session(starts_in=timedelta(days=7, minutes=30))
    examiner = make_examiner()
    session_service.assign_staff(db, actor=union_admin, exam_session_id=one.id, user_id=examiner.id,
                                 role="examiner", now=NOW)
    session_service.assign_staff(db, actor=union_admin, exam_session_id=one.id, user_id=examiner.id,
                                 role="proctor", now=NOW)   # both roles at one session: one booking
    with pytest.raises(Conflict) as err:
        session_service.assign_staff(db, actor=union_admin, exam_session_id=overlapping.id, user_id=examiner.id,
                                     role="examiner", now=NOW)
    assert err.value.code == "instructor_busy"
    session_service.remove_staff(db, actor=union_admin, exam_session_id=one.id, user_id=examiner.id,
                                 role="examiner", now=NOW)
    session_service.remove_staff(db, actor=union_admin, exam_session_id=one.id, user_id=examiner.id,
                                 role="proctor", now=NOW)
    session_service.assign_staff(db, actor=union_admin, exam_session_id=overlapping.id, user_id=examiner.id,
                                 role="examiner", now=NOW)
    assert session_service.staffing_problems(overlapping)


def test_reminders_go_once_the_day_before(db, make_session, make_candidate):
    from app.auth.models import OutboxMessage
    from exams.services import jobs

    exam_session = make_session()
    candidate = make_candidate()
    booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id, now=NOW)
    assert jobs.send_reminders(db, now=exam_session.starts_at - timedelta(hours=30)) == 0
    day_before = exam_session.starts_at - timedelta(hours=20)
    assert jobs.send_reminders(db, now=day_before) == 1
    assert jobs.send_reminders(db, now=day_before + timedelta(hours=1)) == 0
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.recipient == candidate.contact))
    assert exam_session.title in message.body and "seat 1" in message.body


def test_exam_fee_goes_through_the_one_checkout(db, special_ops, make_session, make_candidate):
    from app.payments import services as payments
    from app.payments.models import Payment

    special_ops.exam_fee = 12000
    exam_session = make_session()
    candidate = make_candidate()
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id, now=NOW)
    assert (booking.status, booking.seat_no, booking.amount_due) == (BookingStatus.PENDING_PAYMENT, 1, 12000)
    payment = db.scalar(select(Payment).where(Payment.purpose == "exam_fee", Payment.reference_id == booking.id))
    assert (payment.amount, payment.payer_id, payment.status) == (12000, candidate.id, "pending")
    payments.apply_payment_succeeded(db, payment_id=payment.id, now=NOW)
    db.refresh(booking)
    assert booking.status == BookingStatus.BOOKED


def test_session_list_has_no_n_plus_one(db, make_session, client):
    from tests.conftest import count_queries

    make_session()
    with count_queries(db) as few:
        client.get("/api/v1/exam-sessions")
    for days in range(8, 14):
        make_session(starts_in=timedelta(days=days))
    with count_queries(db) as many:
        assert client.get("/api/v1/exam-sessions").json["total"] == 7
    assert len(many) == len(few)
