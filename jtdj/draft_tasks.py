"""Candidate tasks from a 工作要点's items, for a person to check; and ``draft``, all of ``jtdj
draft``: the file read (draft_read), parsed (draft_structure), tasks proposed, the plan rendered.

The rules are the ones docs/draft.md writes down for an office, with their defaults here and a
``--rules`` TOML file to extend or override them:

- an item's text, its lead phrase (the title) dropped, is cut into clauses at 。！？ ；; and line
  breaks (a deeper level's 「1.」 dropped; a clause ending in ： only introduces the next);
- a clause is cut again at ，, where the next part starts with an action verb of ``verbs``,
  after any manner or timing words (认真、进一步、年底前 …) — so 「压紧压实党建工作责任，进一步规范
  党支部工作标准」 is two tasks;
- a part without a verb of its own (「以上率下」) stays with the part before it, a part that only
  frames (``framing``: 围绕、结合 …; 以…为抓手) with the part after it;
- one verb over a 、 list of ``activities`` (…培训、…研修) is one task per activity;
- each part is trimmed of leading ``connectives`` (同时、并 …) and trailing punctuation;
- a part that opens with an aim (``aims``: 不断增强、切实提高 …) is proposed ``kind = "ongoing"``;
  每月/每季度/每半年/每年 give ``every``; the timing words of ``words`` give ``when`` and dates,
  the ``undated`` ones only ``when``; an event of ``events`` after 迎接/喜迎 gives the day before;
- the unit marker at the item's end gives ``owner`` (the first unit) and ``support``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from jtdj.errors import UsageError
from jtdj.i18n import t
from jtdj.parse import FIXED_TIMINGS
from jtdj.plan import KEY_RE
from jtdj.recurrence import EVERY as PERIODS

VERBS = [
    "开展", "组织", "建立", "健全", "完善", "制定", "召开", "实施", "推进", "推动", "推行", "落实",
    "加强", "强化", "深化", "细化", "抓好", "做好", "办好", "建好", "用好", "开好", "管好", "选好",
    "启动", "规范", "执行", "贯彻", "学习", "宣传", "参加", "参观", "观看", "举办", "召集",
    "确定", "打造", "构建", "培育", "培养", "引进", "引导", "动员", "发挥", "优化", "提升",
    "提高", "增强", "巩固", "拓展", "深挖", "挖掘", "传承", "统筹",
    "监督", "检查", "督查", "督促", "明察暗访", "通报", "表彰", "考核", "评选", "选优配强",
    "压紧压实", "压实", "收集", "分析", "研究", "部署", "印发", "编制", "修订", "履行",
    "建设", "创建", "支持", "运用", "抓实", "重视", "聚焦", "确保", "做到", "走好", "把好",
    "领悟", "理解", "掌握", "胸怀", "牢记", "坚定", "树立", "践行", "教育", "汇聚", "激发",
    "完成", "把", "将", "继续做好", "实施好", "组织好", "精心组织", "严格落实", "严格执行", "严格规范",
]
ADVERBS = [
    "认真", "积极", "深入", "进一步", "持续", "切实", "全面", "严格", "扎实", "着力", "不断",
    "充分", "精心", "继续", "坚持", "有序", "逐步", "重点", "定期", "常态化", "持之以恒",
    "始终", "更加", "自觉", "深刻", "努力", "全力", "大力", "及时", "主动", "统筹", "加快",
    "坚决", "务必", "要", "并", "同时",
]
# a verb over a 、 list whose every element ends so is one task per element
ACTIVITIES = ["培训班", "培训", "研修班", "研修", "训练营", "大会", "会议", "活动", "竞赛", "演练",
              "讲座", "论坛", "比赛", "评选", "展演"]
# a part that only frames the next one (「围绕立德树人根本任务，」) stays with it
FRAMING = ["围绕", "结合", "依托", "根据", "按照", "聚焦", "着眼", "立足", "对照", "紧扣"]
_BY_MEANS = re.compile(r"^以[^，,]{1,30}为(抓手|载体|契机|重点|统领|主线|引领)[，,]")
CONNECTIVES = ["同时，", "同时,", "同时", "并且", "并", "还要", "要", "进而", "以及", "另外，"]
AIMS = ["不断增强", "不断提升", "不断提高", "不断优化", "切实提高", "切实提升", "切实增强",
        "着力提升", "着力建设", "着力构建", "努力", "始终", "更加自觉地", "深刻领悟", "自觉以",
        "引导广大", "教育广大"]
_QUOTES = "“”\"‘’'「」"
EVERY = {"每月": "month", "每个月": "month", "每季度": "quarter", "每个季度": "quarter",
         "每半年": "half-year", "每年": "year"}
# timing word → "MM-DD" (the due day) or {due = "MM-DD", start = "MM-DD"}; first those a plan
# file's ``when`` dates by itself (parse.FIXED_TIMINGS), matched without quotes as the text is
WORDS = {
    **{re.sub(f"[{_QUOTES}]", "", word): {"due": "%02d-%02d" % due, "start": "%02d-%02d" % start}
       for word, (start, due) in FIXED_TIMINGS.items()},
    "暑假": {"due": "08-31", "start": "07-01"}, "寒假": {"due": "02-28", "start": "01-15"},
    "上半年": "06-30", "下半年": "12-31",
    "第一季度": "03-31", "一季度": "03-31", "第二季度": "06-30", "二季度": "06-30",
    "第三季度": "09-30", "三季度": "09-30", "第四季度": "12-31", "四季度": "12-31",
    "年底前": "12-31", "年底": "12-31", "年内": "12-31", "年末": "12-31",
}
UNDATED = ["常态化长效化", "常态化", "长效化", "持之以恒", "定期", "经常", "持续", "全年"]
EVENT_LEAD = ["迎接", "喜迎", "迎"]
# a deeper level's number at a line's start (「1.」「（1）」「①」), left in the item's text
_SUBLEVEL = re.compile(r"^\s*(?:\d{1,2}\s*[.．、]|[（(]\s*\d{1,2}\s*[）)]|[①-⑳])\s*")
_TRAIL = "，,、；;。：:！？!? "
_MARKER_HEAD = re.compile(r"^[（(]?\s*(责任科室|责任单位|责任部门|牵头单位|牵头科室|牵头部门|"
                          r"主办单位)\s*[：:]")
_MARKER_SUPPORT = re.compile(r"(配合单位|配合科室|配合部门|协办单位|参与单位)\s*[：:]")


@dataclass
class Rules:
    verbs: list[str] = field(default_factory=lambda: list(VERBS))
    adverbs: list[str] = field(default_factory=lambda: list(ADVERBS))
    connectives: list[str] = field(default_factory=lambda: list(CONNECTIVES))
    framing: list[str] = field(default_factory=lambda: list(FRAMING))
    activities: list[str] = field(default_factory=lambda: list(ACTIVITIES))
    aims: list[str] = field(default_factory=lambda: list(AIMS))
    every: dict = field(default_factory=lambda: dict(EVERY))
    words: dict = field(default_factory=lambda: dict(WORDS))
    undated: list[str] = field(default_factory=lambda: list(UNDATED))
    events: dict = field(default_factory=dict)


_LISTS = ("verbs", "adverbs", "connectives", "framing", "activities", "aims", "undated")
_TABLES = ("words", "events", "every")


def load_rules(path: Path | None) -> Rules:
    """The default rules, extended (lists) and overridden (tables, key by key) by ``path``."""
    rules = Rules()
    if path is None:
        return rules
    import tomli

    try:
        with open(path, "rb") as fh:
            data = tomli.load(fh)
    except OSError as exc:
        raise UsageError(t("draft.rules_unreadable", path=path, reason=exc.strerror or exc)) from None
    except (tomli.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(t("draft.rules_bad", path=path, reason=str(exc))) from None
    for name, v in data.items():
        if name in _LISTS and isinstance(v, list) and all(isinstance(x, str) for x in v):
            getattr(rules, name).extend(x for x in v if x not in getattr(rules, name))
        elif name in _TABLES and isinstance(v, dict):
            getattr(rules, name).update(_checked_table(path, name, v))
        else:
            raise UsageError(t("draft.rules_bad_key", path=path, key=name))
    return rules


def _checked_table(path, name: str, table: dict) -> dict:
    for word, v in table.items():
        if name == "events":  # the event's day
            ok = isinstance(v, date)
        elif name == "every":  # a period of recurrence
            ok = v in PERIODS
        elif isinstance(v, dict):  # words: {due = "MM-DD", start = "MM-DD"}
            ok = all(k in ("due", "start") and _month_day(x) for k, x in v.items())
        else:  # words: the due day
            ok = _month_day(v)
        if not ok:
            raise UsageError(t("draft.rules_bad_key", path=path, key=f"{name}.{word}"))
    return table


def _month_day(text) -> bool:
    return isinstance(text, str) and bool(re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])",
                                                       text))


def year_of(document) -> int | None:
    """The plan's year: of its due date, its date of issue, else the year in its key or title."""
    plan = document["plan"]
    for value in (plan.get("due"), plan.get("issued")):
        if isinstance(value, date):
            return value.year
    match = re.search(r"(19|20)\d\d", str(plan.get("key") or plan.get("title") or ""))
    return int(match.group(0)) if match else None


