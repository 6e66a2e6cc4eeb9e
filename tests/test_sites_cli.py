"""``watchlist sites detect | add | check | list`` end to end: the CLI in a subprocess, real
Scrapy, the demo sites (and a forum in no known engine's markup) on loopback."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import run_cli, write_site
from typer.main import get_command

from watchlist.cli import full_app
from watchlist.demo import World, serve
from watchlist.demo.catalog import spec
from watchlist.demo.page import Page, html_page
from watchlist.demo.server import RunningServer
from watchlist.drafts import PROPOSED
from watchlist.sites import load_site

pytestmark = pytest.mark.slow


app = full_app()


class UnknownForum:
    """The demo world in markup of no engine we know: boards, threads, dated replies."""

    def __init__(self, world: World) -> None:
        self.world = world

    def render(self, target: str) -> Page:
        parts = urlsplit(target)
        page = int(parse_qs(parts.query).get("page", ["1"])[0])
        if parts.path == "/":
            return Page(302, "text/plain", b"", (("Location", "/board/2"),))
        kind, _, number = parts.path.strip("/").partition("/")
        if kind == "board" and number.isdigit() and int(number) in self.world.board_ids():
            return html_page(200, self._board(int(number), page))
        if kind == "t" and number.isdigit() and self.world.has_thread(int(number)):
            return html_page(200, self._thread(int(number), page))
        return html_page(404, "<h1>not found</h1>")

    def _board(self, fid: int, page: int) -> str:
        rows = []
        for tid in self.world.board_thread_ids(fid, page):
            thread = self.world.thread(tid)
            starter = html.escape(self.world.user_name(thread.author_uid))
            rows.append(
                f'<li class="thread"><h3 class="thread-title"><a href="/t/{tid}">'
                f'{html.escape(thread.title)}</a></h3><span class="by">by <a href="/member/'
                f'{thread.author_uid}">{starter}</a></span><span class="replies">'
                f"{thread.post_count - 1} replies</span></li>"
            )
        more = ""
        if page < self.world.board_page_count(fid):
            more = f'<nav><a rel="next" href="/board/{fid}?page={page + 1}">Next</a></nav>'
        name = html.escape(self.world.board_name(fid))
        return (
            f"<html><head><title>{name}</title></head><body><header><a href='/'>Home</a>"
            f"</header><main><h1>{name}</h1><ul class='threads'>{''.join(rows)}</ul>{more}"
            "</main></body></html>"
        )

    def _thread(self, tid: int, page: int) -> str:
        posts = "".join(
            f'<article class="reply" id="reply-{p.post_id}"><header><a class="who" '
            f'href="/member/{p.author_uid}">{html.escape(p.author)}</a> <time datetime="'
            f'{p.posted_at}">{p.posted_at[:16].replace("T", " ")}</time></header>'
            '<div class="words">'
            + "<br>".join(html.escape(line) for line in p.text.splitlines())
            + "</div></article>"
            for p in self.world.thread_posts(tid, page)
        )
        title = html.escape(self.world.thread(tid).title)
        return (
            f"<html><head><title>{title}</title></head><body><main><h1 class='headline'>{title}"
            f"</h1><section class='replies'>{posts}</section></main></body></html>"
        )


@pytest.fixture(scope="module")
def unknown_forum() -> Iterator[RunningServer]:
    with serve(UnknownForum(World(seed=7, boards=1, threads_per_board=14))) as server:
        yield server


@pytest.fixture(scope="module")
def phpbb() -> Iterator[RunningServer]:
    with serve(spec("demo-phpbb").site("")) as server:
        yield server


def _sites(seeds: Path) -> list[Path]:
    return sorted((seeds / "sites").glob("*.yaml"))


def test_every_sites_command_has_help_with_an_example() -> None:
    group = get_command(app).commands["sites"]  # type: ignore[attr-defined]
    assert set(group.commands) == {"detect", "add", "check", "list"}
    for command in group.commands.values():
        assert "Example:" in (command.help or ""), command.name


def test_detect_names_the_engine_with_its_evidence(phpbb: RunningServer) -> None:
    result = run_cli("sites", "detect", f"{phpbb.base_url}/viewforum.php?f=2", "--allow-private")
    assert result.code == 0, result.stderr
    assert "engine: phpBB (preset: phpbb)" in result.stdout
    assert 'markup <body id="phpbb">' in result.stdout


def test_detect_asks_discourse_json_when_the_page_itself_says_nothing() -> None:
    with serve(spec("demo-discourse").site("")) as server:
        url = f"{server.base_url}/c/usdt-otc/2"
        result = run_cli("sites", "detect", url, "--allow-private", "--json")
    assert result.code == 0, result.stderr
    found = json.loads(result.stdout)
    assert (found["engine"], found["preset"]) == ("discourse", "discourse")
    assert "JSON endpoint /latest.json answers a Discourse topic list" in found["evidence"]
    assert server.hits["/latest.json"] == 1


def test_detect_refuses_a_private_address_like_a_crawl_and_sends_nothing(
    phpbb: RunningServer,
) -> None:
    before = sum(phpbb.hits.values())
    result = run_cli("sites", "detect", f"{phpbb.base_url}/viewforum.php?f=3")
    assert result.code == 2
    assert result.stderr.startswith("error:") and "--allow-private" in result.stderr
    assert sum(phpbb.hits.values()) == before


def test_add_writes_the_preset_config_and_dry_runs_it_outside_the_users_database(
    phpbb: RunningServer, tmp_path: Path
) -> None:
    seeds, user_db = tmp_path / "seeds", tmp_path / "user.db"
    url = f"{phpbb.base_url}/viewforum.php?f=2"
    args = ("sites", "add", url, "--allow-private", "--seeds", str(seeds), "--name", "board")
    result = run_cli(*args, "--pages", "6", db=f"sqlite:///{user_db}")
    assert result.code == 0, result.stderr
    site = load_site(seeds / "sites" / "board.yaml")
    assert (site.engine, site.start_urls, site.allow_private) == ("phpbb", [url], True)
    assert "# Engine: phpBB (preset: phpbb)" in (seeds / "sites" / "board.yaml").read_text()
    assert "6 pages fetched" in result.stdout and "handles by kind:" in result.stdout
    assert "\x1b" not in result.stdout  # a hostile author name prints inertly
    assert not user_db.exists()
    again = run_cli(*args, db=f"sqlite:///{user_db}")
    assert again.code == 2 and "exists; pass --force" in again.stderr


# The new presets' demo sites: (demo, a start path, the engine's name, one evidence line).
NEW_PRESETS = {
    "demo-wordpress": ("/category/otc-2/", "WordPress 6.9", "REST API link (api.w.org)"),
    "demo-mybb": ("/forumdisplay.php?fid=2", "MyBB", "MyBB script (var my_post_key ="),
    "demo-vbulletin": (
        "/forumdisplay.php?f=2",
        "vBulletin 4.2.5",
        'markup <html id="vbulletin_html"> (vBulletin 4)',
    ),
    "demo-flarum": ("/t/otc-2", "Flarum", 'Flarum markup (id="flarum-loading")'),
    "demo-nodebb": ("/category/2/otc-2", "NodeBB", "header X-Powered-By: NodeBB"),
}


@pytest.mark.parametrize("demo", list(NEW_PRESETS))
def test_detect_names_each_new_preset_with_its_evidence_and_add_writes_the_preset(
    demo: str, tmp_path: Path
) -> None:
    path, name, evidence = NEW_PRESETS[demo]
    preset = demo.removeprefix("demo-")
    with serve(spec(demo).site("")) as server:
        url = server.base_url + path
        found = run_cli("sites", "detect", url, "--allow-private")
        seeds = tmp_path / "seeds"
        args = ("sites", "add", url, "--allow-private", "--seeds", str(seeds), "--name", "x")
        added = run_cli(*args, "--pages", "4", db=f"sqlite:///{tmp_path / 'user.db'}")
    assert found.code == 0, found.stderr
    assert f"engine: {name} (preset: {preset})" in found.stdout
    assert evidence in found.stdout
    assert added.code == 0, added.stderr
    site = load_site(seeds / "sites" / "x.yaml")
    assert (site.engine, site.start_urls, site.selectors.model_dump(exclude_none=True)) == (
        preset,
        [url],
        {},
    )


def test_add_proposes_selectors_for_an_unknown_engine_and_the_dry_run_reads_posts(
    unknown_forum: RunningServer, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    home = f"{unknown_forum.base_url}/"  # redirects to the board
    result = run_cli("sites", "add", home, "--allow-private", "--seeds", str(seeds), "--pages", "5")
    assert result.code == 0, result.stderr
    [path] = _sites(seeds)
    assert path.stem == "127-0-0-1-" + str(unknown_forum.port)
    assert load_site(path).start_urls == [f"{unknown_forum.base_url}/board/2"]
    text = path.read_text(encoding="utf-8")
    assert "# Engine: unknown" in text and PROPOSED in text
    selectors = load_site(path).selectors
    assert selectors.post == "article.reply" and selectors.post_body == "div.words"
    assert selectors.author == "a.who" and selectors.posted_at == "time"
    assert selectors.next_page == "a[rel~=next]"
    assert "every thread re-read: no thread_mark" in result.stdout
    assert "no posts found" not in result.stdout and "handles:" in result.stdout
    assert " posts  " in result.stdout and "(no author)" not in result.stdout


def test_add_writes_nothing_when_the_page_offers_no_structure_to_propose_from(
    unknown_forum: RunningServer, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    url = f"{unknown_forum.base_url}/t/3"  # a thread page: no thread links to follow
    result = run_cli("sites", "add", url, "--allow-private", "--seeds", str(seeds))
    assert result.code == 1
    assert result.stderr.startswith("error:") and "by hand (docs/sites.md)" in result.stderr
    assert not _sites(seeds)


def test_add_of_a_telegram_preview_writes_a_telegram_site(tmp_path: Path) -> None:
    with serve(spec("demo-telegram").site("")) as server:
        url = f"{server.base_url}/s/otc_gongxu_demo"
        seeds = tmp_path / "seeds"
        result = run_cli(
            "sites", "add", url, "--allow-private", "--seeds", str(seeds), "--pages", "2"
        )
    assert result.code == 0, result.stderr
    [path] = _sites(seeds)
    site = load_site(path)
    assert (site.type, site.engine) == ("telegram", None)
    assert "posts" in result.stdout


def test_check_says_what_looks_wrong_and_fails_when_no_post_is_read(
    unknown_forum: RunningServer, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    config = {
        "name": "broken",
        "type": "forum",
        "start_urls": [f"{unknown_forum.base_url}/board/2"],
        "allow_private": True,
        "delay": 0,
        "selectors": {"thread_links": "h3 a", "post": "div.nothing-here", "post_body": "div"},
    }
    write_site(seeds, config)
    result = run_cli("sites", "check", "broken", "--seeds", str(seeds), "--pages", "3")
    assert result.code == 1
    assert "no posts found: check the post and post_body selectors" in result.stdout
    assert "thread pages showed no post" in result.stdout
    assert result.stderr.startswith("error: the dry run of broken read no posts")


def test_check_of_a_good_config_lists_posts_without_dates_and_authors(
    unknown_forum: RunningServer, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    config = {
        "name": "nodates",
        "type": "forum",
        "start_urls": [f"{unknown_forum.base_url}/board/2"],
        "allow_private": True,
        "delay": 0,
        "selectors": {"thread_links": "h3 a", "post": "article.reply", "post_body": "div.words"},
    }
    write_site(seeds, config)
    result = run_cli("sites", "check", "nodates", "--seeds", str(seeds), "--pages", "3")
    assert result.code == 0, result.stderr
    assert "posts have no date: check posted_at" in result.stdout
    assert "posts have no author: check author" in result.stdout


def test_list_shows_each_site_with_type_engine_schedule_and_last_crawl(
    unknown_forum: RunningServer, tmp_path: Path
) -> None:
    seeds, db = tmp_path / "seeds", f"sqlite:///{tmp_path / 'w.db'}"
    forum = {
        "name": "crawled",
        "type": "forum",
        "start_urls": [f"{unknown_forum.base_url}/board/2"],
        "allow_private": True,
        "delay": 0,
        "max_pages": 3,
        "schedule": "0 */6 * * *",
        "selectors": {"thread_links": "h3 a", "post": "article.reply", "post_body": "div.words"},
    }
    write_site(seeds, forum)
    write_site(seeds, {**forum, "name": "waiting", "schedule": None, "engine": "phpbb"})
    crawl = run_cli("crawl", "crawled", "--seeds", str(seeds), db=db)
    assert crawl.code == 0, crawl.stderr
    result = run_cli("sites", "list", "--seeds", str(seeds), db=db)
    assert result.code == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    rows = {line.split()[0]: line.rstrip() for line in lines if line.split()}
    assert header.split()[-3:] == ["pages", "posts", "result"]
    assert rows["crawled"].endswith("ok") and "0 */6 * * *" in rows["crawled"]
    assert "forum" in rows["crawled"]
    assert "never" in rows["waiting"] and "phpbb" in rows["waiting"]
    assert "2 sites" in result.stdout
