"""The labelled extraction corpus is sound, and the extractor meets its quality bar on it.

The first group proves the ground truth: enough posts and hard negatives, documented style tags,
and every label valid and canonical by an independent validator (bench/corpus_tools.py, which
does not import the extractor). The second group runs the benchmark and holds every kind to
precision 0.99 and recall 0.97.
"""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "extraction"
sys.path.insert(0, str(ROOT / "bench"))

import corpus_tools  # noqa: E402
import extract_quality  # noqa: E402
from corpus_tools import Label, Post  # noqa: E402

MIN_POSTS_PER_STYLE = 8


@pytest.fixture(scope="module")
def posts() -> list[Post]:
    """The whole corpus."""
    return corpus_tools.load_corpus(CORPUS)


def test_corpus_has_at_least_400_posts(posts: list[Post]) -> None:
    assert len(posts) >= 400


def test_corpus_has_at_least_120_hard_negatives(posts: list[Post]) -> None:
    assert sum(post.is_negative for post in posts) >= 120


def test_corpus_covers_the_three_languages(posts: list[Post]) -> None:
    languages = Counter(post.lang for post in posts)
    assert set(languages) == set(corpus_tools.LANGS)
    assert min(languages.values()) >= 30


def test_post_ids_are_unique(posts: list[Post]) -> None:
    duplicates = [pid for pid, n in Counter(post.id for post in posts).items() if n > 1]
    assert duplicates == []


def test_every_style_tag_is_documented_and_every_documented_tag_is_used(
    posts: list[Post],
) -> None:
    documented = corpus_tools.documented_styles(CORPUS / "README.md")
    used = {style for post in posts for style in post.styles}
    assert used - documented == set(), "tags used but not in README.md"
    assert documented - used == set(), "tags in README.md that no post uses"


def test_every_style_has_enough_posts_for_a_figure(posts: list[Post]) -> None:
    counts = Counter(style for post in posts for style in post.styles)
    thin = {style: n for style, n in counts.items() if n < MIN_POSTS_PER_STYLE}
    assert thin == {}


def test_every_post_has_a_known_language_styles_kinds_and_roles(posts: list[Post]) -> None:
    problems = [
        post.id
        for post in posts
        if post.lang not in corpus_tools.LANGS
        or not post.styles
        or not post.text.strip()
        or any(label.kind not in corpus_tools.KINDS for label in post.expected)
        or any(label.role not in corpus_tools.ROLES for label in post.expected)
    ]
    assert problems == []


def test_every_hard_negative_names_its_trap(posts: list[Post]) -> None:
    untagged = [
        post.id
        for post in posts
        if post.is_negative and not any(style.startswith("neg_") for style in post.styles)
    ]
    assert untagged == []


def test_every_label_is_valid_canonical_and_found_in_its_text(posts: list[Post]) -> None:
    problems = [
        f"{post.id} ({post.source}): {problem}"
        for post in posts
        for problem in corpus_tools.label_problems(post)
    ]
    assert problems == []


def _post(*labels: tuple[str, str], text: str) -> Post:
    return Post(
        id="t-1",
        lang="zh",
        styles=("plain",),
        text=text,
        expected=tuple(Label(kind, value, "offered") for kind, value in labels),
        source="test",
    )


@pytest.mark.parametrize(
    ("labels", "text"),
    [
        ((("phone", "13800138000"),), "13800138000"),  # not E.164
        ((("phone", "+8612345678901"),), "12345678901"),  # not a valid number
        ((("wechat", "YunQW520"),), "YunQW520"),  # not lower-case
        ((("wechat", "632144"),), "632144"),  # digits only
        ((("qq", "0123456"),), "0123456"),  # leading zero
        ((("bank_card", "6217001234567890124"),), "6217001234567890124"),  # Luhn fails
        ((("bank_card", "1700000000009"),), "1700000000009"),  # Luhn passes, no issuer
        (
            (("eth", "0xdac17f958d2ee523a2206206994597c13d831ec7"),),
            "0xdac17f958d2ee523a2206206994597c13d831ec7",
        ),
        (
            (("btc", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),),
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        ),
        ((("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"),), "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"),
        ((("alipay", "+8613800138000"),), "13800138000"),  # without its phone label
        ((("payment_link", "https://qr.alipay.com/FKX123"),), "https://qr.alipay.com/FKX123"),
        ((("domain", "pay.fastu.com.cn"),), "pay.fastu.com.cn"),  # not the registered domain
        ((("domain", "t.me"),), "t.me"),
        ((("email", "Eric@Example.com"),), "Eric@Example.com"),
        ((("telegram", "usdtking"),), "nothing here"),  # not in the text
        ((("qq", "27749709"), ("qq", "27749709")), "27749709"),  # listed twice
    ],
)
def test_validator_rejects_bad_labels(labels: tuple[tuple[str, str], ...], text: str) -> None:
    assert corpus_tools.label_problems(_post(*labels, text=text)) != []


