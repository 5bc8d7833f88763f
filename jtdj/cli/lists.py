"""Commands that read tasks: list, tree, show, history.

Each parses its options, calls one function of the core and hands the result to
``Session.show`` (the changing commands are in ``tasks``).
"""

from typing import Annotated, Optional

import typer

from jtdj.cli.app import (Archived, AsOf, DueBefore, DueWithin, Format, Ids, ItemOpt, Lagging,
                          Overdue, Owner, PlanKey, Search, Section, SortBy, Status, Tag,
                          Unassigned, _complete_ids, app, session_of, task_filter)
from jtdj.i18n import t


@app.command("list", help=t("help.cmd.list"))
def list_cmd(
    ctx: typer.Context, section: Section = None, item: ItemOpt = None, owner: Owner = None,
    unassigned: Unassigned = False, status: Status = None, overdue: Overdue = False,
    due_before: DueBefore = None, due_within: DueWithin = None, search: Search = None,
    tag: Tag = None, archived: Archived = False, lagging: Lagging = False,
    sort: Annotated[SortBy, typer.Option("--sort", help=t("help.opt.sort"))] = SortBy.id,
    fmt: Format = None, as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj.render.tasks import task_list

    session = session_of(ctx, as_of, plan)
    f = task_filter(session, section, item, owner, unassigned, status, overdue, due_before,
                    due_within, search, tag, archived, lagging)
    fmt = session.format("records", fmt)
    day = session.today.isoformat()
    caption = lambda count: t("list.footer", count=count, as_of=day)  # noqa: E731
    if f.owner:  # the tasks the unit leads and its own shares, each with its role
        from jtdj import unit_list
        from jtdj.render.unit_list import owner_list

        rows = unit_list.owner_list(session.store, session.plan_key(), f, session.today,
                                    sort.value)
        session.show("records", fmt, owner_list(rows, caption))
        return
    rows = session.store.task_stream(session.plan_key(), f, session.today, sort=sort.value)
    session.show("records", fmt, task_list(rows, caption))  # rows stream unless it is a table


@app.command("tree", help=t("help.cmd.tree"))
def tree_cmd(
    ctx: typer.Context, section: Section = None, item: ItemOpt = None, owner: Owner = None,
    unassigned: Unassigned = False, status: Status = None, overdue: Overdue = False,
    due_before: DueBefore = None, due_within: DueWithin = None, search: Search = None,
    tag: Tag = None, archived: Archived = False, lagging: Lagging = False, fmt: Format = None,
    as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj import views
    from jtdj.render.tasks import Tree

    session = session_of(ctx, as_of, plan)
    f = task_filter(session, section, item, owner, unassigned, status or "all",
                    overdue, due_before, due_within, search, tag, archived, lagging)
    fmt = session.format("tree", fmt)
    plan_key = session.plan_key()
    nodes = views.tree(session.store, plan_key, f, session.today)
    session.show("tree", fmt, Tree(session.store.plan(plan_key)["title"], nodes))


@app.command("show", help=t("help.cmd.show"))
def show_cmd(ctx: typer.Context, ids: Ids, fmt: Format = None, as_of: AsOf = None,
             plan: PlanKey = None) -> None:
    from jtdj import actions, views
    from jtdj.parse import parse_refs

    session = session_of(ctx, as_of, plan)
    fmt = session.format("detail", fmt)
    refs = parse_refs(ids)
    actx = session.action_context()
    actions.resolve(actx, refs, expand_items=False, series=True)  # unknown ids fail together
    # a recurring task itself (its occurrences listed), or the occurrence of ``@period``
    details = [views.item_detail(session.store, actx.plan, ref.item, session.today) if ref.is_item
               else views.task_detail(session.store, actx.plan, actions.resolve(
                   actx, [ref], expand_items=False, series=True)[0], session.today)
               for ref in refs]
    session.show("detail", fmt, details[0] if len(details) == 1 else details)


@app.command("history", help=t("help.cmd.history"))
def history_cmd(
    ctx: typer.Context,
    id: Annotated[Optional[str], typer.Argument(metavar=t("metavar.id_optional"), help=t("help.arg.id"),
                                                autocompletion=_complete_ids)] = None,
    since: Annotated[Optional[str], typer.Option("--since", metavar=t("metavar.date"), help=t("help.opt.since"))] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help=t("help.opt.limit"))] = None,
    each: Annotated[bool, typer.Option("--all", help=t("help.opt.all"))] = False,
    fmt: Format = None, as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj import actions, views
    from jtdj.parse import parse_date, parse_ref

    session = session_of(ctx, as_of, plan)
    fmt = session.format("history", fmt)
    ctx_ = session.action_context()
    target = None
    if id is not None:
        ref = parse_ref(id)
        target = actions.resolve(ctx_, [ref], expand_items=False, series=True)[0]
    first = parse_date(since, session.today, "--since") if since else None
    session.show("history", fmt, views.HistoryLog(session.store, ctx_.plan, target, first,
                                                  limit, each))


