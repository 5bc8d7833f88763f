"""`jtdj serve`: a real Datasette server on 127.0.0.1 (a free port), over a ledger made by the
real CLI, fetched over HTTP with the standard library.

One server per module (starting one costs about a second); every test reads, and the ledger
is compared byte for byte (an SQL dump) before and after what tries to change it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("datasette", reason="the web extra is not installed: pip install '.[web]'")

from conftest import ROOT, dump  # noqa: E402

pytestmark = pytest.mark.slow
DAY = "2022-07-20"
UNITS = {"华罗庚实验学校党支部": "hlg@example.org", "第一中学党委": "yz@example.org"}
MOBILE = "13912345678"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(folder: Path, day: str = DAY) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTDJ_")}
    env.update({"JTDJ_DB": str(folder / "jtdj.db"), "JTDJ_CONFIG": str(folder / "config.toml"),
                "JTDJ_USER": "clerk", "JTDJ_TODAY": day, "JTDJ_LANG": "zh", "NO_COLOR": "1"})
    return env


def jtdj(env: dict, *args, day: str | None = None, input: str | None = None):
    env = {**env, "JTDJ_TODAY": day} if day else env
    done = subprocess.run([sys.executable, "-m", "jtdj", *args], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120, cwd=ROOT, input=input)
    return done


def ok(env, *args, day=None, input=None) -> str:
    done = jtdj(env, *args, day=day, input=input)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def seed(env: dict) -> None:
    """The 2022 plan, two units with contacts, tasks assigned and handed to units, some done,
    one moved later, one 催办."""
    ok(env, "import", day="2022-03-01")
    for name, mail in UNITS.items():
        ok(env, "units", "add", name, "--kind", "党组织", "--group", "各直属党组织",
           "--email", mail, "--mobile", MOBILE, "--contact", "张三", day="2022-03-01")
    ok(env, "assign", "1", "2", "3", "--to", "组织科", "--new-unit", day="2022-03-02")
    ok(env, "assign", "7", "8", "--to", "纪检科", "--new-unit", day="2022-03-02")
    ok(env, "assign", "5.2", "5.3", "--to", "组织科", "--each", "各直属党组织", day="2022-03-02")
    ok(env, "start", "2.1", "2.2", day="2022-05-10")
    ok(env, "done", "2.1", "--note", "已印发通知", day="2022-05-20")
    ok(env, "done", "5.2", "--unit", "华罗庚实验学校党支部", day="2022-06-28")
    ok(env, "done", "3.1", "--note", "已完成", day="2022-07-19")
    ok(env, "due", "7.1", "2022-06-30", day="2022-03-05")
    ok(env, "due", "7.1", "2022-09-30", day="2022-06-30")
    ok(env, "urge", "--overdue", day=DAY)


class Server:
    def __init__(self, env: dict, port: int, *args):
        self.env, self.port = env, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = Path(env["JTDJ_DB"]).with_name(f"serve-{port}.log")
        with self.log.open("wb") as log:  # a file, not a pipe: a full pipe would stop it
            self.proc = subprocess.Popen([sys.executable, "-m", "jtdj", "serve", "--port",
                                          str(port), *args], env=env, cwd=ROOT, stdout=log,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/robots.txt", timeout=2).read()
                return
            except urllib.error.HTTPError:
                return  # it answers (401 with a password)
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(self.log.read_text())
                time.sleep(0.1)

    def get(self, path: str, method: str = "GET", data: bytes | None = None,
            headers: dict | None = None) -> tuple[int, str, dict]:
        path = urllib.parse.quote(path, safe="/?=&%~:+$,;@")  # the Chinese in a query
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, r.read().decode("utf-8"), dict(r.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers)

    def json(self, path: str):
        status, body, _ = self.get(path)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def enc(name: str) -> str:
    from datasette.utils import tilde_encode

    return tilde_encode(name)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    env = environment(folder)
    seed(env)
    return folder, env


@pytest.fixture(scope="module")
def server(ledger):
    _folder, env = ledger
    s = Server(env, free_port())
    yield s
    s.stop()


def test_the_first_page_shows_the_plan_its_figures_the_units_and_a_date_picker(server):
    status, page, _ = server.get("/")
    assert status == 200
    assert '<meta name="viewport"' in page and 'lang="zh-CN"' in page
    for words in ("2022年区委教育工委党的建设重点工作要点", "坛教委字〔2022〕6号", "总体情况",
                  "各部分进度", "各条目进度", "各单位落实情况通报", "逾期事项（按单位）",
                  "滞后事项（按单位）", "华罗庚实验学校党支部", "组织科", "查看本周周报",
                  f'<input type="date" id="as_of" name="as_of" value="{DAY}">'):
        assert words in page, words
    assert 'class="fill" style="width:' in page  # progress as bars


def cards(page: str) -> dict:
    return {m.group(1): m.group(2) for m in
            re.finditer(r'<div class="card (\w+)"><b>([^<]*)</b>', page)}


@pytest.mark.parametrize("day", ["2022-05-01", "2022-06-29", DAY])
def test_the_first_page_as_of_a_day_has_the_figures_jtdj_summary_gives_for_it(server, day):
    summary = json.loads(ok(server.env, "--as-of", day, "summary", "--format", "json"))
    status, page, _ = server.get(f"/?as_of={day}")
    assert status == 200 and f'value="{day}"' in page
    shown = cards(page)
    totals = summary["totals"]
    assert shown["tasks"] == str(totals["tasks"]) and shown["done"] == str(totals["done"])
    assert shown["overdue"] == str(totals["overdue"])
    assert shown["percent_done"] == f"{totals['percent_done']}%"


def test_a_day_that_is_not_a_date_is_a_one_line_error(server):
    status, body, _ = server.get("/?as_of=nonsense")
    assert status == 400 and body.startswith("错误：") and "\n" not in body.strip()


def test_the_latest_weekly_report_is_the_html_jtdj_renders(server):
    status, page, _ = server.get(f"/-/weekly?as_of={DAY}")
    cli = ok(server.env, "report", "--week", "--format", "html")
    assert status == 200 and page == cli


def test_the_tasks_table_has_facets_by_owner_status_section_and_light(server):
    data = server.json(f"/jtdj/{enc('任务')}.json?责任单位=组织科")
    assert set(data["facet_results"]) == {"责任单位", "状态", "部分", "提示"}
    listed = json.loads(ok(server.env, "list", "--owner", "组织科", "--status", "all",
                           "--format", "json"))
    assert data["filtered_table_rows_count"] == len(listed)
    status, page, _ = server.get(f"/jtdj/{enc('任务')}")
    assert status == 200 and "工作任务" in page and "责任单位" in page


def test_search_finds_a_chinese_title(server):
    rows = server.json(f"/jtdj/{enc('任务')}.json?_search=" + urllib.parse.quote("意识形态")
                       + "&_shape=array")
    assert rows and all("意识形态" in r["工作任务"] for r in rows)


def query(server, name: str, fmt: str = "json"):
    return server.json(f"/jtdj/{enc(name)}.json?_shape=array")


def test_the_overdue_query_is_what_jtdj_summary_says(server):
    summary = json.loads(ok(server.env, "summary", "--format", "json"))
    rows = query(server, "逾期事项")
    assert rows == [{"编号": r["id"], "工作任务": r["title"], "责任单位": r["owner"],
                     "完成时限": r["due"]} for r in summary["overdue"]]
    assert rows  # the test means something


def test_the_units_query_is_what_jtdj_report_by_unit_says(server):
    bulletin = json.loads(ok(server.env, "report", "--by-unit", "--format", "json"))
    keys = ["位次", "单位", "任务数", "已完成", "完成率", "逾期", "滞后", "待审核", "延期次数",
            "催办次数", "按时反馈", "应反馈"]
    rows = query(server, "各单位进度")
    assert [[r[k] for k in keys] for r in rows] == [
        [u[k] for k in ("rank", "unit", "tasks", "done", "percent_done", "overdue", "lagging",
                        "review", "extensions", "urges", "forms_on_time", "forms_issued")]
        for u in bulletin["units"]]
    assert len(rows) >= 3


def test_the_completed_this_week_query_is_what_jtdj_report_says_from_monday(server):
    report = json.loads(ok(server.env, "report", "--since", "2022-07-18", "--until", DAY,
                           "--format", "json"))
    rows = query(server, "本周完成")
    assert [(r["编号"], r["完成日期"]) for r in rows] == [
        (c["id"], c["on"]) for c in report["completed"]]
    assert [r["编号"] for r in rows] == ["3.1"]


def test_the_extension_and_urge_queries_list_the_logged_changes(server):
    events = json.loads(ok(server.env, "history", "--format", "json"))
    moved = [e for e in events if e["field"] == "due" and e["action"] not in ("import", "undo")
             and e["old"] and e["new"] and e["new"] > e["old"]]
    urged = [e for e in events if e["action"] == "urge"]
    assert [r["编号"] for r in query(server, "延期记录")] == [e["target"] for e in moved]
    assert [(r["编号"], r["单位"]) for r in query(server, "催办记录")] == [
        (e["target"], e["unit"]) for e in urged]
    assert moved and urged


@pytest.mark.parametrize("name", ["本周完成", "逾期事项", "各单位进度", "延期记录", "催办记录"])
def test_each_canned_query_has_its_page_with_json_and_csv_links(server, name):
    status, page, _ = server.get(f"/jtdj/{enc(name)}")
    assert status == 200 and ".json" in page and ".csv" in page
    status, csv, _ = server.get(f"/jtdj/{enc(name)}.csv")
    assert status == 200 and csv.splitlines()[0]


def test_arbitrary_sql_is_refused(server):
    for path in ("/jtdj.json?sql=" + urllib.parse.quote("select * from sqlite_master"),
                 "/jtdj?sql=select+1", f"/jtdj/{enc('任务')}.json?_where=1)+union+select+1--"):
        status, _body, _ = server.get(path)
        assert status in (400, 403), path
    status, body, _ = server.get("/jtdj.json?sql=select+1")
    assert status == 403


def test_internal_tables_and_personal_data_are_not_served(server, ledger):
    folder, _env = ledger
    conn = sqlite3.connect(folder / "jtdj.db")
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    conn.close()
    assert {"migrations", "settings", "mail_log", "units", "owner_tally", "forms"} <= set(names)
    for name in names:  # not one of the ledger's own tables is served
        status, _body, _ = server.get(f"/jtdj/{enc(name)}.json")
        assert status == 404, name
    served = server.json("/jtdj.json")
    text = json.dumps(served, ensure_ascii=False)
    for table in served["tables"]:
        text += json.dumps(server.json(f"/jtdj/{enc(table['name'])}.json?_shape=array&_size=max"),
                           ensure_ascii=False)
    for secret in [*UNITS.values(), MOBILE, "张三", "联系人", "邮箱", "手机", "@example.org"]:
        assert secret not in text, secret


def test_nothing_sent_to_the_web_view_changes_the_ledger(server, ledger):
    folder, _env = ledger
    before = dump(folder / "jtdj.db")
    body = json.dumps({"row": {"编号": "99.9", "工作任务": "x"}}).encode()
    for path in (f"/jtdj/{enc('任务')}", f"/jtdj/{enc('任务')}/-/insert",
                 f"/jtdj/{enc('逾期事项')}", "/jtdj", "/-/weekly", "/"):
        for method in ("POST", "PUT", "DELETE"):
            status, _b, _ = server.get(path, method=method, data=body,
                                       headers={"content-type": "application/json"})
            assert status == 405, (method, path, status)
    status, _b, _ = server.get("/jtdj.json?sql=" + urllib.parse.quote(
        "update tasks set status = 'done'"))
    assert status in (400, 403)
    assert dump(folder / "jtdj.db") == before


def test_robots_are_told_to_stay_away(server):
    status, body, _ = server.get("/robots.txt")
    assert status == 200 and body == "User-agent: *\nDisallow: /\n"
    _s, _b, headers = server.get("/")
    assert headers.get("x-robots-tag") == "noindex, nofollow"


def test_the_view_follows_the_ledger_when_it_changes(server):
    before = query(server, "逾期事项")
    assert before
    first = [r["编号"] for r in before if "@" not in r["编号"]][0]
    ok(server.env, "done", first, "--on", DAY)
    time.sleep(1.2)  # the server looks at the ledger at most once a second
    after = query(server, "逾期事项")
    assert first not in [r["编号"] for r in after]
    summary = json.loads(ok(server.env, "summary", "--format", "json"))
    assert [r["编号"] for r in after] == [r["id"] for r in summary["overdue"]]
    ok(server.env, "reopen", first)
    time.sleep(1.2)
    assert query(server, "逾期事项") == before


@pytest.mark.parametrize("how", ["moved", "garbled"])
def test_a_ledger_gone_while_serving_leaves_the_last_copy_served_and_is_said_once(
        tmp_path, ledger, how):
    """No traceback, no retry said again each second, no empty folder left per retry."""
    folder, _env = ledger
    db = tmp_path / "jtdj.db"
    src, dst = sqlite3.connect(folder / "jtdj.db"), sqlite3.connect(db)
    src.backup(dst)
    src.close(), dst.close()
    temp = tmp_path / "tmp"
    temp.mkdir()
    s = Server({**environment(tmp_path), "TMPDIR": str(temp)}, free_port())
    try:
        before = query(s, "逾期事项")
        assert before
        if how == "moved":
            db.rename(tmp_path / "elsewhere.db")
        else:
            db.write_bytes(b"not a ledger\n" * 500)
        for _ in range(4):
            time.sleep(1.1)  # each a new look at the ledger
            assert query(s, "逾期事项") == before
    finally:
        s.stop()
    log = s.log.read_text(encoding="utf-8")
    assert "Traceback" not in log and "Exception" not in log, log
    assert log.count("网页视图暂时无法从台账更新") == 1, log
    assert [p.name for p in temp.glob("jtdj-web-*/*")] == ["1"]


def test_a_host_other_than_the_loopback_needs_a_password_at_start(tmp_path):
    env = environment(tmp_path)
    done = jtdj(env, "serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert done.returncode == 2
    assert done.stderr.startswith("错误：--host 0.0.0.0") and done.stderr.count("\n") == 1
    assert done.stdout == ""


@pytest.mark.parametrize("host", ["127.0.0.2", "::1", "LOCALHOST"])
def test_any_loopback_address_needs_no_password(ledger, host):
    _folder, env = ledger
    assert ok(env, "serve", "--host", host, "--check").startswith("网址：http://")


def test_serve_check_prints_the_url_and_the_pages_and_exits(ledger):
    _folder, env = ledger
    out = ok(env, "serve", "--check", "--port", "8123")
    lines = out.splitlines()
    assert lines[0] == "网址：http://127.0.0.1:8123/"
    pages = dict(line.split("\t") for line in lines[1:])
    assert pages["首页"] == "http://127.0.0.1:8123/"
    assert {"任务", "本周完成", "逾期事项", "各单位进度", "延期记录", "催办记录",
            "robots.txt"} <= set(pages)


def test_with_a_password_every_page_asks_for_it(tmp_path, ledger):
    _folder, env = ledger
    hashed = ok(env, "serve", "--hash-password", input="s3cret\n").strip()
    assert hashed.startswith("pbkdf2_sha256$")
    config = tmp_path / "config.toml"
    config.write_text(f'[serve]\nuser = "leader"\npassword_hash = "{hashed}"\n', encoding="utf-8")
    env = {**env, "JTDJ_CONFIG": str(config)}
    assert ok(env, "serve", "--host", "0.0.0.0", "--check").startswith("网址：http://0.0.0.0:8001/")
    s = Server(env, free_port())
    try:
        assert s.get("/")[0] == 401
        assert s.get(f"/jtdj/{enc('任务')}.json")[0] == 401
        good = base64.b64encode(b"leader:s3cret").decode()
        bad = base64.b64encode(b"leader:wrong").decode()
        assert s.get("/", headers={"authorization": f"Basic {bad}"})[0] == 401
        assert s.get("/", headers={"authorization": f"Basic {good}"})[0] == 200
    finally:
        s.stop()



CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
                 if Path(p).exists()), None)
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def chromium(tmp_path: Path, size: tuple[int, int], url: str, *what: str) -> str:
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
                           f"--window-size={size[0]},{size[1]}", *what, url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt install chromium)")
@pytest.mark.parametrize("page, path", [("home", "/"), ("table", "/jtdj/~E4~BB~BB~E5~8A~A1?"
                                        + urllib.parse.quote("责任单位") + "="
                                        + urllib.parse.quote("组织科"))])
def test_the_first_page_and_a_table_open_in_a_real_browser_without_sideways_scrolling_on_a_phone(
        server, tmp_path, page, path):
    """Screenshots at 1280×900 and 390×844 (SCREENSHOTS_INTO=docs writes them into docs/, as
    docs/web.md shows them); on the phone the page is no wider than the screen."""
    folder = Path(os.environ.get("SCREENSHOTS_INTO") or tmp_path)
    if not folder.is_absolute():
        folder = ROOT / folder
    for name, size in SIZES.items():
        shot = folder / f"web-{page}-{name}.png"
        chromium(tmp_path, size, server.base + path, f"--screenshot={shot}")
        assert png_size(shot) == size
    url = server.base + path
    if page != "home":  # only the first page carries the script that marks the fit: given here
        from jtdj.web.home import FITS

        status, html, _ = server.get(path)
        assert status == 200 and "data-fits" not in html
        html = html.replace("<head>", f'<head><base href="{server.base}/">', 1)
        html = html.replace("</body>", f"<script>{FITS}</script></body>", 1)
        (tmp_path / "page.html").write_text(html, encoding="utf-8")
        url = (tmp_path / "page.html").as_uri()
    dom = chromium(tmp_path, SIZES["phone"], url, "--dump-dom")
    assert 'data-fits="true"' in dom, "the page scrolls sideways on a 390-pixel phone"


def test_the_tasks_table_reads_as_jtdj_list_does(imported, db_path):
    """任务 as `jtdj list --status all` shows it: 常态推进 in 完成时限 for an ongoing task, and a
    recurring task as its occurrences begun by the day (4.11@2022-05), not as its own row."""
    from datetime import date

    from jtdj.web import data

    store = data.open_ledger(db_path, {})
    tasks = next(tb for tb in data.tables(store, "2022", date(2022, 7, 1))
                 if tb.name == data.table_name("tasks"))
    rows = {r[0]: r for r in tasks.rows}
    store.close()
    assert rows["1.1"][5] == "常态推进"
    assert "4.11@2022-05" in rows and "4.11" not in rows
    assert len(rows) == 119  # as `list --status all` on 07-01
