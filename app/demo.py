"""Demo data in Chinese: the provincial federation, 海南省电力学校, the grid company, one user
per role. Idempotent: running it twice changes nothing. Each installed domain adds its own
demo data through its declaration (``Domain.demo``), in the order the domains are listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, User
from app.auth.services import grant_role, register_user
from app.db import utcnow
from app.membership.models import MemberProfile, MembershipStatus, RegisterEntry, RegisterImport
from app.security import PersonalDataVault

DEMO_PASSWORD = "Demo-2026"  # noqa: S105 - printed demo credentials, by design
FEDERATION = "海南省总工会"
PROVIDER = "海南省电力学校"
ENTERPRISE = "海南电网有限责任公司"


@dataclass
class DemoWorld:
    """What the foundation's demo created, for the domains' loaders to build on."""

    session: Session
    now: datetime
    vault: PersonalDataVault
    federation: Organization
    provider: Organization
    enterprise: Organization
    users: dict[str, User]
    password: str = DEMO_PASSWORD
    rows: list[tuple[str, str, str]] = field(default_factory=list)


# (key, role, phone, name, organization key)
PEOPLE = [
    ("union_admin", Role.UNION_ADMIN, "13800000001", "林海燕", "federation"),
    ("provider_admin", Role.PROVIDER_ADMIN, "13800000002", "陈建国", "provider"),
    ("instructor", Role.INSTRUCTOR, "13800000003", "王立新", "provider"),
    ("enterprise_admin", Role.ENTERPRISE_ADMIN, "13800000004", "符春梅", "enterprise"),
    ("worker", Role.WORKER, "13800000005", "吴志强", None),
    ("worker2", Role.WORKER, "13800000006", "黎秀英", None),
]
# Valid GB 11643 numbers for the demo members (synthetic, Hainan region codes).
DEMO_MEMBERS = {
    "worker": ("HN460100001", "460100199003071237"),
    "worker2": ("HN460200002", "460200198811230022"),
}


def _org(session: Session, kind: OrgKind, name: str, **values) -> Organization:
    org = session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(kind=kind, name=name, status=OrgStatus.APPROVED, **values)
        session.add(org)
        session.flush()
    return org


def load_demo(session: Session) -> DemoWorld:
    from app.membership.idnumber import check_char

    now = utcnow()
    vault = current_app.extensions["pii_vault"]
    orgs = {
        "federation": _org(session, OrgKind.UNION, FEDERATION, city="海口"),
        "provider": _org(session, OrgKind.PROVIDER, PROVIDER, city="海口", credit_code="12460000428200046B",
                         description="海南省电力行业职业技能培训基地，承办第一期电工培训班。"),
        "enterprise": _org(session, OrgKind.ENTERPRISE, ENTERPRISE, city="海口",
                           credit_code="91460000735805621U", description="海南省电网企业。"),
    }
    users: dict[str, User] = {}
    rows = []
    for key, role, phone, name, org_key in PEOPLE:
        user = session.scalar(select(User).where(User.phone == "+86" + phone))
        if user is None:
            user = register_user(session, name=name, password=DEMO_PASSWORD, phone=phone)
        grant_role(session, user, role, orgs[org_key] if org_key else None)
        users[key] = user
        rows.append((role.value, phone, name))
    batch = session.scalar(select(RegisterImport).where(RegisterImport.filename == "demo-register.csv"))
    if batch is None:
        batch = RegisterImport(filename="demo-register.csv", uploaded_by_id=users["union_admin"].id, report=[])
        session.add(batch)
        session.flush()
    for key, (member_no, id_number) in DEMO_MEMBERS.items():
        assert check_char(id_number[:17]) == id_number[17], "demo ID numbers must be valid"
        user = users[key]
        if session.scalar(select(RegisterEntry.id).where(RegisterEntry.member_no == member_no)) is None:
            session.add(RegisterEntry(member_no=member_no, name=user.name, union_name="海南电网有限责任公司工会",
                                      id_number_cipher=vault.encrypt(id_number), import_id=batch.id,
                                      id_number_hash=vault.lookup_hash(id_number), id_last4=id_number[-4:]))
        if session.scalar(select(MemberProfile.id).where(MemberProfile.user_id == user.id)) is None:
            session.add(MemberProfile(user_id=user.id, member_no=member_no, union_name="海南电网有限责任公司工会",
                                      employer_name=ENTERPRISE, real_name=user.name,
                                      id_number_cipher=vault.encrypt(id_number),
                                      id_number_hash=vault.lookup_hash(id_number), id_last4=id_number[-4:],
                                      status=MembershipStatus.VERIFIED, decided_at=now))
    session.flush()
    world = DemoWorld(session=session, now=now, vault=vault, federation=orgs["federation"],
                      provider=orgs["provider"], enterprise=orgs["enterprise"], users=users, rows=rows)
    from app.domain import resolve

    for domain in current_app.extensions["domains"].domains:
        if domain.demo:
            resolve(domain.demo)(world)
    return world
