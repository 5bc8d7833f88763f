"""A 工作要点 document's paragraphs → its structure: the notice's fields, preamble, sections, items.

The levels are GB/T 9704-2012 §7.3.3's: 「一、」「（一）」「1.」「（1）」. Sections are at 「一、」;
items at the highest of the other levels the document uses; deeper levels stay in the item's
text. What pagination did is repaired (a paragraph broken mid-sentence by a page break or a
page-number line is joined; headers and footers repeated at the edges of 3 pages or more are
dropped). Titles lose the typesetting spaces between CJK characters and digits; everything else
stays verbatim.
What had to be guessed is listed in ``notes`` (each becomes a ``# 待核：…`` comment).
"""

from __future__ import annotations

import re
from datetime import date

from jtdj.i18n import t

_CN = "〇零一二三四五六七八九十百"
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# the levels, highest first; each pattern matches the marker at a paragraph's start
LEVELS = {
    "cn": re.compile(rf"^\s*([{_CN}]+)\s*[、，,．.]\s*"),
    "cn_paren": re.compile(rf"^\s*[（(]\s*([{_CN}]+)\s*[）)]\s*"),
    "num": re.compile(r"^\s*(\d{1,3})\s*(?:[.．、]|\s)(?!\d)\s*"),
    "num_paren": re.compile(r"^\s*[（(]\s*(\d{1,3})\s*[）)]\s*"),
}
ITEM_LEVELS = ("cn_paren", "num", "num_paren")
PAGE_NUMBER = re.compile(r"^\s*(?:[—–\-－~～]+\s*\d{1,4}\s*[—–\-－~～]+|第\s*\d{1,4}\s*页"
                         r"(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,3})\s*$")
DOC_NO = re.compile(r"^[^\s〔\[［(（]+\s*[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号$")
DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
DATE_CN = re.compile(rf"^\s*([{_CN}]{{4}})\s*年\s*([{_CN}]{{1,3}})\s*月\s*([{_CN}]{{1,3}})\s*日\s*$")
PRINTED = re.compile(r"^(.*?)\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*印\s*发\s*$")
ATTACHMENT = re.compile(r"^\s*附\s*件\s*\d*\s*[：:]?\s*(.*?)\s*$")
PUBLIC = re.compile(r"此件公开发布|此件主动公开|公开方式[：:]\s*主动公开")
# a sentence ends here: the next paragraph starts a new one
ENDS = tuple("。！？；：!?;:…）)》】」』”\"")
MARKER_WORDS = r"(?:责任|牵头|主责|负责|配合|协办|参与)(?:科室|单位|部门|处室|股室)"
MARKER = re.compile(rf"[（(]\s*{MARKER_WORDS}\s*[：:][^（()）]*[）)]\s*[。.]?\s*$"
                    rf"|(?<![^\s。；;，,])\s*{MARKER_WORDS}\s*[：:][^。]*[。.]?\s*$")
TITLE_SPACE = re.compile(rf"(?<=[{_CJK}\d\u3000-\u303f\uff00-\uffef《》“”])[ \t\u3000]+"
                         rf"(?=[{_CJK}\d\u3000-\u303f\uff00-\uffef《》“”])")
YEAR = re.compile(r"(\d{4})\s*年")


def parse_document(paragraphs: list[str]) -> dict:
    """The Document: {"plan", "preamble", "sections", "notes"} (see docs/draft.md)."""
    lines = _clean(paragraphs)
    notes: list[str] = []
    plan, body_start = _notice(lines, notes)
    body = _join(lines[body_start:], notes)
    first = next((i for i, p in enumerate(body) if LEVELS["cn"].match(p)), len(body))
    preamble = "\n".join(body[:first])
    sections = _sections(body[first:], notes)
    if not sections:
        notes.append(t("draft.note.no_sections"))
    return {"plan": plan, "preamble": preamble, "sections": sections, "notes": notes}


def title_text(text: str) -> str:
    """A title without the typesetting spaces between CJK characters and digits."""
    return TITLE_SPACE.sub("", text.strip())


