"""Stripe in tests: a real ``localstripe`` server and webhook payloads signed like Stripe signs them.

``localstripe_url`` (session fixture) starts localstripe as a subprocess bound to 127.0.0.1 on a
free port, waits until it answers and kills it at the end. ``sign_payload`` produces the
``Stripe-Signature`` header of the documented scheme: HMAC-SHA256 with the endpoint secret over
``"{t}.{payload}"``, sent as ``t=<unix time>,v1=<hex digest>``. Reusable by browser tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

TEST_SECRET_KEY = "sk_test_localstripe"
TEST_PUBLISHABLE_KEY = "pk_test_localstripe"
TEST_WEBHOOK_SECRET = "whsec_test_secret"

# localstripe keeps its store in /tmp/localstripe.pickle; a test server needs no persistence.
_SERVER = """
import sys
from aiohttp import web
from localstripe import resources
from localstripe.server import app
resources.Store.dump_to_disk = lambda self: None
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url + "/js.stripe.com/v3/", timeout=0.5).close()
        return True
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """The base URL of a running localstripe server (skipped only if localstripe is missing)."""
    pytest.importorskip("localstripe")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-c", _SERVER, str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not _answers(url):
            if process.poll() is not None:
                raise RuntimeError("localstripe exited: " + process.stderr.read().decode()[-2000:])
            if time.monotonic() > deadline:
                raise RuntimeError("localstripe did not start within 20 s")
            time.sleep(0.05)
        yield url
    finally:
        process.kill()
        process.wait(timeout=10)


def stripe_config(localstripe_url: str) -> dict:
    """App settings that point the gateway at localstripe."""
    return {"STRIPE_SECRET_KEY": TEST_SECRET_KEY, "STRIPE_PUBLISHABLE_KEY": TEST_PUBLISHABLE_KEY,
            "STRIPE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET, "STRIPE_API_BASE": localstripe_url}


def sign_payload(payload: bytes, *, secret: str = TEST_WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header for ``payload``."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def event_payload(event_type: str, obj: dict, *, event_id: str | None = None, created: int | None = None) -> bytes:
    """A Stripe event wrapping ``obj`` (e.g. a PaymentIntent retrieved from localstripe)."""
    event_id = event_id or "evt_" + hashlib.sha256(f"{event_type}{obj.get('id')}{time.time_ns()}".encode()).hexdigest()[:24]
    return json.dumps({"id": event_id, "object": "event", "type": event_type, "api_version": "2024-06-20",
                       "created": int(time.time()) if created is None else created,
                       "data": {"object": obj}, "livemode": False}).encode()


def post_event(client, payload: bytes, *, signature: str | None = None):
    """POST a webhook payload the way Stripe does."""
    return client.post("/payments/stripe/webhook", data=payload,
                       headers={"Stripe-Signature": signature or sign_payload(payload),
                                "Content-Type": "application/json"})
