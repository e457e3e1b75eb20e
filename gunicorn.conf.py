"""gunicorn's settings for this platform (gunicorn reads ``gunicorn.conf.py`` from the folder it
starts in); command-line options such as ``-w`` and ``-b`` still apply."""


def post_worker_init(worker) -> None:
    """Each worker loads what its first requests would otherwise wait for (every domain's
    ``warm_up``, e.g. the catalog's in-memory index) before it accepts a connection."""
    app = worker.wsgi
    registry = getattr(app, "extensions", {}).get("domains")
    if registry is not None:
        registry.warm_up(app)