def test_validator_accepts_good_labels() -> None:
    post = _post(
        ("phone", "+8613800138000"),
        ("alipay", "+8613800138000"),
        ("wechat", "+8613800138000"),
        ("eth", "0xdAC17F958D2ee523a2206206994597C13D831ec7"),
        ("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
        ("domain", "fastu.com.cn"),
        text="支付宝 １３８ ００１３ ８０００（微信同号）"
        "0xdac17f958d2ee523a2206206994597c13d831ec7 "
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 hxxps://pay.fastu[.]com.cn/",
    )
    assert corpus_tools.label_problems(post) == []


def _generator() -> ModuleType:
    sys.path.insert(0, str(CORPUS))
    return importlib.import_module("generate")


def test_corpus_is_what_its_seeded_generator_writes(tmp_path: Path) -> None:
    _generator().main(tmp_path)
    written = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.glob("*.jsonl")}
    stored = {path.name: path.read_text(encoding="utf-8") for path in CORPUS.glob("*.jsonl")}
    assert written == stored


@pytest.fixture(scope="module")
def report(posts: list[Post]) -> extract_quality.Report:
    """The benchmark's measurements of the current extractor."""
    return extract_quality.score(posts, extract_quality.watchlist_extractor())


def test_extractor_raises_on_no_post(report: extract_quality.Report) -> None:
    assert report.errors == []


@pytest.mark.parametrize("kind", corpus_tools.KINDS)
def test_extractor_meets_precision_and_recall_for(
    kind: str, report: extract_quality.Report
) -> None:
    tally = report.by_kind.get(kind, extract_quality.Tally())
    precision = 1.0 if tally.precision is None else tally.precision
    recall = 1.0 if tally.recall is None else tally.recall
    misses = [f"{m.post_id}: {m.value} | {m.snippet}" for m in report.misses if m.kind == kind]
    false = [
        f"{m.post_id}: {m.value} | {m.snippet}" for m in report.false_positives if m.kind == kind
    ]
    assert precision >= extract_quality.MIN_PRECISION, "false positives:\n" + "\n".join(false)
    assert recall >= extract_quality.MIN_RECALL, "misses:\n" + "\n".join(misses)


BLIND = ROOT / "tests" / "data" / "blind"
MIN_BLIND_ROLE_ACCURACY = 0.92


@pytest.fixture(scope="module")
def blind_report() -> extract_quality.Report:
    """The benchmark's measurements on the blind corpus (posts written without the extractor)."""
    return extract_quality.score(
        corpus_tools.load_corpus(BLIND), extract_quality.watchlist_extractor()
    )


def test_extractor_meets_precision_and_recall_per_kind_on_the_blind_corpus(
    blind_report: extract_quality.Report,
) -> None:
    assert blind_report.errors == []
    assert blind_report.failing_kinds() == []


def test_roles_are_right_for_at_least_92_percent_of_the_blind_corpus_handles(
    blind_report: extract_quality.Report,
) -> None:
    share = blind_report.roles_right / blind_report.roles_labelled
    assert share >= MIN_BLIND_ROLE_ACCURACY, "\n".join(blind_report.role_errors)


def test_auc_ranks_positives_above_negatives_and_counts_ties_half() -> None:
    assert extract_quality.auc([(0.9, True), (0.1, False)]) == 1.0
    assert extract_quality.auc([(0.1, True), (0.9, False)]) == 0.0
    assert extract_quality.auc([(0.5, True), (0.5, False)]) == 0.5
    assert extract_quality.auc([(0.5, True)]) is None
