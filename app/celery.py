"""Celery wired the Flask 3 way: every task runs inside the application context.

Embedded default: no broker configured, tasks run in-process (eager) after commit.
Production: ``CELERY_BROKER_URL=redis://...``, a worker and beat (see README).
"""

from __future__ import annotations

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

# Periodic jobs; each domain's tasks module registers its own tasks by name.
BEAT_SCHEDULE = {
    "release-expired-holds": {"task": "courses.release_expired_holds", "schedule": 60.0},
    "reconcile-payments": {"task": "app.reconcile_payments", "schedule": 15 * 60.0},
    "class-reminders": {"task": "courses.send_class_reminders", "schedule": crontab(minute=0)},
    "refresh-catalog-listings": {"task": "courses.refresh_listings", "schedule": crontab(hour=0, minute=5)},
}


def enqueue(task: Task, *args, **kwargs):
    """Queue ``task`` on the Celery app of the current Flask app.

    Celery's ``shared_task.delay`` uses whichever Celery app was created last in the process;
    resolving through the Flask app keeps tasks with the app (and database) that queued them.
    """
    from flask import current_app

    return current_app.extensions["celery"].tasks[task.name].apply_async(args, kwargs)


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.beat_schedule = BEAT_SCHEDULE
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