def cn_number(text: str) -> int | None:
    """「十三」 → 13, 「二〇二二」 (digit by digit) → 2022; None when it is not a number."""
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
    if text and all(c in digits for c in text) and (len(text) > 1 or text != "〇"):
        return int("".join(str(digits[c]) for c in text)) if len(text) > 1 else digits[text]
    total, current = 0, 0
    for c in text:
        if c in digits:
            current = digits[c]
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current or None


def parse_date(text: str) -> date | None:
    """「2022年5月9日」 or 「二〇二二年五月九日」 → a date; None otherwise."""
    m = DATE.match(text)
    parts = tuple(int(g) for g in m.groups()) if m else None
    if parts is None and (m := DATE_CN.match(text)):
        parts = tuple(cn_number(g) for g in m.groups())
    try:
        return date(*parts) if parts and None not in parts else None
    except ValueError:
        return None


# --- the steps ------------------------------------------------------------------------------

def without_running_lines(pages: list[list], text=lambda line: line) -> list[list]:
    """Headers and footers dropped: a first or last line of a page seen so on 3 pages or more
    (its digits, a page number, aside). ``text`` gives a line's text (a PDF's lines are tuples)."""

    def shape(line) -> str:
        return re.sub(r"\d+", "#", text(line))

    edges: dict[str, int] = {}
    for lines in pages:
        for s in {shape(ln) for ln in lines[:1] + lines[-1:]}:
            edges[s] = edges.get(s, 0) + 1
    running = {s for s, n in edges.items() if n >= 3}
    return [[ln for i, ln in enumerate(lines)
             if not (i in (0, len(lines) - 1) and shape(ln) in running)] for lines in pages]


def _clean(paragraphs: list[str]) -> list[str]:
    """Non-empty paragraphs without page-number lines and running headers/footers: the pages
    are what the page-number lines separate (a text saved from a PDF), and a line repeated
    elsewhere than at a page's edge stays (「工作要求」 under each item)."""
    lines = [ln.strip() for p in paragraphs for ln in p.replace("\ufeff", "").split("\n")]
    pages: list[list[str]] = [[]]
    for p in lines:
        if PAGE_NUMBER.match(p):
            pages.append([])
        elif p:
            pages[-1].append(p)
    return [p for page in without_running_lines(pages) for p in page]


def _level(text: str) -> str | None:
    for name, pattern in LEVELS.items():
        if pattern.match(text):
            return name
    return None


def _notice(lines: list[str], notes: list[str]) -> tuple[dict, int]:
    """The notice's fields and where the attachment's body (after its title) starts."""
    plan: dict = {"issuer": "", "doc_no": "", "notice_title": "", "title": "", "addressee": "",
                  "issued": None, "printed_by": "", "printed_on": None, "public": False}
    first_heading = next((i for i, p in enumerate(lines) if LEVELS["cn"].match(p)), len(lines))
    title_at = None
    for i, p in enumerate(lines[:first_heading]):
        if PUBLIC.search(p):
            plan["public"] = True
        elif DOC_NO.match(p) and not plan["doc_no"]:
            plan["doc_no"] = title_text(p)
            if i and not plan["issuer"]:
                plan["issuer"] = title_text(lines[i - 1])
        elif (m := PRINTED.match(p)) and plan["printed_on"] is None:
            plan["printed_on"] = parse_date(m.group(2))
            plan["printed_by"] = title_text(m.group(1) or (lines[i - 1] if i else ""))
        elif parse_date(p) and plan["issued"] is None and plan["notice_title"]:
            plan["issued"] = parse_date(p)
        elif not plan["notice_title"] and p.endswith("通知") \
                and (plan["doc_no"] or p.startswith("关于")):
            plan["notice_title"] = title_text(p)
        elif plan["notice_title"] and not plan["addressee"] and p.endswith(("：", ":")) \
                and len(p) <= 40:
            plan["addressee"] = p.rstrip("：:").strip()
        elif (m := ATTACHMENT.match(p)) and title_at is None:
            if m.group(1) and not re.fullmatch(r"[\d.．、]*", m.group(1)):
                plan["title"], title_at = title_text(re.sub(r"^\d+[.．、]\s*", "", m.group(1))), i
            elif i + 1 < first_heading:
                plan["title"], title_at = title_text(lines[i + 1]), i + 1
    if title_at is None:
        title_at = _guess_title(lines, first_heading, plan, notes)
    found = YEAR.search(plan["title"]) or YEAR.search(plan["notice_title"])
    if found:
        plan["key"] = found.group(1)
    else:
        plan["key"] = str(plan["issued"].year) if plan["issued"] else ""
        notes.append(t("draft.note.no_year", key=plan["key"] or "?"))
    year = int(plan["key"]) if plan["key"].isdigit() else None
    plan["due"] = date(year, 12, 31) if year else None
    if plan["issued"] is None and plan["printed_on"] is not None:
        plan["issued"] = plan["printed_on"]
        notes.append(t("draft.note.issued_from_printed", day=plan["issued"].isoformat()))
    return plan, title_at + 1 if title_at is not None else 0


