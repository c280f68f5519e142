#!/usr/bin/env python3
"""django-axes' side of node-axes' shared-database test: a small manage.py of its own.

    AXES_DJANGO_DATABASE=/tmp/x/db.sqlite3 python3 axes_side.py COMMAND [ARGS]

Commands (each prints one JSON value on stdout):

    migrate [MIGRATE_ARGS...]        Django's own migrate (e.g. --fake-initial); prints the
                                     migrations Django has recorded as applied, per app
    fail USERNAME IP [--user-agent UA | --no-user-agent] [--null-username] [--times N]
         [--query K=V]... [--hold [--hold-timeout S]]
                                     N failed logins (default 1), the way a Django login view
                                     makes them: django.contrib.auth.authenticate() with a wrong
                                     password and AxesBackend first, so django-axes' signal
                                     handler writes the row. --hold: each in a transaction that
                                     prints {"held": true} once django-axes has written, and
                                     commits when a line (or EOF) arrives on stdin, or after S
                                     seconds (default 30)
    failures USERNAME IP [--user-agent UA | --no-user-agent] [--null-username]
                                     the count django-axes' handler computes
                                     (AxesProxyHandler.get_failures)
    locked USERNAME IP [--user-agent UA | --no-user-agent] [--null-username]
                                     whether django-axes refuses the client (not is_allowed)
    dump                             the axes_accessattempt rows as the ORM reads them, plus the
                                     text the database holds for attempt_time
    clean-ip IP...                   each address as Django stores it in a GenericIPAddressField
    version                          django-axes', Django's and Python's versions

Debian 12: python3-django-axes 5.39 and python3-django 3.2 (apt-get install python3-django-axes
python3-psycopg2 python3-mysqldb).
"""

import argparse
import json
import os
import select
import sys
from urllib.parse import urlencode

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import authenticate  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from axes.handlers.proxy import AxesProxyHandler  # noqa: E402
from axes.helpers import get_credentials  # noqa: E402
from axes.models import AccessAttempt  # noqa: E402

DEFAULT_USER_AGENT = "node-axes-interop/1.0"
LOGIN_PATH = "/login/"


def request_for(ip, user_agent, username=None, query=None):
    """A login POST as a browser sends it; REMOTE_ADDR is the client (no proxy), '' for none."""
    path = LOGIN_PATH
    if query:
        path = f"{LOGIN_PATH}?{urlencode(query)}"
    data = {"password": "wrong"} if username is None else {"username": username, "password": "wrong"}
    meta = {"REMOTE_ADDR": ip, "HTTP_ACCEPT": "text/html"}
    if user_agent is not None:
        meta["HTTP_USER_AGENT"] = user_agent
    return RequestFactory().post(path, data=data, **meta)


def cmd_migrate(args):
    from django.db.migrations.recorder import MigrationRecorder

    # Django's own report goes to stderr; stdout stays one JSON value.
    call_command("migrate", *args.rest, interactive=False, verbosity=1, stdout=sys.stderr)
    applied = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def cmd_fail(args):
    results = []
    query = dict(item.split("=", 1) for item in args.query)
    for _ in range(args.times):
        request = request_for(args.ip, args.user_agent, args.username, query)
        with transaction.atomic():
            user = authenticate(request, username=args.username, password="wrong")
            if args.hold:
                # django-axes' write is done but not committed: say so, and commit when stdin
                # says so (a line, or EOF) or after --hold-timeout seconds, whichever comes first,
                # so that a test can write at this very moment.
                print(json.dumps({"held": True}), flush=True)
                select.select([sys.stdin], [], [], args.hold_timeout)
        results.append(
            {
                "user": None if user is None else user.get_username(),
                "locked_out": bool(getattr(request, "axes_locked_out", False)),
                "failures": getattr(request, "axes_failures_since_start", None),
            }
        )
    return results


def cmd_failures(args):
    request = request_for(args.ip, args.user_agent, args.username)
    return AxesProxyHandler.get_failures(request, get_credentials(args.username))


def cmd_locked(args):
    request = request_for(args.ip, args.user_agent, args.username)
    return not AxesProxyHandler.is_allowed(request, get_credentials(args.username))


def cmd_dump(args):
    raw_time = {
        "postgresql": "attempt_time::text",
        "mysql": "CAST(attempt_time AS CHAR)",
    }.get(connection.vendor, "CAST(attempt_time AS TEXT)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {raw_time} FROM axes_accessattempt")
        raw = dict(cursor.fetchall())
    rows = []
    for attempt in AccessAttempt.objects.order_by("id"):
        rows.append(
            {
                "id": attempt.id,
                "username": attempt.username,
                "ip_address": attempt.ip_address,
                "user_agent": attempt.user_agent,
                "http_accept": attempt.http_accept,
                "path_info": attempt.path_info,
                "attempt_time": attempt.attempt_time.isoformat(),
                "attempt_time_utcoffset": attempt.attempt_time.utcoffset().total_seconds(),
                "attempt_time_raw": raw[attempt.id],
                "get_data": attempt.get_data,
                "post_data": attempt.post_data,
                "failures_since_start": attempt.failures_since_start,
            }
        )
    return rows


def cmd_clean_ip(args):
    from django.db.models import GenericIPAddressField

    field = GenericIPAddressField(null=True)
    return [field.get_prep_value(ip) for ip in args.ips]


def cmd_version(args):
    import axes

    return {
        "axes": getattr(axes, "__version__", None),
        "django": django.get_version(),
        "python": sys.version.split()[0],
        "vendor": connection.vendor,
    }


def main(argv):
    parser = argparse.ArgumentParser(prog="axes_side.py")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="Django's migrate; any further arguments are its own")

    for name, run in (("fail", cmd_fail), ("failures", cmd_failures), ("locked", cmd_locked)):
        command = commands.add_parser(name)
        command.add_argument("username")
        command.add_argument("ip")
        command.add_argument("--user-agent", default=DEFAULT_USER_AGENT)
        # No User-Agent header at all (django-axes then stores "<unknown>").
        command.add_argument("--no-user-agent", dest="user_agent", action="store_const", const=None)
        # No username at all (stored as NULL), whatever USERNAME says.
        command.add_argument("--null-username", action="store_true")
        if name == "fail":
            command.add_argument("--times", type=int, default=1)
            command.add_argument("--query", action="append", default=[])
            command.add_argument("--hold", action="store_true")
            command.add_argument("--hold-timeout", type=float, default=30.0)
        command.set_defaults(run=run)

    commands.add_parser("dump").set_defaults(run=cmd_dump)
    clean_ip = commands.add_parser("clean-ip")
    clean_ip.add_argument("ips", nargs="+")
    clean_ip.set_defaults(run=cmd_clean_ip)
    commands.add_parser("version").set_defaults(run=cmd_version)

    # migrate passes its options through to Django's (argparse would take --fake-initial as its own).
    if argv[:1] == ["migrate"]:
        args = argparse.Namespace(run=cmd_migrate, rest=argv[1:])
    else:
        args = parser.parse_args(argv)
    if getattr(args, "null_username", False):
        args.username = None
    json.dump(args.run(args), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
