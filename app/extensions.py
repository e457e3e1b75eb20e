"""Flask extensions shared by every domain (created here, initialised in create_app)."""

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import LoginManager

login_manager = LoginManager()
babel = Babel()


class RouteLimiter(Limiter):
    """Flask-Limiter, asked only on the routes that carry a limit (sign-in, sign-up, password
    reset, public look-ups by number and name).

    With no default or application-wide limits, every other request would still walk the
    limiter's resolution of route, blueprint and default limits in its before-request hook
    (about a tenth of a small public page's time). A request filter (Flask-Limiter's own way to
    exempt requests) lets through every request to an endpoint without a limit; the limited
    endpoints are read off the app's routes once, at its first request (every blueprint is
    registered by then); with default or application limits configured, every route is checked.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_filter(self._not_limited)

    def _not_limited(self) -> bool:
        return request.endpoint not in self.limited_endpoints()

    def limited_endpoints(self) -> frozenset[str]:
        limited = current_app.extensions.get("rate_limited_endpoints")
        if limited is None:
            manager = self.limit_manager
            if manager.default_limits or manager.application_limits:
                limited = frozenset(current_app.view_functions)
            else:
                limited = frozenset(endpoint for endpoint, view in current_app.view_functions.items()
                                    if manager.decorated_limits(get_qualified_name(view)))
            current_app.extensions["rate_limited_endpoints"] = limited
        return limited


limiter = RouteLimiter(key_func=get_remote_address, default_limits=[])