def propose(document, rules: Rules | None = None) -> list[list[dict]]:
    """For each item of the document, in order, its candidate tasks."""
    rules = rules or Rules()
    year = year_of(document)
    return [_item_tasks(item, rules, year)
            for section in document["sections"] for item in section["items"]]


def _item_tasks(item: dict, rules: Rules, year: int | None) -> list[dict]:
    body = _drop_lead(item.get("text") or "", item.get("title") or "")
    owner, support = parse_marker(item.get("marker"))
    tasks = []
    for part in split(body, rules):
        task = {"no": len(tasks) + 1, "title": part, "check": []}
        _classify(task, part, rules, year)
        if owner:
            task["owner"] = owner
            if support:
                task["support"] = support
        tasks.append(task)
    if owner and tasks:
        tasks[0]["check"].append(t("draft.check_owner", marker=item.get("marker") or ""))
    return tasks


def _drop_lead(text: str, title: str) -> str:
    if title and text.startswith(title):
        return text[len(title):].lstrip("。.：:，, ")
    return text


def split(body: str, rules: Rules) -> list[str]:
    """The candidate tasks' titles of an item's text (its lead phrase already dropped)."""
    parts = []
    for clause in re.split(r"(?<=[。！？!?；;])|\n", body):
        clause = _SUBLEVEL.sub("", clause.strip())
        if clause.endswith(("：", ":")):  # 「主要做好以下工作：」 introduces what follows
            continue
        pieces = _pieces(clause)
        current, framing = "", True  # framing: what is gathered only frames what follows
        for piece in pieces:
            lead = _trim_lead(piece, rules)
            frames = any(lead.startswith(w) for w in rules.framing) or bool(_BY_MEANS.match(lead))
            if not framing and (frames or _starts_with_verb(lead, rules)):
                parts.append(current)
                current, framing = piece, frames
            else:
                current += piece
                framing = framing and frames
        if current:
            parts.append(current)
    return [one for p in parts for one in _distribute(_trim(p, rules), rules) if len(one) >= 2]


