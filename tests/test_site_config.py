"""Bad site configs fail before any request, in one line naming the file and the field."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from conftest import run_cli, write_site

from watchlist.errors import ConfigError
from watchlist.sites import find_site, load_site

GOOD = {
    "name": "otc",
    "type": "forum",
    "engine": "discuz",
    "start_urls": ["http://127.0.0.1:9/forum-2-1.html"],
    "allow_private": True,
    "delay": 0,
}


def config(**changes: object) -> dict[str, object]:
    merged = {**GOOD, **changes}
    return {k: v for k, v in merged.items() if v is not None}


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        (config(type=None, engine=None), "type", "Field required"),
        (config(start_urls=None), "start_urls", "Field required"),
        (config(max_pages="many"), "max_pages", "valid integer"),
        (config(delay=-1), "delay", "greater than or equal to 0"),
        (config(engine="invision"), "engine", "unknown engine 'invision'"),
        (config(start_urls=["ftp://x.example/"]), "start_urls", "not an http(s) URL"),
        (config(allow_private=False), "config", "private address"),
        (config(colour="red"), "colour", "Extra inputs are not permitted"),
        (config(schedule="every day"), "schedule", "cron"),
        (config(schedule="99 99 99 99 99"), "schedule", "cron"),
        (config(schedule="0 0 31 2 * *"), "schedule", "five-field"),
        (config(selectors={"next_page": "a["}), "selectors.next_page", "not a CSS selector"),
    ],
)
def test_invalid_config_raises_config_error_naming_file_and_field(
    tmp_path: Path, raw: dict[str, object], field: str, message: str
) -> None:
    path = write_site(tmp_path, raw, "otc.yaml")
    with pytest.raises(ConfigError) as caught:
        load_site(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: {field}: ")
    assert message in text
    assert "\n" not in text


def test_file_that_is_not_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "sites" / "broken.yaml"
    path.parent.mkdir()
    path.write_text("name: [unclosed\n  type: forum", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.yaml: not valid YAML"):
        load_site(path)


def test_selectors_override_the_engine_preset(tmp_path: Path) -> None:
    write_site(tmp_path, config(selectors={"post_body": "div.message"}), "otc.yaml")
    selectors = find_site("otc", tmp_path).resolved_selectors()
    assert selectors.post_body == "div.message"
    assert selectors.thread_links == "a.xst"


def test_forum_without_engine_needs_its_selectors(tmp_path: Path) -> None:
    path = write_site(tmp_path, config(engine=None), "otc.yaml")
    with pytest.raises(ConfigError, match="thread_links, post, post_body are needed"):
        load_site(path)


@pytest.mark.parametrize(
    "raw",
    [
        config(type=None, engine=None),
        config(max_pages="many"),
        config(engine="invision"),
        "name: [unclosed\n  type: forum",
    ],
    ids=["missing-field", "wrong-type", "unknown-engine", "not-yaml"],
)
def test_crawl_with_bad_config_prints_one_line_and_exits_2(
    tmp_path: Path, sqlite_url: str, raw: dict[str, object] | str
) -> None:
    if isinstance(raw, str):
        (tmp_path / "sites").mkdir()
        (tmp_path / "sites" / "otc.yaml").write_text(raw, encoding="utf-8")
    else:
        write_site(tmp_path, raw, "otc.yaml")
    result = run_cli("crawl", "otc", "--seeds", str(tmp_path), db=sqlite_url)
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "otc.yaml" in lines[0]


def test_crawl_of_an_unknown_site_exits_2(tmp_path: Path, sqlite_url: str) -> None:
    write_site(tmp_path, config(), "otc.yaml")
    result = run_cli("crawl", "nope", "--seeds", str(tmp_path), db=sqlite_url)
    assert result.code == 2
    assert "no site named 'nope'" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_start_url_ends_with_a_summary_naming_the_error_and_exit_1(
    tmp_path: Path, sqlite_url: str
) -> None:
    port = free_port()  # nothing listens there once the socket is closed
    write_site(tmp_path, config(start_urls=[f"http://127.0.0.1:{port}/forum-2-1.html"]))
    result = run_cli("crawl", "otc", "--seeds", str(tmp_path), db=sqlite_url)
    assert result.code == 1
    assert "otc: FAILED" in result.stdout
    assert "Connection was refused" in result.stdout
    assert "crawl failed for otc" in result.stderr


def test_a_config_naming_an_engine_is_a_forum_without_saying_so(tmp_path: Path) -> None:
    write_site(tmp_path, config(type=None, engine="wordpress"), "otc.yaml")
    assert find_site("otc", tmp_path).type == "forum"
