"""A test-only domain declaration publishing fake facts, standing in for the domains being
built in parallel (exams, certificates, orders, studios, instructors), in the documented shapes.

Tests put what each fake domain "publishes" into ``STORE`` keyed by (fact, user_id), or
(fact, None) for aggregates."""

from __future__ import annotations

from app.domain import Domain

STORE: dict[tuple[str, int | None], list[dict]] = {}


def _member_fact(name):
    def publish(session, user_id, *, now, **options):
        rows = list(STORE.get((name, user_id), []))
        if name == "exam_results" and not options.get("include_failed", False):
            rows = [r for r in rows if r["passed"]]
        return rows

    publish.__name__ = name
    return publish


def _stats_fact(name):
    def publish(session, *, now):
        return list(STORE.get((name, None), []))

    return publish


exam_results = _member_fact("exam_results")
certificates = _member_fact("certificates")
order_training = _member_fact("order_training")
studio_roles = _member_fact("studio_roles")
apprenticeships = _member_fact("apprenticeships")
teaching = _member_fact("teaching")
honours = _member_fact("honours")


def stats_studios(session, *, now):
    """Studios publishes a snapshot dict, not monthly rows: the rebuild must skip it."""
    return {"named": 3, "named_per_level": {"city": 3}, "apprenticeships_active": 2}

stats_exams = _stats_fact("stats_exams")
stats_certificates = _stats_fact("stats_certificates")

DOMAIN = Domain(name="fakes", facts={
    name: f"tests.records.fakes:{name}"
    for name in ("exam_results", "certificates", "order_training", "studio_roles", "apprenticeships", "teaching",
                 "honours", "stats_exams", "stats_certificates", "stats_studios")})
