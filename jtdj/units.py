"""The register of units (单位库): who carries out the plan, and how the clerk names them.

Shared by every plan in the database. A unit is found by its exact name, its short name, or a
unique prefix of either; a group (各直属党组织) names the units that are its members at the
time of the command. Every change is one batch of events under the register's plan key, so
`history` shows it and `undo` reverts it.
"""

from __future__ import annotations

import re
from datetime import date

from jtdj.errors import NotFound, UsageError
from jtdj.i18n import t
from jtdj.parse import closest
from jtdj.store import Store
from jtdj.store import units as db
from jtdj.tuples import named_tuple

KINDS = {"科室": "office", "党组织": "party_org", "其他": "other",
         "office": "office", "party_org": "party_org", "other": "other"}
KIND_WORDS = {"office": "科室", "party_org": "党组织", "other": "其他"}
# how the columns of an imported register are headed, in Chinese or English
HEADERS = {"单位名称": "name", "名称": "name", "单位": "name", "简称": "short", "类别": "kind",
           "联系人": "contact", "邮箱": "email", "电子邮箱": "email", "手机": "mobile",
           "手机号": "mobile", "分组": "groups", "name": "name", "short": "short", "kind": "kind",
           "contact": "contact", "email": "email", "mobile": "mobile", "groups": "groups",
           "group": "groups"}
EXPORT_HEADERS = ("单位名称", "简称", "类别", "联系人", "邮箱", "手机", "分组")
_GROUP_SPLIT = re.compile(r"[;；,，、|\n]+")


@named_tuple
class Found:
    """What a name the clerk typed stands for: a unit, or a group and its members."""

    unit: dict | None
    group: str | None
    members: list[dict]


def mask_mobile(mobile: str | None) -> str | None:
    """138****0001: a mobile number as the formats people read show it."""
    if not mobile:
        return mobile
    digits = re.sub(r"\D", "", mobile)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def kind_of(text: str, where: str = "--kind") -> str:
    kind = KINDS.get(text.strip())
    if kind is None:
        raise UsageError(t("units.bad_kind", value=text, where=where,
                           kinds=t("list.sep").join(("科室", "党组织", "其他"))))
    return kind


def check_email(text: str | None, where: str = "--email") -> str | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise UsageError(t("units.bad_email", value=text, where=where))
    return text


def check_mobile(text: str | None, where: str = "--mobile") -> str | None:
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if text.endswith(".0"):  # a spreadsheet that kept the number as a float
        text = text[:-2]
    if not re.fullmatch(r"\+?[\d\- ]{5,20}", text):
        raise UsageError(t("units.bad_mobile", value=text, where=where))
    return text


def split_groups(text: str | None) -> list[str]:
    return [g.strip() for g in _GROUP_SPLIT.split(text or "") if g.strip()]


# --- finding -----------------------------------------------------------------------------------

def find(store: Store, text: str, groups: bool = True) -> Found:
    """The unit or group ``text`` names: exactly, by short name, or by a unique prefix.
    Unknown: NotFound (exit 1) with the closest names; an ambiguous prefix: exit 2."""
    wanted = text.strip()
    units = db.units(store)
    group_names = db.group_names(store) if groups else []
    for u in units:
        if wanted == u["name"]:
            return Found(u, None, [])
    if wanted in group_names:
        return Found(None, wanted, members(units, wanted))
    by_short = [u for u in units if u["short"] and wanted == u["short"]]
    if len(by_short) == 1:
        return Found(by_short[0], None, [])
    starting = [u for u in units if wanted and (u["name"].startswith(wanted)
                                               or (u["short"] or "").startswith(wanted))]
    starting_groups = [g for g in group_names if wanted and g.startswith(wanted)]
    if len(starting) + len(starting_groups) == 1:
        if starting:
            return Found(starting[0], None, [])
        return Found(None, starting_groups[0], members(units, starting_groups[0]))
    sep = t("list.sep")
    if len(starting) + len(starting_groups) > 1 or len(by_short) > 1:
        names = [u["name"] for u in (starting or by_short)] + starting_groups
        raise UsageError(t("units.ambiguous", name=wanted, names=sep.join(names)))
    known = [u["name"] for u in units] + group_names
    near = closest(wanted, known) if known else []
    raise NotFound(t("units.unknown", name=wanted, near=sep.join(near) or t("word.none")))


