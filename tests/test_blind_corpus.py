"""The blind labelled corpus (tests/data/blind/): its size, balance and the validity of its labels.

The corpus was written by a helper who had not read the extractor; these tests check the corpus
itself with bench/corpus_tools.py's independent validator and never run the extractor.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "tests" / "data" / "blind"
MARKETS = ("cn", "hk", "tw", "my", "vn", "ph", "ng", "ke", "kr", "ru", "tr", "us", "uk")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


tools = _load("blind_corpus_tools", ROOT / "bench" / "corpus_tools.py")
make_values = _load("blind_make_values", BLIND / "make_values.py")


@pytest.fixture(scope="module")
def posts() -> list[Any]:
    return list(tools.load_corpus(BLIND))


def test_the_corpus_loads_at_least_400_posts(posts: list[Any]) -> None:
    assert len(posts) >= 400


def test_at_least_40_percent_of_the_posts_are_negatives(posts: list[Any]) -> None:
    negatives = sum(post.is_negative for post in posts)
    assert negatives / len(posts) >= 0.40


def test_every_market_has_at_least_20_posts(posts: list[Any]) -> None:
    per_market = Counter(post.market for post in posts)
    assert {market: per_market[market] for market in MARKETS if per_market[market] < 20} == {}
    assert set(per_market) <= {*MARKETS, "global"}


def test_every_post_states_its_market_and_otc_flag(posts: list[Any]) -> None:
    missing = [p.id for p in posts if p.market is None or not isinstance(p.otc, bool)]
    assert missing == []


def test_post_ids_are_unique_and_start_with_their_market(posts: list[Any]) -> None:
    counts = Counter(post.id for post in posts)
    assert [i for i, n in counts.items() if n > 1] == []
    assert [p.id for p in posts if not p.id.startswith(f"{p.market}-")] == []


def test_every_label_is_valid_canonical_and_found_in_its_text(posts: list[Any]) -> None:
    problems = {post.id: tools.label_problems(post) for post in posts}
    assert {i: why for i, why in problems.items() if why} == {}


def test_every_label_has_a_role_and_a_known_kind(posts: list[Any]) -> None:
    bad = [
        (p.id, label.kind, label.role)
        for p in posts
        for label in p.expected
        if label.role not in tools.ROLES or label.kind not in tools.KINDS
    ]
    assert bad == []


def test_values_are_written_plainly_unless_a_style_says_they_are_obfuscated(
    posts: list[Any],
) -> None:
    hidden = [
        (p.id, label.value)
        for p in posts
        if not any(make_values.OBFUSCATED.search(style) for style in p.styles)
        for label in p.expected
        if not make_values.plain_found(p.text, label.kind, label.value)
    ]
    assert hidden == []


def test_languages_are_corpus_languages_or_iso_codes(posts: list[Any]) -> None:
    assert sorted({p.lang for p in posts if not tools.lang_ok(p.lang)}) == []


def test_negative_posts_carry_only_neg_styles_and_positives_none(posts: list[Any]) -> None:
    wrong = [
        p.id
        for p in posts
        if any(style.startswith("neg_") for style in p.styles) != p.is_negative
        or (p.is_negative and not all(style.startswith("neg_") for style in p.styles))
    ]
    assert wrong == []


def test_every_style_tag_is_documented_in_the_readme(posts: list[Any]) -> None:
    used = {style for post in posts for style in post.styles}
    assert sorted(used - tools.documented_styles(BLIND / "README.md")) == []


def test_both_otc_flags_and_every_role_occur(posts: list[Any]) -> None:
    assert {p.otc for p in posts} == {True, False}
    assert {label.role for p in posts for label in p.expected} == set(tools.ROLES)


def test_the_validator_rejects_a_kakaotalk_id_that_is_not_lower_case() -> None:
    post = tools.Post(
        id="kr-test-1",
        lang="ko",
        styles=("kakao_cue",),
        text="카톡 Usdt_Kim77",
        expected=(tools.Label("kakaotalk", "Usdt_Kim77", "offered"),),
        source="test",
        market="kr",
        otc=True,
    )
    assert any("KakaoTalk" in why for why in tools.label_problems(post))


def test_the_corpus_tools_never_import_the_extractor() -> None:
    for path in (ROOT / "bench" / "corpus_tools.py", BLIND / "make_values.py"):
        source = path.read_text(encoding="utf-8")
        assert re.findall(r"^\s*(?:from|import)\s+watchlist\b.*", source, re.MULTILINE) == []
