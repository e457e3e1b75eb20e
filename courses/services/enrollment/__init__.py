"""Enrollment: seats, holds, waitlist, cancellation, refunds and reminders.

Seats are counted in ``TrainingClass.seats_taken`` and change only through the atomic
conditional UPDATEs :func:`take_seat` / :func:`free_seat` (on PostgreSQL the row lock
serialises racers; on SQLite the write lock does). The partial unique index on enrollments
is the backstop against a worker holding two active places in one class.

Payments for enrollments use the purpose ``"enrollment"``. Late or out-of-order payment news:

- success for a pending enrollment → confirmed;
- success for an enrollment whose hold expired (or that was cancelled unpaid) → the seat is
  taken again if one is free and the class is still open, else the money is refunded in full
  automatically and the worker is told;
- failure after success → nothing (the payment's status guard ignores it).

Modules: ``rules`` (seats, shared rules, settings, messages), ``enrolling``, ``cancelling``,
``jobs`` (expired holds, reminders), ``payment_handlers`` (declared in ``courses.DOMAIN``).
"""

from courses.services.enrollment.cancelling import (  # noqa: F401 - the enrollment API
    cancel_class,
    cancel_enrollment,
    close_payment,
    load_enrollment,
)
from courses.services.enrollment.enrolling import (  # noqa: F401 - the enrollment API
    enroll,
    hold_place,
    promote_waitlist,
)
from courses.services.enrollment.jobs import (  # noqa: F401 - the enrollment API
    REMINDER_DAY_BEFORE,
    release_expired_holds,
    send_class_reminders,
)
from courses.services.enrollment.rules import (  # noqa: F401 - the enrollment API
    OPEN,
    PURPOSE,
    Settings,
    class_name,
    class_started,
    enrollment_open,
    expire_seats,
    free_seat,
    is_verified_member,
    lock_enrollment,
    payment_of,
    refund_due,
    take_seat,
    tell,
)
