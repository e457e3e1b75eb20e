"""One place that imports every domain's models, for Alembic and for tests."""


def import_all_models() -> None:
    import app.auth.models  # noqa: F401
    import app.membership.models  # noqa: F401
    import app.payments.models  # noqa: F401

    for module in DOMAIN_MODEL_MODULES:
        __import__(module)


# Domain packages (courses, orders, ...) list their models modules here as they arrive.
DOMAIN_MODEL_MODULES: list[str] = ["courses.models"]
