"""Labels of the studios domain's stored values (see ``app.labels``)."""

from flask_babel import lazy_gettext as _l

from app.labels import register

register("studio_level", {"national": _l("National"), "provincial": _l("Provincial"), "city": _l("City-level"),
                          "enterprise": _l("Enterprise-level")})
register("studio_status", {"proposed": _l("Proposed"), "named": _l("Named"), "rejected": _l("Not named")})
register("studio_role", {"leader": _l("Leader"), "member": _l("Studio member"), "master": _l("Master"),
                         "apprentice": _l("Apprentice")})
register("honor_kind", {"model_worker": _l("Model worker"), "craftsman": _l("Craftsman"),
                        "may_day_medal": _l("May Day Labour Medal"), "other": _l("Other honour")})
register("honor_status", {"pending": _l("To be verified"), "verified": _l("Verified"), "rejected": _l("Not verified")})
register("achievement_kind", {"innovation": _l("Innovation"), "patent": _l("Patent"), "technique": _l("Technique"),
                              "award": _l("Award")})
register("service_kind", {"technical_service": _l("Technical service"), "skills_training": _l("Skills training"),
                          "management": _l("Management improvement"),
                          "farming_guidance": _l("Farming-technology guidance"),
                          "demonstration_teaching": _l("Demonstration teaching")})
register("requester_kind", {"enterprise": _l("Enterprise"), "village": _l("Village"), "school": _l("School")})
register("help_status", {"open": _l("Open for answers"), "in_progress": _l("In progress"), "completed": _l("Completed"),
                         "cancelled": _l("Cancelled")})
register("proposal_status", {"submitted": _l("Proposed"), "accepted": _l("Accepted"), "declined": _l("Not taken up"),
                             "delivered": _l("Work reported done"), "completed": _l("Completed")})
register("team_scope", {"provincial": _l("Provincial team"), "city": _l("City team"),
                        "industry": _l("Industry team")})
register("apprenticeship_status", {"active": _l("Under way"), "completed": _l("Completed")})
register("apprenticeship_result", {"excellent": _l("Excellent"), "passed": _l("Passed"), "failed": _l("Not passed")})
register("rating_status", {"submitted": _l("Self-assessed, awaiting review"), "reviewed": _l("Reviewed")})
register("star_change", {"up": _l("Up a star"), "down": _l("Down a star"), "same": _l("Unchanged"),
                         "new": _l("First rating")})
