"""Celery wired the Flask 3 way: every task runs inside the application context.

Embedded default: no broker configured, tasks run in-process (eager) after commit.
Production: ``CELERY_BROKER_URL=redis://...``, a worker and beat (see README).
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

# The platform's own periodic jobs; each domain declares its own (``Domain.beat``).
PLATFORM_BEAT = {
    "reconcile-payments": {"task": "app.reconcile_payments", "schedule": 15 * 60.0},
}


def enqueue(task: Task, *args, **kwargs):
    """Queue ``task`` on the Celery app of the current Flask app.

    Celery's ``shared_task.delay`` uses whichever Celery app was created last in the process;
    resolving through the Flask app keeps tasks with the app (and database) that queued them.
    """
    from flask import current_app

    return current_app.extensions["celery"].tasks[task.name].apply_async(args, kwargs)


def celery_init_app(app: Flask, domains=()) -> Celery:
    from app.domain import beat_schedule

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.beat_schedule = {**PLATFORM_BEAT, **beat_schedule(domains)}
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
