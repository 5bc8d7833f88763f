"""The body of each command: call the core, hand the result to a renderer, say what happened.

Kept apart from ``cli.py`` so the option declarations stay short and typer stays out of here.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from jtdj import render
from jtdj.errors import NotFound, UsageError
from jtdj.i18n import t
from jtdj.render import Column
from jtdj.session import Session

LIST_KEYS = ("id", "item", "section", "title", "status", "owner", "support", "due", "start",
             "when", "done_on", "percent", "tags", "light")
LIST_COLUMNS = [
    Column("id", "col.id", no_wrap=True),
    Column("title", "col.task", min_width=12, ratio=1),
    Column("owner", "col.owner", max_width=12),
    Column("due", "col.due", no_wrap=True),
    Column("status", "col.status", no_wrap=True),
    Column("light", "col.light", no_wrap=True),
]


# --- plans and the database ------------------------------------------------------------------

def import_plan(session: Session, file: Path | None, dry_run: bool) -> None:
    from jtdj import importer
    from jtdj.plan import load_plan

    path = file if file is not None else importer.bundled_plan_path()
    plan = load_plan(path)  # validates everything before the database is touched
    if not dry_run and session.store.has_plans():
        from jtdj.safety import auto_backup

        auto_backup(session.store)
    result = importer.import_plan(session.store, plan, str(path), session.settings.actor,
                                  session.today, dry_run=dry_run)
    if dry_run:
        for change in result.changes:
            fields = t("list.sep").join(t(f"field.{name}") for name in change.fields)
            session.out(t(f"import.would_{change.kind}", id=change.task_id, fields=fields) + "\n")
    counts = dict(added=result.added, changed=result.changed, archived=result.archived,
                  unchanged=result.unchanged, key=plan.key)
    session.notice(t("import.dry_run_counts" if dry_run else "import.counts", **counts))
    if result.state_kept:
        session.notice(t("import.state_kept", count=result.state_kept))
    if result.made_current and not dry_run:
        session.confirm(t("import.now_current", key=plan.key))


def plans(session: Session, fmt) -> None:
    fmt = session.format(fmt)
    current = session.store.setting("current_plan")
    records = [{**p, "current": p["key"] == current} for p in session.store.plans()]
    keys = ("key", "title", "doc_no", "issued", "due", "tasks", "current", "imported_at", "source")
    columns = [Column("current", "col.current", no_wrap=True), Column("key", "col.key", no_wrap=True),
               Column("title", "col.title", ratio=1), Column("tasks", "col.tasks", justify="right"),
               Column("imported_at", "col.imported_at")]
    _emit(session, records, fmt, columns, keys,
          value=lambda k, v: ("*" if v else "") if k == "current" else render.human_value(k, v))


def use(session: Session, key: str) -> None:
    store = session.store
    if store.plan(key) is None:
        known = ", ".join(p["key"] for p in store.plans()) or "-"
        raise NotFound(t("error.unknown_plan", key=key, known=known))
    with store.transaction():
        store.set_setting("current_plan", key)
    session.confirm(t("use.done", key=key))


def paths(session: Session, fmt) -> None:
    s = session.settings
    records = [{"name": name, "path": str(path), "exists": Path(path).exists()} for name, path in (
        ("database", s.db_path), ("config", s.config_path), ("outbox", s.outbox_dir),
        ("backups", s.backups_dir))]
    columns = [Column("name", "col.name", no_wrap=True), Column("path", "col.path", ratio=1),
               Column("exists", "col.exists", no_wrap=True)]
    _emit(session, records, session.format(fmt), columns, ("name", "path", "exists"),
          value=lambda k, v: (t("word.yes") if v else t("word.no")) if k == "exists"
          else t(f"path.{v}") if k == "name" else str(v))


# --- reading ---------------------------------------------------------------------------------

def list_tasks(session: Session, f, sort: str, fmt) -> None:
    fmt = session.format(fmt)
    plan = session.plan_key()
    records = session.store.select_tasks(plan, f, session.today, sort=sort)
    caption = t("list.footer", count=len(records), as_of=session.today.isoformat())
    _emit(session, records, fmt, LIST_COLUMNS, LIST_KEYS, caption=caption)


def tree(session: Session, f, fmt) -> None:
    from jtdj import views

    fmt = session.format(fmt)
    plan = session.plan_key()
    nodes = views.tree(session.store, plan, f, session.today)
    if fmt == "json":
        session.out(render.to_json(
            [{**s, "items": [{**i, "tasks": [_pick(r, LIST_KEYS) for r in i["tasks"]]}
                             for i in s["items"]]} for s in nodes]))
        return
    rows = []
    for s in nodes:
        rows.append({"kind": "section", "id": str(s["section"]), "title": s["title"],
                     **_pick(s, ("done", "total", "dropped", "percent"))})
        for i in s["items"]:
            rows.append({"kind": "item", "id": i["id"], "title": i["title"],
                         **_pick(i, ("done", "total", "dropped", "percent"))})
            for r in i["tasks"]:
                rows.append({"kind": "task", "id": r["id"], "title": r["title"],
                             "status": r["status"], "owner": r["owner"], "due": r["due"],
                             "light": r["light"]})
    keys = ("kind", "id", "title", "done", "total", "dropped", "percent", "status", "owner", "due",
            "light")
    if fmt in ("csv", "tsv"):
        session.out(render.render_records(rows, fmt, [], keys))
    elif fmt == "md":
        session.out(_tree_markdown(nodes))
    else:
        session.console().print(_tree_rich(nodes, session))


def _progress_label(node: dict) -> str:
    return f"[{node['done']}/{node['total'] - node['dropped']}] {node['percent']}%"


def _tree_markdown(nodes) -> str:
    lines = []
    for s in nodes:
        lines.append(f"- **{render.section_label(s['section'])} {render.md_escape(s['title'])}** "
                     f"{_progress_label(s)}")
        for i in s["items"]:
            lines.append(f"  - **{i['id']}. {render.md_escape(i['title'])}** {_progress_label(i)}")
            for r in i["tasks"]:
                mark = "x" if r["status"] == "done" else " "
                owner = f" — {r['owner']}" if r["owner"] else ""
                lines.append(f"    - [{mark}] {r['id']} {render.md_escape(r['title'])}{owner} "
                             f"({render.status_word(r['status'])}, {r['due'] or '—'})")
    return "\n".join(lines) + "\n"


def _tree_rich(nodes, session):
    from rich.text import Text
    from rich.tree import Tree

    plan = session.store.plan(session.plan_key())
    root = Tree(Text(plan["title"], style="bold"))
    for s in nodes:
        branch = root.add(render.Wrapped(Text(f"{render.section_label(s['section'])} {s['title']} ")
                                         + Text(_progress_label(s), style="cyan")))
        for i in s["items"]:
            leaf = branch.add(render.Wrapped(Text(f"{i['id']}. {i['title']} ")
                                             + Text(_progress_label(i), style="cyan")))
            for r in i["tasks"]:
                leaf.add(_tree_task(r))
    return root


def _tree_task(r: dict):
    """One task of the tree: id and light, then the title wrapped under itself."""
    from rich.table import Table
    from rich.text import Text

    head = Text(f"{r['id']} ")
    head.append(render.light_word(r["light"]), style=render.LIGHT_STYLE[r["light"]])
    body = Text(r["title"])
    extra = " · ".join(x for x in (r["owner"], r["due"], render.status_word(r["status"])) if x)
    body.append(f"（{extra}）", style="dim")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(head, render.Wrapped(body))
    return grid


def show(session: Session, raw_id: str, fmt) -> None:
    from jtdj import views
    from jtdj.actions import resolve
    from jtdj.ids import parse_ref

    fmt = session.format(fmt)
    ref = parse_ref(raw_id)
    ctx = session.action_context()
    resolve(ctx, [ref], expand_items=False)
    if ref.is_item:
        detail = views.item_detail(session.store, ctx.plan, ref.item, session.today)
    else:
        detail = views.task_detail(session.store, ctx.plan, str(ref), session.today)
    if fmt == "json":
        session.out(render.to_json(detail))
        return
    if fmt in ("csv", "tsv"):
        fields = [{"field": k, "value": render.machine_value(v, "; ")}
                  for k, v in detail.items() if k not in ("tasks", "notes", "history")]
        session.out(render.render_records(fields, fmt, [], ("field", "value")))
        return
    from jtdj import detail_view

    if fmt == "md":
        session.out(detail_view.markdown(detail))
    else:
        detail_view.print_rich(session.console(), detail)


def history(session: Session, raw_id: str | None, since: str | None, limit: int | None,
            fmt) -> None:
    from jtdj import views
    from jtdj.dates import parse_date

    fmt = session.format(fmt)
    ctx = session.action_context()
    target = None
    if raw_id is not None:
        from jtdj.actions import resolve
        from jtdj.ids import parse_ref

        ref = parse_ref(raw_id)
        resolve(ctx, [ref], expand_items=False)
        target = str(ref)
    # --since DATE includes that day (the store's `since` is exclusive)
    since_date = parse_date(since, session.today, "--since") - timedelta(days=1) if since else None
    records = [views.event_record(e) for e in session.store.events(
        ctx.plan, target, since=since_date, limit=limit)]
    keys = ("id", "at", "on", "actor", "target", "action", "field", "old", "new", "note", "batch")
    columns = [Column("on", "col.on", no_wrap=True), Column("actor", "col.actor", max_width=10),
               Column("target", "col.id", no_wrap=True), Column("action", "col.action", no_wrap=True),
               Column("change", "col.change", ratio=1)]

    def value(key, v):
        return render.human_value(key, v)

    shown = [{**r, "action": t(f"action.{r['action']}"), "change": _change_text(r)} for r in records]
    if fmt in ("table", "md"):
        _emit(session, shown, fmt, columns, keys, value=value,
              caption=t("history.footer", count=len(records)))
    else:
        _emit(session, records, fmt, columns, keys)


def _event_value(field: str, value: str | None) -> str:
    if value is None or value in ("", "[]"):
        return "—"
    if field == "status":
        return render.status_word(value)
    if field in ("support", "tags", "evidence") and value.startswith("["):  # lists kept as JSON
        import json

        return t("list.sep").join(json.loads(value))
    return value


def _change_text(e: dict) -> str:
    parts = []
    if e["field"]:
        old, new = _event_value(e["field"], e["old"]), _event_value(e["field"], e["new"])
        parts.append(f"{t('field.' + e['field'])}: {old} → {new}")
    if e["note"]:
        parts.append(e["note"])
    return "; ".join(parts)


# --- changing --------------------------------------------------------------------------------

def change(session: Session, action: str, raw_ids: list[str], **options) -> None:
    from jtdj import actions
    from jtdj.dates import parse_date
    from jtdj.ids import parse_refs

    refs = parse_refs(raw_ids)  # all ids are checked before anything is changed
    if "on" in options:
        options["on"] = parse_date(options["on"], session.today, "--on") if options["on"] else None
    if action == "due":
        options["due"] = parse_date(options["due"], session.today, "DATE")
    ctx = session.action_context()
    ids = actions.resolve(ctx, refs)
    if not ids:
        raise NotFound(t("error.no_tasks", ids=", ".join(raw_ids)))
    outcome = getattr(actions, {"due": "set_due"}.get(action, action))(ctx, ids, **options)
    if outcome.unchanged:
        session.notice(t(f"change.already.{action}", ids=", ".join(outcome.unchanged)))
    if outcome.changed:
        session.confirm(t(f"change.done.{action}", ids=", ".join(outcome.changed),
                          count=len(outcome.changed)))


def note(session: Session, raw_id: str, text: str, percent: int | None) -> None:
    from jtdj import actions
    from jtdj.ids import parse_ref

    ref = parse_ref(raw_id)
    ctx = session.action_context()
    actions.resolve(ctx, [ref], expand_items=False)
    actions.add_note(ctx, str(ref), text, percent)
    session.confirm(t("note.done", id=str(ref)))


def add(session: Session, raw_item: str, title: str, due: str | None, when: str | None,
        owner: str | None) -> None:
    from jtdj import actions
    from jtdj.dates import parse_date
    from jtdj.ids import parse_ref

    ref = parse_ref(raw_item)
    if not ref.is_item:
        raise UsageError(t("error.expected_item", value=raw_item))
    due_date = parse_date(due, session.today, "--due") if due else None
    task_id = actions.add_task(session.action_context(), ref.item, title, due_date, when, owner)
    session.out(task_id + "\n")
    session.confirm(t("add.done", id=task_id))


# --- shared ----------------------------------------------------------------------------------

def _pick(record: dict, keys) -> dict:
    return {k: record.get(k) for k in keys}


def _emit(session: Session, records, fmt: str, columns, keys, caption: str | None = None,
          value=render.human_value) -> None:
    if fmt == "table":
        session.console().print(render.rich_table(records, columns, caption=caption, value=value))
    elif fmt == "md":
        session.out(render.to_markdown(records, columns, value=value))
    else:
        session.out(render.render_records(records, fmt, columns, keys))  # it picks the keys
