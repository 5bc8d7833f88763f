"""jtdj's Datasette plugin: the first page, the latest 周报, robots.txt, and the copy kept fresh.

The pages are computed by the core over the ledger opened read-only (``web.data.open_ledger``)
for the day asked (``?as_of=YYYY-MM-DD``, history-true as `jtdj summary --as-of`), off the
event loop; every word is the catalogue's.
"""

from __future__ import annotations

import asyncio
import time

from datasette import hookimpl
from datasette.utils.asgi import Response

from jtdj.errors import JtdjError
from jtdj.i18n import t

ROBOTS = "User-agent: *\nDisallow: /\n"


def _web(datasette):
    return datasette.jtdj_web


def _day(request, web):
    """The day asked for (``as_of``), read as `--as-of` reads it; else the server's day."""
    from jtdj.parse import parse_date

    text = (request.args.get("as_of") or "").strip()
    return parse_date(text, web.today(), "as_of") if text else web.today()


async def _computed(request, datasette, compute):
    """``compute(web, day)`` for the day asked, off the event loop; a bad day (or a ledger that
    cannot be read) is a one-line 400, as the CLI says it."""
    web = _web(datasette)
    try:
        return None, await asyncio.to_thread(compute, web, _day(request, web))
    except JtdjError as exc:
        return Response.text(t("error.prefix") + exc.message, status=400), None


async def home(request, datasette):
    from jtdj.web import home as page

    refused, context = await _computed(request, datasette, page.context)
    return refused or Response.html(await datasette.render_template(
        "jtdj_home.html", context, request=request))


async def weekly(request, datasette):
    """The 周报 of the week of the day asked, as `jtdj report --week --format html` makes it."""
    from jtdj.web import home as page

    refused, html = await _computed(request, datasette, page.weekly_html)
    return refused or Response.html(html)


async def robots(request, datasette):
    return Response.text(ROBOTS)


@hookimpl
def register_routes():
    return [(r"^/$", home), (r"^/-/weekly$", weekly), (r"^/robots\.txt$", robots)]


@hookimpl
def asgi_wrapper(datasette):
    """Before each request: only GET and HEAD (a read-only view: anything else is 405, before
    Datasette sees it), and a new copy if the ledger or the day changed; after: robots are told
    not to index (X-Robots-Tag)."""
    def wrap(app):
        async def fresh(scope, receive, send):
            if scope["type"] == "http":
                if scope.get("method", "GET") not in ("GET", "HEAD"):
                    return await Response.text(t("serve.read_only"), status=405,
                                               headers={"allow": "GET, HEAD"}).asgi_send(send)
                web = getattr(datasette, "jtdj_web", None)
                if web is not None:
                    await asyncio.to_thread(web.refresh, time.monotonic())

                async def send_noindex(message):
                    if message["type"] == "http.response.start":
                        headers = list(message.get("headers") or [])
                        headers.append((b"x-robots-tag", b"noindex, nofollow"))
                        message = {**message, "headers": headers}
                    await send(message)

                return await app(scope, receive, send_noindex)
            return await app(scope, receive, send)
        return fresh
    return wrap
