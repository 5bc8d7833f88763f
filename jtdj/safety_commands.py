"""The bodies of `undo`, `backup` and `restore`."""

from __future__ import annotations

import sys
from pathlib import Path

from jtdj import safety
from jtdj.errors import UsageError
from jtdj.i18n import t
from jtdj.session import Session


def undo(session: Session) -> None:
    plan = session.plan_key(reading=False)
    result = safety.undo(session.store, plan, session.settings.actor, session.today)
    actions = t("list.sep").join(t(f"action.{a}") for a in result.actions)
    targets = ", ".join(result.targets[:12]) + (" …" if len(result.targets) > 12 else "")
    session.notice(t("undo.done", actions=actions, count=len(result.targets), targets=targets,
                     at=result.at))


def backup(session: Session, path: Path | None) -> None:
    dest = safety.backup(session.store, path)
    session.out(f"{dest}\n")
    session.confirm(t("backup.done", path=dest))


def restore(session: Session, path: Path, yes: bool) -> None:
    info = safety.check_backup(path)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(t("restore.need_yes", path=path))
        answer = input(t("restore.confirm", path=path, tasks=info["tasks"],
                         plans=", ".join(info["plans"]) or "-", db=session.settings.db_path) + " ")
        if answer.strip().lower() not in ("y", "yes", "是", "好"):
            session.notice(t("restore.cancelled"))
            return
    safety_copy = safety.restore(session.store, path)
    session.notice(t("restore.done", path=path, copy=safety_copy))
