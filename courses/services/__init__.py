"""Every write of the catalog domain, by area: shelf (courses, classes, review),
enrollment (seats, payments, waitlist, cancellation), learning (lessons, progress, attendance)."""
