"""Flask extensions shared by every domain (created here, initialised in create_app)."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager

login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _route_has_no_limit() -> bool:
    """Flask-Limiter checks only the routes that carry a limit (sign-in, sign-up, password
    reset, public look-ups by number and name).

    With no default or application-wide limits, every other request would still walk the
    limiter's resolution of route, blueprint and default limits (about a tenth of a small
    public page's time); this filter tells it at once that the route has none. The limited
    endpoints are read off the app's routes once, at its first request (every blueprint is
    registered by then); with default limits configured, every route is checked."""
    from flask import current_app, request
    from flask_limiter.util import get_qualified_name

    limited = current_app.extensions.get("rate_limited_endpoints")
    if limited is None:
        manager = limiter.limit_manager
        if manager.default_limits or manager.application_limits:
            limited = frozenset(current_app.view_functions)
        else:
            limited = frozenset(endpoint for endpoint, view in current_app.view_functions.items()
                                if manager.decorated_limits(get_qualified_name(view)))
        current_app.extensions["rate_limited_endpoints"] = limited
    return request.endpoint not in limited
