"""The shelf: providers put courses and classes on it, the union reviews them.

Review workflow: ``draft → submitted → approved | rejected``; a rejected course is edited
and submitted again. An approved course is shown to the public only while its provider
keeps it published. Editing the *substance* of an approved course (title, summary,
description, industries, skills, hours, certificate type, cover) sends it back to
``submitted``: it leaves the public catalog until a union admin approves the change, and
comes back by itself (the published flag is kept). Instructors and classes are not
substance: providers change them freely. Editing a rejected course makes it a draft again.

``industries`` holds the industry tags, ``courses`` the courses and their review,
``classes`` the classes and the catalog listing columns they feed.
"""

from courses.services.shelf.classes import (  # noqa: F401 - the shelf's public API
    CLASS_FIELDS,
    create_class,
    local_day_start,
    open_classes_select,
    provider_of,
    refresh_all_listings,
    refresh_course_listing,
    update_class,
)
from courses.services.shelf.courses import (  # noqa: F401 - the shelf's public API
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    COURSE_FIELDS,
    COVER_MAX_BYTES,
    COVER_NAME,
    COVER_TYPES,
    SUBSTANCE,
    approve_course,
    check_instructors,
    clean_text,
    cover_path,
    create_course,
    detect_image_type,
    get_course_for_manager,
    provider_instructors,
    publish_course,
    reject_course,
    sanitize_html,
    set_course_cover,
    submit_course,
    update_course,
)
from courses.services.shelf.industries import (  # noqa: F401 - the shelf's public API
    INDUSTRIES,
    add_industry,
    seed_industries,
)
