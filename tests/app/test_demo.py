"""The demo command: realistic Chinese data, one user per role, idempotent, prints sign-ins."""

from sqlalchemy import func, select

from app.access import Role
from app.auth.models import Organization, OrgKind, User
from app.demo import DEMO_PASSWORD, load_demo
from app.membership.models import MemberProfile, MembershipStatus


def test_demo_loads_the_federation_provider_enterprise_and_a_user_per_role(db):
    world = load_demo(db)
    names = {(o.kind, o.name) for o in db.scalars(select(Organization))}
    assert (OrgKind.PROVIDER, "海南省电力学校") in names
    assert (OrgKind.ENTERPRISE, "海南电网有限责任公司") in names and (OrgKind.UNION, "海南省总工会") in names
    roles = set().union(*(u.roles for u in world.users.values()))
    assert roles >= {r.value for r in Role}
    worker = world.users["worker"]
    assert db.scalar(select(MemberProfile.status).where(MemberProfile.user_id == worker.id)) == MembershipStatus.VERIFIED


def test_demo_is_idempotent(db):
    load_demo(db)
    users = db.scalar(select(func.count()).select_from(User))
    load_demo(db)
    assert db.scalar(select(func.count()).select_from(User)) == users


def test_demo_command_prints_sign_in_details(app, db):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "13800000001" in result.output and DEMO_PASSWORD in result.output
