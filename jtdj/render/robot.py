"""A group robot's message as markdown lines: the period report's short form and a unit's
催办 list. Pure: data in, lines out. Two flavours: ``dingtalk`` (plain markdown) and ``wecom``
(its subset, with ``<font color="warning">`` for what is late). The lines are cut to the
platform's size by ``robots.fit``, at a line, so each line stands alone."""

from __future__ import annotations

from jtdj.i18n import t
from jtdj.render.safe import visible

FIRST_DONE = 10  # 本期完成: the first items listed
FIRST_LATE = 3   # 滞后事项: the first items of each unit


def _clean(text) -> str:
    """One line of text: control characters shown, newlines folded, markdown's line marks
    harmless."""
    return " ".join(visible(str(text or "")).split())


def _warn(text: str, flavour: str, bold: bool = True) -> str:
    """What is late, marked: WeCom's warning colour; on DingTalk bold (or, ``bold`` False, as
    it is: a count in a line DingTalk cannot colour)."""
    if flavour == "wecom":
        return f'<font color="warning">{text}</font>'
    return f"**{text}**" if bold else text


def report_title(data: dict) -> str:
    p = data["period"]
    return t("robot.report_title", plan=data["plan"], since=str(p["since"]),
             until=str(p["until"]))


def report_lines(data: dict, flavour: str, first_done: int = FIRST_DONE,
                 first_late: int = FIRST_LATE) -> list[str]:
    """The period report (``bulletin.period_report``'s data) for a group: 总体情况, 本期完成
    (the count and the first items), 滞后事项 per unit — the overdue, then those behind the
    pace of their window, the first few each — and a closing line pointing to the full
    report."""
    end = data["overview"]["end"]
    p = data["period"]
    lines = [f"### {_clean(data['title'])}",
             t("robot.period", since=str(p["since"]), until=str(p["until"]),
               as_of=str(data.get("as_of") or p["until"])), ""]
    overdue = t("robot.overdue", count=end["overdue"])
    lines += [f"#### {t('robot.h_overview')}",
              t("robot.overview", tasks=end["tasks"], done=end["done"],
                percent=end["percent_done"], doing=end["doing"], todo=end["todo"]),
              t("robot.overview_risk",
                overdue=_warn(overdue, flavour) if end["overdue"] else overdue,
                due_soon=end["due_soon"], lagging=end["behind"] + end["far_behind"]), ""]
    done = data.get("completed") or []
    count = len(done) + (data.get("omitted") or {}).get("completed", 0)
    lines.append(f"#### {t('robot.h_completed', count=count)}")
    for row in done[:first_done]:
        lines.append(t("robot.done_row", id=row["id"], title=_clean(row["title"]),
                       owner=_clean(row.get("owner") or t("robot.no_owner")),
                       on=row.get("on") or ""))
    if count > first_done and done:
        lines.append(t("robot.more", count=count - min(first_done, len(done))))
    if not done:
        lines.append(t("robot.none"))
    lines += ["", f"#### {t('robot.h_late')}"]
    groups = data["late"] if "late" in data else data.get("overdue") or []
    for group in groups:
        tasks = group.get("tasks") or []
        total = len(tasks) + (group.get("omitted") or 0)
        owner = _clean(group.get("owner") or t("robot.no_owner"))
        lines.append(t("robot.late_unit", unit=owner,
                       count=_warn(str(total), flavour, bold=False)))
        for row in tasks[:first_late]:
            lines.append(t("robot.late_row", id=row["id"], title=_clean(row["title"]),
                           due=row.get("due") or "", days=row.get("days") or 0))
        if total > first_late:
            lines.append(t("robot.more_late", count=total - min(first_late, len(tasks))))
    behind = [g for g in data.get("lagging") or [] if g.get("tasks")]
    for group in behind:  # behind the pace of their window (序时进度), per unit too
        tasks = group["tasks"]
        total = len(tasks) + (group.get("omitted") or 0)
        owner = _clean(group.get("owner") or t("robot.no_owner"))
        lines.append(t("robot.behind_unit", unit=owner, count=total))
        for row in tasks[:first_late]:
            lines.append(t("robot.behind_row", id=row["id"], title=_clean(row["title"]),
                           expected=row.get("expected_percent") or 0,
                           percent=row.get("percent") or 0))
        if total > first_late:
            lines.append(t("robot.more_late", count=total - min(first_late, len(tasks))))
    if not groups and not behind:
        lines.append(t("robot.none"))
    lines += ["", t("robot.closing")]
    return lines


def urge_title(d: dict) -> str:
    return t("robot.urge_title", unit=d["unit"], count=len(d["rows"]))


def urge_lines(d: dict, flavour: str) -> list[str]:
    """One unit's 催办 list (``urge.Notice.data``) for its group."""
    from jtdj.render.urge import days_text

    lines = [f"### {_clean(urge_title(d))}",
             t("robot.urge_intro", plan=_clean(d["plan_title"]), count=len(d["rows"]),
               reply_by=d["reply_by"]), ""]
    for row in d["rows"]:
        if row.get("ongoing"):
            when = t("light.quiet")
        elif row.get("days") is not None:
            when = days_text(row["days"])
            if row["days"] > 0:
                when = _warn(when, flavour)
        else:
            when = ""
        title = _clean(row["title"]) + (f"（{row['period']}）" if row.get("period") else "")
        lines.append(t("robot.urge_row", id=row["id"], title=title,
                       due=row.get("due") or t("word.ongoing"), when=when))
    lines += ["", t("robot.urge_closing", reply_by=d["reply_by"])]
    return lines


def urge_mention(d: dict) -> str:
    """WeCom's follow-up text that carries the mentions."""
    return t("robot.urge_mention", unit=d["unit"], count=len(d["rows"]), reply_by=d["reply_by"])