def members(units: list[dict], group: str) -> list[dict]:
    return [u for u in units if group in u["groups"]]


def resolve(store: Store, names: list[str]) -> list[dict]:
    """The units ``names`` stand for (a group: its members now), each once, in order."""
    out: dict[int, dict] = {}
    for name in names:
        found = find(store, name)
        for u in ([found.unit] if found.unit else found.members):
            out.setdefault(u["id"], u)
    return list(out.values())


def exists(store: Store, name: str) -> bool:
    try:
        find(store, name)
    except (NotFound, UsageError):
        return False
    return True


# --- changing ----------------------------------------------------------------------------------

def _check_name(store: Store, name: str, where: str) -> str:
    name = name.strip()
    if not name:
        raise UsageError(t("error.empty_value", what=where))
    if name in db.group_names(store):
        raise UsageError(t("units.name_is_group", name=name))
    return name


def _join_groups(store: Store, batch, groups: list[str]) -> None:
    names = {u["name"] for u in db.units(store)}
    for g in groups:
        if g in names:
            raise UsageError(t("units.group_is_unit", name=g))
        db.add_group(store, batch, g)


def add(store: Store, actor: str, today: date, values: dict) -> dict:
    """Register one unit; its groups are created as needed."""
    name = _check_name(store, values.get("name") or "", "NAME")
    if any(u["name"] == name for u in db.units(store)):
        raise UsageError(t("units.exists", name=name))
    with store.batch(db.REGISTER, actor, today) as batch:
        _join_groups(store, batch, values.get("groups") or [])
        new_id = db.insert_unit(store, batch, {**values, "name": name})
    return db.unit(store, new_id)


def edit(store: Store, actor: str, today: date, name: str, changes: dict,
         add_groups: list[str] | None = None) -> tuple[dict, list[str]]:
    """Change a unit's fields (``groups`` replaces them; ``add_groups`` adds); return the unit
    and the names of the fields changed."""
    found = find(store, name, groups=False)
    unit = found.unit
    changed = []
    with store.batch(db.REGISTER, actor, today) as batch:
        groups = changes.get("groups")
        if add_groups:
            groups = list(dict.fromkeys((groups if groups is not None else unit["groups"])
                                        + add_groups))
        if groups is not None:
            _join_groups(store, batch, groups)
            changes = {**changes, "groups": groups}
        for column, value in changes.items():
            if db.set_unit(store, batch, unit["id"], column, value):
                changed.append(column)
    return db.unit(store, unit["id"]), changed


def rename(store: Store, actor: str, today: date, old: str, new: str) -> dict:
    """A new name for a unit, everywhere it is named now; the events keep the old name."""
    unit = find(store, old, groups=False).unit
    new = _check_name(store, new, "NEW")
    if any(u["name"] == new and u["id"] != unit["id"] for u in db.units(store)):
        raise UsageError(t("units.exists", name=new))
    with store.batch(db.REGISTER, actor, today) as batch:
        if db.set_unit(store, batch, unit["id"], "name", new, action="unit_rename"):
            db.rename_in_tasks(store, batch, unit["name"], new)
    return db.unit(store, unit["id"])


def remove(store: Store, actor: str, today: date, name: str) -> dict:
    """Take a unit off the register: refused while any task names it."""
    unit = find(store, name, groups=False).unit
    refs = db.references(store, unit["name"], unit["id"])
    if refs:
        shown = [f"{plan}:{task}" for plan, task in refs[:10]]
        more = t("units.more", count=len(refs) - 10) if len(refs) > 10 else ""
        raise UsageError(t("units.in_use", name=unit["name"], tasks=t("list.sep").join(shown),
                           more=more))
    with store.batch(db.REGISTER, actor, today) as batch:
        db.delete_unit(store, batch, unit["id"])
    return unit


