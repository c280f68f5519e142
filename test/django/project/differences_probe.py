#!/usr/bin/env python3
"""django-axes' side of test/docs/django-differences.test.ts, observed by running django-axes.

    python3 differences_probe.py

Prints one JSON object: what Debian's django-axes 5.39 (Django 3.2) does in the cases where
node-axes differs from it on purpose, each computed by django-axes' own functions under Django's
override_settings (get_lockout_response, get_cool_off, is_ip_address_in_whitelist,
get_client_cache_key on an unsaved AccessAttempt, AxesProxyHandler.is_allowed, get_client_str). No database is touched (settings.py is given an
in-memory SQLite database).
"""

import json
import os
import sys
from datetime import timedelta

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
os.environ.setdefault("AXES_DJANGO_DATABASE", ":memory:")

import django  # noqa: E402

django.setup()

from django.test import RequestFactory  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from axes import helpers  # noqa: E402
from axes.handlers.proxy import AxesProxyHandler  # noqa: E402
from axes.models import AccessAttempt  # noqa: E402


def lockout(headers=None, **settings):
    """get_lockout_response for a login POST by alice, under the given AXES_* settings."""
    request = RequestFactory().post(
        "/login/", data={"username": "alice", "password": "wrong"}, **(headers or {})
    )
    request.axes_attempt_time = None
    with override_settings(**settings):
        response = helpers.get_lockout_response(request, {"username": "alice"})
    return {
        "status": response.status_code,
        "headers": {name.lower(): value for name, value in response.items()},
        "body": response.content.decode(),
    }


def cooloff(value):
    with override_settings(AXES_COOLOFF_TIME=value):
        delta = helpers.get_cool_off()
    return None if delta is None else delta.total_seconds()


def whitelisted(ip, whitelist):
    with override_settings(AXES_IP_WHITELIST=whitelist):
        return helpers.is_ip_address_in_whitelist(ip)


def cache_keys(username, ip, **settings):
    """The cache handler's keys for a client (an unsaved AccessAttempt: no database)."""
    with override_settings(**settings):
        attempt = AccessAttempt(username=username, ip_address=ip, user_agent="ua")
        return helpers.get_client_cache_key(attempt)


def allowed_while_disabled():
    """is_allowed for a blacklisted IP with AXES_ENABLED = False (answered before any count)."""
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.1")
    with override_settings(AXES_ENABLED=False, AXES_IP_BLACKLIST=["10.0.0.1"]):
        return AxesProxyHandler.is_allowed(request, {"username": "alice"})


def client_str(username):
    request = RequestFactory().post("/login/")
    with override_settings(AXES_VERBOSE=True):
        return helpers.get_client_str(username, "10.0.0.1", "ua", "/login/", request)


XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ORIGIN": "https://evil.example"}
ORIGINS = ["https://app.example", "https://admin.example"]

observed = {
    "cors_list_xhr": lockout(XHR, AXES_ALLOWED_CORS_ORIGINS=ORIGINS),
    "cors_string_xhr": lockout(XHR, AXES_ALLOWED_CORS_ORIGINS="https://app.example"),
    "redirect_with_query": lockout(AXES_LOCKOUT_URL="/locked?next=%2Fhome"),
    "accept_json": lockout({"HTTP_ACCEPT": "application/json"}),
    "xhr_context": lockout(
        {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}, AXES_COOLOFF_TIME=timedelta(minutes=90)
    ),
    "cooloff_true_seconds": cooloff(True),
    "whitelist_cidr": whitelisted("10.1.2.3", ["10.0.0.0/8"]),
    "whitelist_ipv6_forms": whitelisted("2001:db8::1", ["2001:DB8:0:0:0:0:0:1"]),
    "whitelist_exact": whitelisted("10.1.2.3", ["10.1.2.3"]),
    # AXES_LOCK_OUT_BY_USER_OR_IP: [username key, IP key] for username "10.1.1.1", and for IP 10.1.1.1.
    "keys_username_ip": cache_keys("10.1.1.1", "10.1.1.2", AXES_LOCK_OUT_BY_USER_OR_IP=True),
    "keys_ip": cache_keys("someone", "10.1.1.1", AXES_LOCK_OUT_BY_USER_OR_IP=True),
    # AXES_LOCK_OUT_BY_COMBINATION_USER_AND_IP: "alice1" at 0.0.0.1 and "alice" at 10.0.0.1.
    "keys_alice1": cache_keys("alice1", "0.0.0.1", AXES_LOCK_OUT_BY_COMBINATION_USER_AND_IP=True),
    "keys_alice": cache_keys("alice", "10.0.0.1", AXES_LOCK_OUT_BY_COMBINATION_USER_AND_IP=True),
    "allowed_while_disabled": allowed_while_disabled(),
    "handler_default": django.conf.settings.AXES_HANDLER,
    "client_str_newline": client_str("eve\nAXES: forged line"),
}
json.dump(observed, sys.stdout)
sys.stdout.write("\n")