def _distribute(part: str, rules: Rules) -> list[str]:
    """「组织好暑期A培训、B研修」 → 「组织好暑期A培训」「组织好暑期B研修」; 「实施“A班、B班”」 →
    「实施“A班”」「实施“B班”」: one verb over a 、 list of activities is one task per activity."""
    end = _verb_end(part, rules)
    if end is None or any(c in part for c in "，,"):
        return [part]
    timing = sorted([*rules.words, *rules.undated], key=len, reverse=True)
    word = next((w for w in timing if part[end:].startswith(w)), "")
    lead, body = part[:end + len(word)], part[end + len(word):]
    opening = closing = ""
    if len(body) > 2 and body[0] in "“「" and body[-1] in "”」" and sum(
            body.count(q) for q in "“”「」") == 2:
        opening, closing, body = body[0], body[-1], body[1:-1]
    elements = _cut(body, "、")
    if len(elements) < 2 or not all(e.endswith(tuple(rules.activities)) for e in elements):
        return [part]
    return [f"{lead}{opening}{e}{closing}" for e in elements]


def _cut(text: str, marks: str, keep: bool = False) -> list[str]:
    """``text`` cut at each of ``marks`` outside quotes and brackets (kept on the left or not)."""
    pieces, current, depth = [], "", 0
    for char in text:
        if char in "“《（(「‘":
            depth += 1
        elif char in "”》）)」’" and depth:
            depth -= 1
        if char in marks and depth == 0:
            pieces.append(current + char if keep else current)
            current = ""
        else:
            current += char
    return [p for p in pieces + [current] if p]