def register_names(store: Store, batch, units: list[str], groups: list[str],
                   action: str = "unit_add") -> list[str]:
    """Register the units and groups a plan file names that the register lacks (inside the
    import's transaction); return the new names. A name both a unit and a group elsewhere in
    the file is taken as a group."""
    known = {u["name"] for u in db.units(store)}
    known_groups = set(db.group_names(store))
    new = []
    register = batch.for_plan(db.REGISTER)
    for g in dict.fromkeys(groups):
        if g not in known_groups and g not in known:
            db.add_group(store, register, g, action="group_add" if action == "unit_add" else action)
            known_groups.add(g)
            new.append(g)
    for name in dict.fromkeys(units):
        if name and name not in known and name not in known_groups:
            from jtdj.store.migrations import guess_kind

            db.insert_unit(store, register, {"name": name, "kind": guess_kind(name)},
                           action=action)
            known.add(name)
            new.append(name)
    return new


def import_rows(store: Store, actor: str, today: date, rows: list[dict]) -> tuple[list, list]:
    """Register or update the units of an office's list, one batch; return (added, updated)
    names. ``rows`` hold checked values by UNIT_COLUMNS (see ``read_register``)."""
    added, updated = [], []
    with store.batch(db.REGISTER, actor, today) as batch:
        group_names = set(db.group_names(store))
        for row in rows:
            if row["name"] in group_names:
                raise UsageError(t("units.name_is_group", name=row["name"]))
        by_name = {u["name"]: u for u in db.units(store)}
        for row in rows:
            _join_groups(store, batch, row.get("groups") or [])
            existing = by_name.get(row["name"])
            if existing is None:
                db.insert_unit(store, batch, row)
                added.append(row["name"])
                continue
            changed = False
            for column in db.UNIT_COLUMNS:
                if column in row and column != "name" and (row[column] or column == "groups"):
                    changed = db.set_unit(store, batch, existing["id"], column, row[column]) or changed
            if changed:
                updated.append(row["name"])
    return added, updated


def read_register(path, sheet_rows: list[list]) -> list[dict]:
    """The office's list (header row first) as unit values; a bad cell fails the whole file
    naming its row and column."""
    if not sheet_rows:
        raise UsageError(t("units.import_empty", path=path))
    header = [HEADERS.get(str(h or "").strip().lower()) or HEADERS.get(str(h or "").strip())
              for h in sheet_rows[0]]
    if "name" not in header:
        raise UsageError(t("units.import_no_name", path=path))
    out, seen = [], set()
    for line, cells in enumerate(sheet_rows[1:], 2):
        values = {}
        for key, cell in zip(header, cells):
            if key:
                values[key] = None if cell is None or str(cell).strip() == "" else str(cell).strip()
        if not values.get("name"):
            if any(values.values()):
                raise UsageError(t("units.import_bad", path=path, row=line, column="单位名称",
                                   reason=t("units.import_no_value")))
            continue
        where = t("units.where", path=path, row=line)
        row = {"name": values["name"],
               "short": values.get("short"),
               "kind": kind_of(values["kind"], where) if values.get("kind") else None,
               "contact": values.get("contact"),
               "email": check_email(values.get("email"), where),
               "mobile": check_mobile(values.get("mobile"), where),
               "groups": split_groups(values.get("groups"))}
        if row["name"] in seen:
            raise UsageError(t("units.import_bad", path=path, row=line, column="单位名称",
                               reason=t("units.import_duplicate", name=row["name"])))
        seen.add(row["name"])
        out.append(row)
    return out


def register_table(store: Store, plan: str | None, masked: bool = True) -> list[dict]:
    """The register as records (docs/output.md): a row per unit with its task counts."""
    counts = db.task_counts(store, plan)
    rows = []
    for u in db.units(store):
        c = counts.get(u["name"], {})
        rows.append({"name": u["name"], "short": u["short"], "kind": u["kind"],
                     "contact": u["contact"], "email": u["email"],
                     "mobile": mask_mobile(u["mobile"]) if masked else u["mobile"],
                     "groups": u["groups"], "lead": c.get("lead", 0),
                     "support": c.get("support", 0), "shares": c.get("shares", 0),
                     "open_shares": c.get("open_shares", 0)})
    return rows


def export_rows(store: Store) -> list[list]:
    """The register as the CSV `units import` reads (contacts included)."""
    rows = [list(EXPORT_HEADERS)]
    for u in db.units(store):
        rows.append([u["name"], u["short"] or "", KIND_WORDS.get(u["kind"], "其他"),
                     u["contact"] or "", u["email"] or "", u["mobile"] or "",
                     "、".join(u["groups"])])
    return rows
