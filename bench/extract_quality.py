"""Extraction quality on the labelled corpus: precision and recall per kind and per style.

Usage: ``python bench/extract_quality.py [--corpus DIR]… [--verbose] [--check]``

Runs ``watchlist.extract.extract`` on every post of each corpus (by default both: the first,
tests/data/extraction/*.jsonl, and the blind one, tests/data/blind/*.jsonl) and compares the
(post id, kind, value) triples it finds with the labels. Prints, per corpus, one table per kind,
per style, per language, per market (where posts name one) and overall, the role accuracy and
confusion matrix on the labelled roles, and the OTC score's ROC AUC on posts labelled ``otc``
(in-sample for the trained model: ``bench/train_otc_score.py`` prints its held-out figure).
``--verbose`` lists every miss and false positive with its post id and a snippet; ``--check``
exits 1 when a kind of any corpus is below precision 0.99 or recall 0.97 (or an extraction
raised).

A handle's role for a (post, kind, value) found several times in one post is the strongest of its
occurrences' roles: reported, then offered, then mentioned.
"""

from __future__ import annotations

import argparse
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus_tools import CORPUS_DIR, KINDS, Post, load_corpus

MIN_PRECISION = 0.99
MIN_RECALL = 0.97
ROLE_STRENGTH = {"reported": 3, "offered": 2, "mentioned": 1}

Found = dict[tuple[str, str], tuple[str, str]]  # (kind, value) -> (role, snippet)
Extractor = Callable[[str], Found]
BLIND_DIR = CORPUS_DIR.parent / "blind"
ROLES = ("offered", "reported", "mentioned")


@dataclass
class Tally:
    """True positives, false positives and false negatives of one row of a table."""

    posts: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP), None when nothing was found."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN), None when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass(frozen=True)
class Miss:
    """A label the extractor did not find, or a handle it found that is not labelled."""

    post_id: str
    kind: str
    value: str
    snippet: str


@dataclass
class Report:
    """Everything the benchmark measured."""

    posts: int = 0
    overall: Tally = field(default_factory=Tally)
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_style: dict[str, Tally] = field(default_factory=dict)
    by_lang: dict[str, Tally] = field(default_factory=dict)
    by_market: dict[str, Tally] = field(default_factory=dict)
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)  # (labelled, got) -> n
    otc_scores: list[tuple[float, bool]] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    false_positives: list[Miss] = field(default_factory=list)
    roles_labelled: int = 0
    roles_right: int = 0
    role_errors: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def failing_kinds(
        self, min_precision: float = MIN_PRECISION, min_recall: float = MIN_RECALL
    ) -> list[str]:
        """The kinds below either threshold, each with its figures."""
        failing: list[str] = []
        for kind in KINDS:
            tally = self.by_kind.get(kind, Tally())
            precision = 1.0 if tally.precision is None else tally.precision
            recall = 1.0 if tally.recall is None else tally.recall
            if precision < min_precision or recall < min_recall:
                failing.append(f"{kind}: precision {precision:.3f}, recall {recall:.3f}")
        return failing


def watchlist_extractor(scores: dict[str, float] | None = None) -> Extractor:
    """``watchlist.extract.extract`` reduced to (kind, value) -> (role, snippet) per post; each
    text's OTC score goes into ``scores`` when given."""
    from watchlist.extract import extract

    def run(text: str) -> Found:
        found: Found = {}
        extraction = extract(text)
        if scores is not None:
            scores[text] = extraction.otc_score
        for handle in extraction.handles:
            key = (handle.kind, handle.value)
            snippet = snip(text, handle.start, handle.end)
            if key not in found or ROLE_STRENGTH[handle.role] > ROLE_STRENGTH[found[key][0]]:
                found[key] = (handle.role, snippet)
        return found

    return run


def snip(text: str, start: int = 0, end: int | None = None, width: int = 30) -> str:
    """The text around ``start:end`` on one line, at most ``width`` characters either side."""
    end = len(text) if end is None else end
    left = "…" if start > width else ""
    right = "…" if len(text) - end > width else ""
    piece = text[max(0, start - width) : end + width]
    return left + piece.replace("\n", "⏎") + right


def auc(scored: Sequence[tuple[float, bool]]) -> float | None:
    """ROC AUC: the chance that a positive outranks a negative (ties count half)."""
    positives = sorted(s for s, label in scored if label)
    negatives = sorted(s for s, label in scored if not label)
    if not positives or not negatives:
        return None
    wins = 0.0
    for p in positives:
        below = bisect_left(negatives, p)
        wins += below + 0.5 * (bisect_right(negatives, p) - below)
    return wins / (len(positives) * len(negatives))


