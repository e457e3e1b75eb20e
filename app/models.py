"""One place that imports every model: the platform's and each installed domain's (Alembic, tests)."""


def import_all_models() -> None:
    import app.auth.models  # noqa: F401
    import app.membership.models  # noqa: F401
    import app.payments.models  # noqa: F401
    from app import DOMAINS
    from app.domain import load_domains, resolve

    for domain in load_domains(DOMAINS):
        for reference in domain.models:
            resolve(reference)