def _pieces(clause: str) -> list[str]:
    """A clause cut after each ，or , outside quotes and brackets (the comma kept on the left)."""
    return _cut(clause, "，,", keep=True)


def _trim_lead(text: str, rules: Rules) -> str:
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for word in sorted(rules.connectives, key=len, reverse=True):
            if text.startswith(word) and len(text) > len(word):
                text, changed = text[len(word):].lstrip("，, "), True
    return text


def _trim(text: str, rules: Rules) -> str:
    return _trim_lead(text, rules).rstrip(_TRAIL).strip()


def _starts_with_verb(text: str, rules: Rules) -> bool:
    """Whether ``text`` opens with an action verb, after any manner or timing words (认真落实,
    进一步规范, 持之以恒推进, 更加自觉地增强, 年底前完成, 每季度开展)."""
    return _verb_end(text.lstrip(_QUOTES), rules) is not None


def _verb_end(text: str, rules: Rules) -> int | None:
    """Where the opening verbs of ``text`` end (after a 好 of 组织好), or None without one."""
    adverbs = sorted([*rules.adverbs, *rules.words, *rules.undated, *rules.every], key=len,
                     reverse=True)
    verbs = sorted(rules.verbs, key=len, reverse=True)
    at = 0
    for _ in range(4):
        verb = next((v for v in verbs if text.startswith(v, at)), None)
        if verb is not None:  # and the verbs right after it: 组织开展, 启动实施, 学习宣传
            while verb is not None:
                at += len(verb)
                verb = next((v for v in verbs if text.startswith(v, at)), None)
            return at + 1 if text.startswith("好", at) else at
        word = next((a for a in adverbs if text.startswith(a, at)), None)
        if word is None:
            return None
        at += len(word)
        while at < len(text) and text[at] in "地" + _QUOTES:
            at += 1
    return None


def _classify(task: dict, text: str, rules: Rules, year: int | None) -> None:
    plain = "".join(c for c in text if c not in _QUOTES)
    for word, period in rules.every.items():
        if word in plain:
            task["every"] = period
            task["check"].append(t("draft.check_every", word=word, every=period))
            return
    if any(plain.startswith(aim) for aim in rules.aims):
        task["kind"] = "ongoing"
        task["check"].append(t("draft.check_ongoing"))
        _undated(task, text, rules)
        return
    for word, value in sorted(rules.words.items(), key=lambda kv: -len(kv[0])):
        if word in plain:
            spec = value if isinstance(value, dict) else {"due": value}
            task["when"] = _verbatim(text, word)
            for name in ("start", "due"):
                if name in spec and year is not None:
                    task[name] = date.fromisoformat(f"{year}-{spec[name]}")
            task["check"].append(t("draft.check_when", when=task["when"],
                                   dates=_dates(task)))
            return
    for name, day in rules.events.items():
        found = _event_in(plain, name)
        if found:
            task["when"] = _verbatim(text, found)
            task["due"] = day - timedelta(days=1)
            task["check"].append(t("draft.check_event", event=name, on=day.isoformat(),
                                   due=task["due"].isoformat()))
            return
    _undated(task, text, rules)