def score(
    posts: Iterable[Post], extractor: Extractor, otc: dict[str, float] | None = None
) -> Report:
    """Compare the extractor's findings with the labels of ``posts`` (and, where ``otc`` holds
    the posts' OTC scores, the scores with their ``otc`` labels)."""
    report = Report()
    for post in posts:
        report.posts += 1
        try:
            found = extractor(post.text)
        except Exception as exc:  # a crash is a finding, reported and counted as misses
            report.errors.append(f"{post.id}: {type(exc).__name__}: {exc}")
            found = {}
        expected = {(label.kind, label.value): label for label in post.expected}
        if otc is not None and post.otc is not None and post.text in otc:
            report.otc_scores.append((otc[post.text], post.otc))
        rows = [
            report.overall,
            report.by_lang.setdefault(post.lang, Tally()),
            *([report.by_market.setdefault(post.market, Tally())] if post.market else []),
            *(report.by_style.setdefault(style, Tally()) for style in post.styles),
        ]
        for row in rows:
            row.posts += 1
        for kind in {key[0] for key in (*expected, *found)}:
            report.by_kind.setdefault(kind, Tally()).posts += 1
        for key, label in expected.items():
            kind_row = report.by_kind.setdefault(key[0], Tally())
            if key in found:
                for row in (*rows, kind_row):
                    row.tp += 1
                role = found[key][0]
                if label.role is not None:
                    report.roles_labelled += 1
                    pair = (label.role, role)
                    report.confusion[pair] = report.confusion.get(pair, 0) + 1
                    if role == label.role:
                        report.roles_right += 1
                    else:
                        report.role_errors.append(
                            f"{post.id}: {key[0]} {key[1]} is {label.role}, got {role}"
                        )
            else:
                for row in (*rows, kind_row):
                    row.fn += 1
                report.misses.append(Miss(post.id, key[0], key[1], snip(post.text, 0, 0, 80)))
        for key, (_, snippet) in found.items():
            if key not in expected:
                for row in (*rows, report.by_kind.setdefault(key[0], Tally())):
                    row.fp += 1
                report.false_positives.append(Miss(post.id, key[0], key[1], snippet))
    return report


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def table(title: str, rows: Sequence[tuple[str, Tally]]) -> str:
    """A plain-text table of tallies."""
    head = f"{title:<22} {'posts':>5} {'TP':>5} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6}"
    lines = [head, "-" * len(head)]
    for name, t in rows:
        lines.append(
            f"{name:<22} {t.posts:>5} {t.tp:>5} {t.fp:>4} {t.fn:>4} "
            f"{_ratio(t.precision):>6} {_ratio(t.recall):>6}"
        )
    return "\n".join(lines)


def render(report: Report, verbose: bool = False) -> str:
    """The whole report as text."""
    kinds = [(kind, report.by_kind.get(kind, Tally())) for kind in KINDS]
    kinds += [(k, t) for k, t in sorted(report.by_kind.items()) if k not in KINDS]
    parts = [
        f"extraction quality on {report.posts} posts "
        f"(thresholds: precision {MIN_PRECISION}, recall {MIN_RECALL})",
        table("kind", kinds),
        table("style", sorted(report.by_style.items())),
        table("language", sorted(report.by_lang.items())),
        *([table("market", sorted(report.by_market.items()))] if report.by_market else []),
        table("overall", [("all", report.overall)]),
    ]
    if report.roles_labelled:
        share = report.roles_right / report.roles_labelled
        parts.append(
            f"role accuracy: {report.roles_right}/{report.roles_labelled} = {share:.3f} "
            "(on labelled handles that were found)\n" + confusion(report)
        )
    figure = auc(report.otc_scores)
    if figure is not None:
        otc_posts = sum(label for _score, label in report.otc_scores)
        parts.append(
            f"OTC score ROC AUC: {figure:.3f} ({otc_posts} OTC posts, "
            f"{len(report.otc_scores) - otc_posts} others)"
        )
    if report.errors:
        shown = report.errors if verbose else report.errors[:5]
        more = len(report.errors) - len(shown)
        parts.append(
            f"extraction errors ({len(report.errors)} posts):\n"
            + "\n".join(f"  {e}" for e in shown)
            + (f"\n  … {more} more (--verbose lists them)" if more else "")
        )
    if verbose:
        parts.append(
            "misses:\n"
            + "\n".join(f"  {m.post_id}  {m.kind} {m.value}  | {m.snippet}" for m in report.misses)
        )
        parts.append(
            "false positives:\n"
            + "\n".join(
                f"  {m.post_id}  {m.kind} {m.value}  | {m.snippet}" for m in report.false_positives
            )
        )
        parts.append("wrong roles:\n" + "\n".join(f"  {e}" for e in report.role_errors))
    return "\n\n".join(parts)


def confusion(report: Report) -> str:
    """The role confusion matrix: labelled roles down, found roles across."""
    head = f"{'labelled / found':<18}" + "".join(f"{role:>11}" for role in ROLES)
    lines = [head]
    for labelled in ROLES:
        counts = (report.confusion.get((labelled, got), 0) for got in ROLES)
        lines.append(f"{labelled:<18}" + "".join(f"{n:>11}" for n in counts))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the exit status is 1 only for ``--check`` below the thresholds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="folder of *.jsonl posts (repeatable; default: the first and the blind corpus)",
    )
    parser.add_argument("--verbose", action="store_true", help="list every miss and false hit")
    parser.add_argument("--check", action="store_true", help="exit 1 below the thresholds")
    args = parser.parse_args(argv)
    failing: list[str] = []
    for folder in args.corpus or [CORPUS_DIR, BLIND_DIR]:
        posts = load_corpus(folder)
        if not posts:
            print(f"no posts in {folder}", file=sys.stderr)
            return 2
        scores: dict[str, float] = {}
        report = score(posts, watchlist_extractor(scores), scores)
        print(f"=== {folder} ===\n")
        print(render(report, args.verbose) + "\n")
        failing += [f"{folder.name}: {f}" for f in report.failing_kinds() + report.errors[:1]]
    if args.check:
        if failing:
            print("FAILED: " + "; ".join(failing))
            return 1
        print("OK: every kind meets the thresholds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
