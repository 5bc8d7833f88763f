"""`jtdj serve`: the read-only web view (Datasette), an optional extra (`pip install 'jtdj[web]'`).

Datasette is imported only here, and only once the options are checked: a missing extra is a
one-line error, a non-loopback --host without [serve] password_hash is refused before anything
starts, and --check prints the URL and the pages without starting.
"""

import sys
from typing import Annotated

import typer

from jtdj.cli.app import AsOf, PlanKey, app, session_of
from jtdj.i18n import t


@app.command("serve", help=t("help.cmd.serve"))
def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", metavar=t("metavar.host"),
                                      help=t("help.opt.serve_host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar=t("metavar.port"), min=1, max=65535,
                                      help=t("help.opt.serve_port"))] = 8001,
    check: Annotated[bool, typer.Option("--check", help=t("help.opt.serve_check"))] = False,
    hash_password: Annotated[bool, typer.Option("--hash-password",
                                                help=t("help.opt.serve_hash_password"))] = False,
    as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj.errors import UsageError

    session = session_of(ctx, as_of, plan)
    try:
        from jtdj.web import server
    except ImportError:
        raise UsageError(t("serve.no_extra")) from None
    if hash_password:
        if sys.stdin.isatty():
            password = typer.prompt(t("serve.password_prompt"), hide_input=True,
                                    confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        session.out(server.hash_password(password) + "\n")
        return
    conf = session.settings.config.get("serve") or {}
    password_hash = conf.get("password_hash") or None
    user = conf.get("user") or server.DEFAULT_USER
    server.check_host(host, password_hash)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    plan_key = session.plan_key()
    if check:
        lines = [t("serve.check_url", url=url + "/")]
        if password_hash:
            lines.append(t("serve.check_auth", user=user))
        lines += [f"{what}\t{link}" for what, link in server.pages(url, plan_key)]
        session.out("\n".join(lines) + "\n")
        return
    from jtdj import config as cfg

    web = server.Web(session.settings.db_path, session.settings.config, plan_key,
                     session.today if session.settings.today_fixed else None, cfg.clock,
                     session.notice)
    session.store.close()  # the server reads the ledger read-only, never through this one
    ds = server.build(web, password_hash, user)
    session.notice(t("serve.starting", url=url + "/"))
    server.run(ds, host, port)
