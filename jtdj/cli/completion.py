"""Tab completion: ids and unit names from the database, read-only.

Completion runs inside the user's shell on every Tab: it opens the database with ``mode=ro``
(never creating, migrating or writing it) and on any error completes nothing and prints nothing.
"""

from jtdj.cli.session import Session


def _read(query) -> list[str]:
    try:
        session = Session.from_options()
        if not session.settings.db_path.exists():
            return []
        from jtdj.store import Store

        store = Store.open_read_only(session.settings.db_path)
        try:
            key = session.settings.plan_key or store.setting("current_plan")
            return query(store, key) if key and store.plan(key) else []
        finally:
            store.close()
    except Exception:  # completion must never print a traceback into the shell
        return []


def ids() -> list[str]:
    return _read(lambda store, key: [str(i["no"]) for i in store.items(key)]
                 + store.task_ids(key, include_archived=False))


def owners() -> list[str]:
    return _read(lambda store, key: store.owners(key))
