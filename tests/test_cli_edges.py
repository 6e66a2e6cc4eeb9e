"""The command line as a new user meets it: tables at 80 columns, filters, stores, errors, Ctrl-C.

Every test runs the real CLI in a subprocess (``python -m watchlist``) on real SQLite files,
and crawls against demo sites served on loopback ports.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import run_cli, wait_for_posts, write_site
from rich.cells import cell_len

from watchlist.cli.options import KINDS, STATUSES, choice
from watchlist.demo import World, serve
from watchlist.demo.discuz import DiscuzSite
from watchlist.demo.site import demo_site
from watchlist.errors import UsageError
from watchlist.extract.model import Handle
from watchlist.store import Found, PostRecord, open_store, recent_runs, save_posts
from watchlist.store.queries import summary

ETH = "0xd8a7A5e38C5CCED67d72ab9Ed62C286ff9C730E6"
TRON = "TRKbLazKWT9B2WANByAyTzSMQU53Rpjnan"
LONG_SITE = "demo-xenforo-mirror"
NARROW = {"COLUMNS": "80"}


def seed(db: str, site: str = LONG_SITE, values: tuple[tuple[str, str], ...] = ()) -> None:
    """One post on ``site`` naming each (kind, value) of ``values``."""
    values = values or (("eth", ETH), ("tron", TRON), ("phone", "+8613800138000"))
    text = "出U 联系 " + " ".join(value for _, value in values)
    found = tuple(
        Found(
            Handle(kind, value, text.index(value), text.index(value) + len(value), None, "offered")
        )
        for kind, value in values
    )
    store = open_store(db)
    save_posts(
        store,
        [
            PostRecord(
                url=f"http://127.0.0.1/{site}/thread-1.html#pid1",
                site=site,
                text=text,
                title="收U",
                author="seller",
                fetched_at=datetime.now(UTC),
                otc_score=0.8,
                found=found,
            )
        ],
    )
    store.close()


def widest(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


# 1. Tables fit 80 columns; values are never split.


def test_entries_fit_80_columns_and_keep_every_value_on_one_line(sqlite_url: str) -> None:
    seed(sqlite_url)
    result = run_cli("entries", db=sqlite_url, env=NARROW)
    assert result.code == 0, result.stderr
    assert widest(result.stdout) <= 80, result.stdout
    lines = result.stdout.splitlines()
    assert any(ETH in line for line in lines) and any(TRON in line for line in lines)
    assert "3 entries" in lines


def test_entries_show_a_site_name_whole_and_wide_shows_every_column(sqlite_url: str) -> None:
    seed(sqlite_url, values=(("phone", "+8613800138000"),))
    narrow = run_cli("entries", db=sqlite_url, env=NARROW)
    assert widest(narrow.stdout) <= 80, narrow.stdout
    assert any(LONG_SITE in line for line in narrow.stdout.splitlines()), narrow.stdout
    assert "1 entry" in narrow.stdout.splitlines()
    wide = run_cli("entries", "--wide", db=sqlite_url, env=NARROW)
    header = wide.stdout.splitlines()[0].split()
    assert header[:3] == ["id", "kind", "value"] and header[-2:] == ["last", "seen"]


def test_crawl_summary_fits_80_columns_with_its_headers_whole(seeds: Path, sqlite_url: str) -> None:
    result = run_cli("crawl", "demo", "--seeds", str(seeds), db=sqlite_url, env=NARROW)
    assert result.code == 0, result.stdout + result.stderr
    table = result.stdout.split("crawl summary\n", 1)[1].split("\ndemo: ", 1)[0]
    assert widest(table) <= 80, table
    assert "…" not in table
    words = table.split()
    for header in ("site", "result", "pages", "unchanged", "posts", "entries", "failed", "time"):
        assert header in words, header
    assert widest(result.stdout) <= 80, result.stdout


def test_the_allowlist_and_the_sites_fit_80_columns(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    note = "the exchange's hot wallet, checked by the team against its published list"
    added = run_cli("allow", "add", "eth", ETH, "--note", note, db=sqlite_url)
    assert added.code == 0, added.stderr
    allowed = run_cli("allow", "list", db=sqlite_url, env=NARROW)
    assert widest(allowed.stdout) <= 80 and any(ETH in line for line in allowed.stdout.splitlines())
    assert note in run_cli("allow", "list", "--wide", db=sqlite_url, env=NARROW).stdout
    seeds = tmp_path / "seeds"
    config = {"type": "telegram", "start_urls": ["https://t.me/s/x"], "schedule": "0 */6 * * *"}
    write_site(seeds, {"name": LONG_SITE, **config})
    listed = run_cli("sites", "list", "--seeds", str(seeds), db=sqlite_url, env=NARROW)
    assert listed.code == 0, listed.stderr
    assert widest(listed.stdout) <= 80, listed.stdout
    assert listed.stdout.splitlines()[1].split()[0] == LONG_SITE
    assert listed.stdout.splitlines()[-1] == "1 site"


# 2. Filters are validated.


def test_kind_and_status_take_any_case_and_refuse_what_is_not_a_choice(sqlite_url: str) -> None:
    seed(sqlite_url)
    listed = run_cli("entries", "--json", "--kind", "Phone", "--status", "NEW", db=sqlite_url)
    assert listed.code == 0, listed.stderr
    assert [json.loads(line)["kind"] for line in listed.stdout.splitlines()] == ["phone"]
    for option, value in (("--kind", "phones"), ("--status", "pending")):
        wrong = run_cli("entries", option, value, db=sqlite_url)
        assert wrong.code == 2
        assert wrong.stderr.startswith(f"error: {option}: {value!r} is not one of ")
        assert len(wrong.stderr.splitlines()) == 1
    assert "kakaotalk" in run_cli("entries", "--kind", "x", db=sqlite_url).stderr
    assert "dismissed" in run_cli("entries", "--status", "x", db=sqlite_url).stderr


def test_a_site_that_is_neither_crawled_nor_configured_is_an_error_listing_the_known_ones(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    known = run_cli("entries", "--json", "--site", LONG_SITE.upper(), db=sqlite_url)
    assert known.code == 0 and known.stdout.count("\n") == 3, known.stderr
    seeds = tmp_path / "seeds"
    write_site(
        seeds, {"name": "configured", "type": "telegram", "start_urls": ["https://t.me/s/x"]}
    )
    env = {"WATCHLIST_SEEDS": str(seeds)}
    configured = run_cli("entries", "--site", "configured", db=sqlite_url, env=env)
    assert configured.code == 0 and "0 entries" in configured.stdout, configured.stderr
    for command in (["entries"], ["clusters"]):
        wrong = run_cli(*command, "--site", "nosuch", db=sqlite_url, env=env)
        assert wrong.code == 2, (command, wrong.stderr)
        assert wrong.stderr.startswith("error: --site: no site 'nosuch'")
        assert f"known sites: configured, {LONG_SITE}" in wrong.stderr


def test_entries_help_lists_every_kind_of_the_contract() -> None:
    result = run_cli("entries", "--help")
    assert result.code == 0
    text = " ".join(result.stdout.split())
    for kind in ("kakaotalk", "payment_link", "domain", "bank_card"):
        assert kind in text
    assert all(kind in text for kind in KINDS)


def test_the_kinds_and_statuses_offered_are_those_of_the_extractor_and_the_store() -> None:
    from watchlist.extract.model import KINDS as EXTRACTED
    from watchlist.store.tables import STATUSES as STORED

    assert set(EXTRACTED) <= set(KINDS) and len(KINDS) == 13
    assert STATUSES == STORED


def test_choice_takes_any_case_and_names_the_option_and_the_choices_when_wrong() -> None:
    formats = ("csv", "json", "ndjson")
    assert choice("CSV", formats, "--format") == "csv"
    with pytest.raises(UsageError) as raised:
        choice("xml", formats, "--format")
    assert str(raised.value) == "--format: 'xml' is not one of csv, json, ndjson"
    assert raised.value.exit_code == 2


# 3. A wrong store is never silent.


def test_read_commands_never_create_a_store_and_say_how_to_make_one(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "x.db"
    for command in (["entries"], ["show", "1"], ["history", "1"], ["clusters"], ["allow", "list"]):
        result = run_cli(*command, db=f"sqlite:///{missing}")
        assert result.code == 2, (command, result.stderr)
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"error: no watchlist store at sqlite:///{missing}")
        assert "watchlist crawl" in line and "watchlist demo" in line
    assert not missing.parent.exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    default = run_cli("entries", cwd=elsewhere)
    assert default.code == 2 and str(elsewhere / "watchlist.db") in default.stderr
    assert list(elsewhere.iterdir()) == []


def test_an_empty_database_file_is_no_store_for_a_read(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    result = run_cli("entries", db=str(empty))
    assert result.code == 2 and "the database is empty" in result.stderr
    assert empty.stat().st_size == 0


@pytest.mark.postgres
def test_a_postgresql_database_without_a_watchlist_is_no_store_for_a_read(
    postgres_url: str,
) -> None:
    result = run_cli("entries", db=postgres_url)
    assert result.code == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: no watchlist store at postgresql+psycopg://")
    assert "(the database is empty)" in line
    open_store(postgres_url).close()  # a crawl would create it: then the read works
    assert run_cli("entries", db=postgres_url).code == 0


def test_a_postgresql_server_that_cannot_be_reached_is_one_line() -> None:
    result = run_cli("entries", db=f"postgresql+psycopg://127.0.0.1:{closed_port()}/none")
    assert result.code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: cannot open the database postgresql+psycopg://127.0.0.1:")


def test_a_plain_path_is_a_sqlite_store(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    seed(f"sqlite:///{path}")
    by_env = run_cli("entries", "--json", env={"WATCHLIST_DB": str(path)})
    by_option = run_cli("entries", "--json", "--db", "plain.db", cwd=tmp_path)
    assert by_env.code == 0 and by_env.stdout.count("\n") == 3, by_env.stderr
    assert by_option.stdout == by_env.stdout


def test_a_crawl_creates_its_store_and_says_where(seeds: Path, tmp_path: Path) -> None:
    path = tmp_path / "new" / "watchlist.db"
    result = run_cli("crawl", "demo", "--seeds", str(seeds), db=str(path))
    assert result.code == 0, result.stderr
    assert f"created a new store at {path}" in result.stderr.splitlines()
    again = run_cli("crawl", "demo", "--seeds", str(seeds), db=str(path))
    assert "created a new store" not in again.stderr


# 4. One line, never a traceback.


def test_a_selector_that_does_not_parse_is_one_line_naming_the_field(tmp_path: Path) -> None:
    config = {
        "name": "bad",
        "type": "forum",
        "start_urls": ["http://127.0.0.1:9/"],
        "allow_private": True,
        "selectors": {"thread_links": "a", "post": "div[[", "post_body": "p"},
    }
    path = write_site(tmp_path / "seeds", config)
    result = run_cli("crawl", "bad", "--seeds", str(tmp_path / "seeds"), db=str(tmp_path / "x.db"))
    assert result.code == 2
    assert result.stderr.splitlines() == [
        f"error: {path}: selectors.post: 'div[[' is not a CSS selector "
        "(Expected ident or '*', got <DELIM '[' at 4>)"
    ]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_site_on_a_closed_port_is_one_line_per_failure_class_without_tracebacks(
    tmp_path: Path,
) -> None:
    port = closed_port()
    config = {
        "name": "closed",
        "type": "forum",
        "engine": "phpbb",
        "start_urls": [f"http://127.0.0.1:{port}/viewforum.php?f=2"],
        "allow_private": True,
        "delay": 0,
    }
    write_site(tmp_path / "seeds", config)
    result = run_cli(
        "crawl", "closed", "--seeds", str(tmp_path / "seeds"), db=str(tmp_path / "x.db")
    )
    assert result.code == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().splitlines()[1:] == [
        f"closed: 1 request failed: connection refused (first: {config['start_urls'][0]})",
        "error: crawl failed for closed",
    ]


@pytest.mark.browser
def test_a_browser_site_on_a_closed_port_is_one_line_too(tmp_path: Path) -> None:
    from watchlist import settings
    from watchlist.chromium import find_chromium

    if find_chromium(settings.load().chromium_path).path is None:
        pytest.skip("needs a Chromium")
    url = f"http://127.0.0.1:{closed_port()}/ads"
    config = {
        "name": "closed-ads",
        "type": "ads",
        "render": "browser",
        "start_urls": [url],
        "allow_private": True,
        "delay": 0,
        "selectors": {"thread_links": "a.ad", "post_body": "div.body"},
    }
    write_site(tmp_path / "seeds", config)
    result = run_cli(
        "crawl", "closed-ads", "--seeds", str(tmp_path / "seeds"), db=str(tmp_path / "x.db")
    )
    assert result.code == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().splitlines()[1:] == [
        f"closed-ads: 1 request failed: connection refused (first: {url})",
        "error: crawl failed for closed-ads",
    ]


# 5. Ctrl-C.


def test_ctrl_c_in_a_crawl_says_interrupted_exits_130_and_the_next_run_resumes(
    tmp_path: Path, sqlite_url: str
) -> None:
    world = World(seed=33, boards=2, threads_per_board=30)
    with serve(DiscuzSite(world), delay=0.02) as running:
        config = demo_site(world, running.base_url, name="forum").model_dump()
        config["concurrency"] = 2
        write_site(tmp_path / "seeds", config)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
        env |= {"WATCHLIST_DB": sqlite_url, "PYTHONUTF8": "1"}
        args = ["crawl", "forum", "--seeds", str(tmp_path / "seeds")]
        process = subprocess.Popen(
            [sys.executable, "-m", "watchlist", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for_posts(sqlite_url, at_least=50, process=process)  # type: ignore[arg-type]
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=120)
        finally:
            process.kill()
        assert process.returncode == 130, out + err
        assert err.strip().splitlines()[-1] == "interrupted — run again to resume"
        assert "FAILED" not in out + err and "shutdown" not in out + err
        store = open_store(sqlite_url)
        (run,) = recent_runs(store, "forum")
        stored = summary(store).posts
        store.close()
        assert run.finish_reason == "interrupted" and not run.ok
        assert stored < sum(1 for _ in world.posts()), "the crawl was interrupted midway"

        resumed = run_cli(*args, db=sqlite_url)

    assert resumed.code == 0, resumed.stdout + resumed.stderr
    store = open_store(sqlite_url)
    assert summary(store).posts == sum(1 for _ in world.posts())
    store.close()


# 6. Usage errors: exit 2, one line, the same form as ours; plurals.


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["entries", "--nope"], "error: no such option: --nope"),
        (["show", "x"], "error: ID: input should be a valid integer"),
        (["show"], "error: missing argument 'ID'"),
        (["entries", "--limit", "-1"], "error: --limit: input should be greater than"),
        (["nosuch"], "error: no such command 'nosuch'"),
    ],
    ids=["option", "argument", "missing", "range", "command"],
)
def test_a_usage_error_is_one_error_line_and_exit_2(args: list[str], start: str) -> None:
    result = run_cli(*args)
    assert result.code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(start) and line.endswith("--help)"), line


def test_counts_are_said_with_the_right_plural(sqlite_url: str) -> None:
    seed(sqlite_url, values=(("phone", "+8613800138000"),))
    assert "1 entry" in run_cli("entries", db=sqlite_url).stdout.splitlines()
    allowed = run_cli("allow", "list", db=sqlite_url)
    assert allowed.stdout.splitlines()[-1] == "0 values"


# 7. The demo says how to run `watchlist` when it is not on PATH.


def test_the_demo_names_the_venv_script_when_watchlist_is_not_on_path(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        from watchlist.cli.demo import watchlist_command
        print(watchlist_command())
        """
    )
    bin_dir = str(Path(sys.executable).parent)
    elsewhere = {**os.environ, "PATH": "/usr/bin:/bin"}
    on_path = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    run = [sys.executable, "-c", script]
    root = Path(bin_dir).parents[1]

    def said(env: dict[str, str], cwd: Path) -> str:
        done = subprocess.run(run, env=env, cwd=cwd, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    assert said(elsewhere, tmp_path) == str(Path(bin_dir) / "watchlist")
    assert said(elsewhere, root) == str((Path(bin_dir) / "watchlist").relative_to(root))
    assert said(on_path, tmp_path) == "watchlist"


def test_make_says_what_it_installs_before_pip_runs() -> None:
    root = Path(__file__).parents[1]
    plan = subprocess.run(
        ["make", "-n", "-B", ".venv/.installed"], cwd=root, capture_output=True, text=True
    ).stdout
    said = plan.index("installing the pinned dependencies")
    assert said < plan.index("pip install")


# 8. The progress line and the summary count the same things.


def test_the_last_progress_line_counts_what_the_summary_counts(
    seeds: Path, sqlite_url: str
) -> None:
    script = textwrap.dedent(
        f"""
        import json
        from crawlers.runner import crawl_sites
        from watchlist.sites import find_site
        from pathlib import Path

        seen = []
        reports = crawl_sites(
            [find_site("demo", Path({str(seeds)!r}))], {sqlite_url!r}, on_progress=seen.append
        )
        site, report = seen[-1].sites["demo"], reports[0]
        print(json.dumps({{
            "progress": [site.pages, site.unchanged, site.posts, site.failed],
            "report": [report.pages, report.unchanged, report.posts, report.failed_requests],
            "images": report.images,
        }}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout.splitlines()[-1])
    assert counts["progress"] == counts["report"]
    assert counts["report"][0] > 0 and counts["report"][2] > 0
    assert counts["images"] > 0  # images were fetched, and are not counted as pages


def test_a_browser_request_that_fails_is_classed_like_a_plain_one() -> None:
    from playwright._impl._errors import Error
    from twisted.python.failure import Failure

    from crawlers.health import failure_class

    for code, label in (
        ("ERR_CONNECTION_REFUSED", "connection refused"),
        ("ERR_NAME_NOT_RESOLVED", "host does not resolve"),
        ("ERR_TIMED_OUT", "timed out"),
        ("ERR_UNSAFE_PORT", "browser: net::ERR_UNSAFE_PORT"),
    ):
        error = Error(f"Page.goto: net::{code} at http://127.0.0.1:9/ads")
        assert failure_class(Failure(error)) == label