def _undated(task: dict, text: str, rules: Rules) -> None:
    for word in sorted(rules.undated, key=len, reverse=True):
        if word in text and not re.search(re.escape(word) + r"[^，,。；;]{0,8}制度", text):
            task["when"] = word
            return


def _event_in(plain: str, name: str) -> str | None:
    """The words 迎接/喜迎 + the event (with or without a leading 党的) in the text, if any."""
    names = [name] + ([name[2:]] if name.startswith("党的") else [])
    for lead in EVENT_LEAD:
        for n in names:
            match = re.search(re.escape(lead) + re.escape(n) + r"(胜利召开)?", plain)
            if match:
                return match.group(0)
    return None


def _verbatim(text: str, word: str) -> str:
    """``word`` as the text writes it, with any quotes inside it (「“七一”前后」)."""
    pattern = "".join(re.escape(c) + f"[{_QUOTES}]*" for c in word)
    match = re.search(f"[{_QUOTES}]?" + pattern, text)
    return match.group(0) if match else word


def _dates(task: dict) -> str:
    return " – ".join(task[k].isoformat() for k in ("start", "due") if k in task)


def parse_marker(marker: str | None) -> tuple[str | None, list[str]]:
    """「（责任科室：组干科、机关党委）」 → ("组干科", ["机关党委"]); 「牵头单位：A 配合单位：B、C」 →
    ("A", ["B", "C"])."""
    if not marker:
        return None, []
    text = marker.strip().strip("（）() ")
    lead, _, rest = text.partition("配合") if _MARKER_SUPPORT.search(text) else (text, "", "")
    lead = _MARKER_HEAD.sub("", lead).strip()
    lead = re.sub(r"^[^：:]{0,6}[：:]", "", lead)
    owners = _units(lead)
    helpers = _units(re.sub(r"^[^：:]{0,6}[：:]", "", rest)) if rest else []
    if not owners:
        return None, helpers
    return owners[0], owners[1:] + [h for h in helpers if h not in owners]


def _units(text: str) -> list[str]:
    return [u.strip() for u in re.split(r"[、，,；;/\s]+", text.strip("；;。 ")) if u.strip()]


def draft(path: Path, key: str | None = None, rules_path: Path | None = None,
          source: str | None = None) -> tuple[str, dict]:
    """A document file → (the plan file's text, the tally). Reads only the files named."""
    from jtdj import draft_read, draft_structure
    from jtdj.render import draft as render_draft

    rules = load_rules(rules_path)
    document = draft_structure.parse_document(draft_read.read_paragraphs(Path(path)))
    plan = dict(document["plan"])
    if key is not None:
        if not KEY_RE.fullmatch(key):
            raise UsageError(t("draft.bad_key", key=key))
        plan["key"] = key
    elif not plan.get("key") or not KEY_RE.fullmatch(str(plan["key"])):
        plan["key"] = "draft"
        document["notes"].append(t("draft.check_key"))
    if not plan.get("title"):
        plan["title"] = t("draft.untitled")
        document["notes"].append(t("draft.check_title"))
    document = {**document, "plan": plan}
    tasks = propose(document, rules)
    tally = render_draft.count(document, tasks)
    return render_draft.plan_toml(document, tasks, tally, source or str(path)), tally
