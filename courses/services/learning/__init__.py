"""Every write of the learning area: lessons, progress, completion, class days, attendance, check-in.

Completion rule (evaluated whenever a worker's progress or attendance changes):

- every lesson of the class is done, and
- for offline and blended classes, the worker was present on at least
  ``attendance_required_pct`` % of the class days (rounded up);
- an online class with no lessons is never completed automatically: there is nothing to
  show that the worker learned anything (the provider adds lessons first). An offline
  class with no lessons completes on attendance alone.

Completion is final: correcting attendance later does not undo it, and adding lessons to
a class does not re-open completed enrollments. Deleting a lesson re-checks the class's
confirmed enrollments (the deleted lesson may have been the only one missing).
"""

from courses.queries.learning import local_day
from courses.services.learning.attendance import (
    CHECKIN_MAX_AGE,
    CHECKIN_SALT,
    Checkin,
    check_in,
    checkin_expires_at,
    ensure_class_days,
    get_class_day,
    make_checkin_code,
    mark_attendance,
    read_checkin,
)
from courses.services.learning.lessons import (
    MAX_LESSON_FILE_BYTES,
    Upload,
    add_lesson,
    check_video_url,
    delete_lesson,
    get_class_for_teacher,
    get_class_for_viewer,
    get_lesson_for_teacher,
    get_lesson_for_viewer,
    move_lesson,
    place_lesson,
    reorder_lessons,
    sanitize_html,
    update_lesson,
)
from courses.services.learning.progress import (
    Progress,
    evaluate_completion,
    mark_lesson_done,
    progress_of,
    required_days,
)

__all__ = [
    "CHECKIN_MAX_AGE", "CHECKIN_SALT", "MAX_LESSON_FILE_BYTES", "Checkin", "Progress", "Upload", "add_lesson",
    "check_in", "check_video_url", "checkin_expires_at", "delete_lesson", "ensure_class_days", "evaluate_completion",
    "get_class_day", "get_class_for_teacher", "get_class_for_viewer", "get_lesson_for_teacher",
    "get_lesson_for_viewer", "local_day", "make_checkin_code", "mark_attendance", "mark_lesson_done", "move_lesson",
    "place_lesson", "progress_of", "read_checkin", "reorder_lessons", "required_days", "sanitize_html",
    "update_lesson",
]