def _guess_title(lines: list[str], first_heading: int, plan: dict, notes: list[str]) -> int | None:
    """No 「附件」 line: the title is the line naming the plan (「…要点」「…计划」) or the first."""
    for i, p in enumerate(lines[:first_heading]):
        if len(p) <= 60 and not p.endswith(ENDS) and re.search(r"要点|计划|安排|方案|任务", p) \
                and not p.endswith("通知"):
            plan["title"] = title_text(p)
            notes.append(t("draft.note.title_guessed", title=plan["title"]))
            return i
    if plan["notice_title"]:
        inner = re.search(r"《(.+?)》", plan["notice_title"])
        if inner:
            plan["title"] = title_text(inner.group(1))
            notes.append(t("draft.note.title_guessed", title=plan["title"]))
            return next(i for i, p in enumerate(lines) if title_text(p) == plan["notice_title"])
    if lines and first_heading:
        plan["title"] = title_text(lines[0])
        notes.append(t("draft.note.title_guessed", title=plan["title"]))
        return 0
    notes.append(t("draft.note.no_title"))
    return None


def _join(lines: list[str], notes: list[str]) -> list[str]:
    """Paragraphs broken mid-sentence by the page layout joined again."""
    out: list[str] = []
    for p in lines:
        prev = out[-1] if out else ""
        if (prev and not prev.endswith(ENDS) and not _level(p) and not LEVELS["cn"].match(prev)
                and (len(prev) >= 20 or re.search(r"[，,、；]", prev))):
            notes.append(t("draft.note.joined", before=prev[-8:], after=p[:8]))
            out[-1] = prev + p
        else:
            out.append(p)
    return out


def _sections(lines: list[str], notes: list[str]) -> list[dict]:
    used = {_level(p) for p in lines}
    item_level = next((name for name in ITEM_LEVELS if name in used), None)
    sections: list[dict] = []
    for p in lines:
        level = _level(p)
        if level == "cn":
            m = LEVELS["cn"].match(p)
            sections.append({"no": cn_number(m.group(1)) or len(sections) + 1,
                             "title": title_text(p[m.end():]), "items": []})
        elif level == item_level and item_level is not None:
            m = LEVELS[item_level].match(p)
            raw = m.group(1)
            no = int(raw) if raw.isdigit() else cn_number(raw)
            sections[-1]["items"].append({"no": no, "text": p[m.end():], "marker": None})
        elif sections[-1]["items"]:
            sections[-1]["items"][-1]["text"] += "\n" + p
        else:
            notes.append(t("draft.note.section_text", no=sections[-1]["no"], text=p[:12]))
    _finish_items(sections, notes)
    return sections


def _finish_items(sections: list[dict], notes: list[str]) -> None:
    """Each item's title (its lead phrase) and unit marker."""
    for section in sections:
        for at, item in enumerate(section["items"]):
            text, marker = item["text"], None
            m = MARKER.search(text)
            if m:
                marker = m.group(0).strip().strip("（()）。.").strip()
                text = text[:m.start()].rstrip()
            title = text.split("\n", 1)[0].split("。", 1)[0]
            if len(title) > 30:
                notes.append(t("draft.note.item_title", no=item["no"], title=title[:30]))
            section["items"][at] = {"no": item["no"], "title": title_text(title), "text": text,
                                    "marker": marker}
