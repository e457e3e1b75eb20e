"""Labels of the certificates domain's stored values (see ``app.labels``)."""

from flask_babel import lazy_gettext as _l

from app.labels import register

register("certificate_status", {
    "valid": _l("Valid"), "expired": _l("Expired"), "not_yet_valid": _l("Not yet valid"),
    "suspended": _l("Suspended"), "revoked": _l("Revoked"), "proposed": _l("Awaiting issuance"),
    "declined": _l("Not issued"), "issued": _l("Issued"), "not_found": _l("Not found"),
})
register("certificate_kind", {"training": _l("Training completion"), "appraisal": _l("Skill appraisal"),
                              "honour": _l("Honour")})
register("certificate_event", {
    "proposed": _l("Proposal made"), "issued": _l("Issued"), "declined": _l("Not issued"), "revoked": _l("Revoked"),
    "suspended": _l("Suspended"), "reinstated": _l("Reinstated"), "review_applied": _l("Review applied for"),
    "superseded": _l("Superseded"),
})
register("job_state", {"queued": _l("Queued"), "running": _l("Running"), "done": _l("Done"), "failed": _l("Failed")})
register("recorded_state", {"recorded": _l("Recorded, not yet checked"), "verified": _l("Checked by the union"),
                            "rejected": _l("Could not be confirmed")})
register("review_state", {"applied": _l("Applied"), "passed": _l("Review passed"), "rejected": _l("Review not passed")})
