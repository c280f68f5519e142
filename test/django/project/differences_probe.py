#!/usr/bin/env python3
"""django-axes' side of test/docs/django-differences.test.ts, observed by running django-axes.

    python3 differences_probe.py

Prints one JSON object: what Debian's django-axes 5.39 (Django 3.2) does in the cases where
node-axes differs from it on purpose, each computed by django-axes' own functions under Django's
override_settings. No database is touched (settings.py is given an in-memory SQLite database).
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
}
json.dump(observed, sys.stdout)
sys.stdout.write("\n")
