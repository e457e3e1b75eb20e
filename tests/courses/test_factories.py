from courses.models import EnrollmentStatus


def test_factories_make_a_class_with_a_confirmed_enrollment(make_class, make_member, make_enrollment):
    training_class = make_class(capacity=2)
    enrollment = make_enrollment(training_class, make_member())
    assert enrollment.status == EnrollmentStatus.CONFIRMED
    assert training_class.seats_left == 1
