"""A site config that would hang or crash a crawl is refused at load time: exit 2, one line.

Through the real CLI in a subprocess, next to a healthy site on loopback that must see no
request at all: a bad config stops everything before the first one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import CliResult, run_cli, write_site

from watchlist.demo import World, serve
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site

WORLD = World(seed=61, boards=1, threads_per_board=2)


@pytest.fixture
def healthy() -> Iterator[RunningServer]:
    with serve(WORLD) as running:
        yield running


def seeds_with(tmp_path: Path, healthy: RunningServer, hostile_yaml: str) -> Path:
    """A seeds folder with the healthy ``demo`` site and ``hostile.yaml`` holding the text."""
    folder = tmp_path / "seeds"
    write_site(folder, demo_site(WORLD, healthy.base_url, name="demo").model_dump())
    (folder / "sites" / "hostile.yaml").write_text(hostile_yaml, encoding="utf-8")
    return folder


def hostile_config(healthy: RunningServer, **changes: object) -> str:
    config = demo_site(WORLD, healthy.base_url, name="hostile").model_dump()
    for dotted, value in changes.items():
        *parents, key = dotted.split("__")
        target = config
        for parent in parents:
            target = target[parent]
        target[key] = value
    return yaml.safe_dump(config)


def assert_refused_in_one_line(result: CliResult, healthy: RunningServer, *expected: str) -> None:
    assert result.code == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "hostile.yaml" in lines[0]
    for part in expected:
        assert part in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert dict(healthy.hits) == {}  # not even the healthy site was asked for anything


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("delay", float("inf"), "delay: Input should be a finite number"),
        ("delay", float("nan"), "delay: Input should be a finite number"),
        ("delay", 1e300, "delay: Input should be less than or equal to 3600"),
        ("request_deadline", float("inf"), "request_deadline: Input should be a finite number"),
        (
            "expect__max_failed_share",
            float("nan"),
            "expect.max_failed_share: Input should be a finite number",
        ),
    ],
    ids=["delay-inf", "delay-nan", "delay-huge", "deadline-inf", "share-nan"],
)
def test_a_number_that_is_not_finite_or_is_absurd_is_a_config_error_naming_the_field(
    tmp_path: Path, sqlite_url: str, healthy: RunningServer, field: str, value: float, message: str
) -> None:
    seeds = seeds_with(tmp_path, healthy, hostile_config(healthy, **{field: value}))

    result = run_cli("crawl", "--all", "--seeds", str(seeds), db=sqlite_url)

    assert_refused_in_one_line(result, healthy, message)


def test_yaml_nested_a_hundred_thousand_deep_is_a_config_error(
    tmp_path: Path, sqlite_url: str, healthy: RunningServer
) -> None:
    depth = 100_000
    hostile = hostile_config(healthy) + "cookies: " + "[" * depth + "]" * depth + "\n"
    seeds = seeds_with(tmp_path, healthy, hostile)

    result = run_cli("crawl", "--all", "--seeds", str(seeds), db=sqlite_url)

    assert_refused_in_one_line(result, healthy, "nested too deeply")


def test_the_finite_numbers_of_a_sane_config_still_load_and_crawl(
    tmp_path: Path, sqlite_url: str, healthy: RunningServer
) -> None:
    sane = hostile_config(healthy, delay=0.0, expect__max_failed_share=0.25)
    seeds = seeds_with(tmp_path, healthy, sane)

    result = run_cli("crawl", "hostile", "--seeds", str(seeds), db=sqlite_url)

    assert result.code == 0, result.stdout + result.stderr
    assert healthy.hits["/robots.txt"] == 1
