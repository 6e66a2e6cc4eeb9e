"""Train the OTC score model and print its held-out (k-fold) ROC AUC.

Usage: ``python bench/train_otc_score.py [--write] [--corpus DIR] [--terms N]``

The model is a logistic regression over what a text holds, as ``watchlist.extract.otc_model``
computes it at run time:

- the presence of each of ``N`` character n-grams (2–4 characters of the normalized,
  lower-cased text, none holding a digit), chosen by the training itself: every n-gram found in
  at least ``MIN_DF`` training posts is fitted with L2, the ``N`` with the largest weights are
  kept, and the model is refitted on them as the run time reads them (one leftmost-longest
  automaton over the ``N``);
- the dense features of ``otc_model.dense_features``: the lexicon score
  (``watchlist.extract.score``, FIELD-NOTES' trade and laundering words), whether the text
  reports someone (a counting report cue), how many warning, contact and own-contact cue words
  of the roles' lists it holds, whether it asks and whether it holds a question mark.

Whether a text holds a handle is deliberately no feature: the blind corpus's hard negatives
publish none by construction, so the model would learn the corpus, not the trade.

Posts are those of the corpora with an ``otc`` label (the blind corpus, tests/data/blind). The
held-out figure is a grouped k-fold: each market is one fold (trained on the other markets,
scored on it), so a figure never comes from a market the model saw. ``--write`` fits the model
on every labelled post and writes ``watchlist/extract/otc_weights.py``. Pure Python (batch
gradient descent, fixed iterations): the same corpus gives the same weights on any machine.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from corpus_tools import Post, load_corpus

from watchlist.extract import cues, pipeline, roles, score
from watchlist.extract.normalize import normalize
from watchlist.extract.otc_model import DENSE, NGRAMS, automaton, dense_features, terms_in

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "tests" / "data" / "blind"
WEIGHTS = ROOT / "watchlist" / "extract" / "otc_weights.py"
MIN_DF = 3
TERMS = 1500
L2 = 0.01
STEPS = 400
RATE = 0.5

Dense = tuple[float, ...]
Sample = tuple[frozenset[str], Dense, int]
Post3 = tuple[str, Dense, int]  # lower-cased text, dense features, label


def features_of(text: str) -> tuple[str, Dense]:
    """What the model reads of ``text``: its lower-cased normalized text and its dense features
    (for training), as ``pipeline.extract`` hands them to ``otc_model.probability``."""
    lowered = normalize(text).lowered
    extraction = pipeline.extract(text)
    role_hits = cues.scan(lowered)[roles.GROUP]
    return lowered, dense_features(lowered, score.otc_score(lowered), extraction.reports, role_hits)


def candidates(text: str) -> set[str]:
    """Every n-gram of ``text`` of the lengths the model uses, without digits or blanks only."""
    grams = {text[i : i + n] for n in NGRAMS for i in range(len(text) - n + 1)}
    return {g for g in grams if g.strip() and not any(c.isdigit() for c in g)}


def samples(posts: Sequence[Post]) -> list[Post3]:
    """Each post as (its lower-cased text, its dense features, its label)."""
    out: list[Post3] = []
    for post in posts:
        lowered, dense = features_of(post.text)
        out.append((lowered, dense, int(bool(post.otc))))
    return out


def as_read(data: list[Post3], terms: list[str] | None) -> list[Sample]:
    """The posts' n-gram sets: every candidate (``terms`` None), or ``terms`` as the run time's
    automaton finds them."""
    if terms is None:
        return [(frozenset(candidates(text)), dense, y) for text, dense, y in data]
    found = automaton(terms)
    return [(frozenset(terms_in(text, terms, found)), dense, y) for text, dense, y in data]


def fit(
    data: list[Sample], vocab: list[str], l2: float = L2
) -> tuple[float, list[float], dict[str, float]]:
    """Batch gradient descent on the L2-regularized log loss: bias, dense and term weights."""
    index = {term: i for i, term in enumerate(vocab)}
    rows = [([index[t] for t in grams if t in index], dense, y) for grams, dense, y in data]
    w = [0.0] * len(vocab)
    d = [0.0] * len(DENSE)
    b = 0.0
    n = len(rows)
    for _ in range(STEPS):
        gw = [0.0] * len(vocab)
        gd = [0.0] * len(DENSE)
        gb = 0.0
        for active, dense, y in rows:
            z = (
                b
                + sum(w[i] for i in active)
                + sum(dk * xk for dk, xk in zip(d, dense, strict=True))
            )
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            err = p - y
            gb += err
            for i in active:
                gw[i] += err
            for k, xk in enumerate(dense):
                gd[k] += err * xk
        b -= RATE * gb / n
        for i in range(len(w)):
            w[i] -= RATE * (gw[i] / n + l2 * w[i])
        for k in range(len(d)):  # the dense features are not shrunk: they are the prior
            d[k] -= RATE * gd[k] / n
    return b, d, {term: w[i] for term, i in index.items()}


def train(
    posts: list[Post3], terms: int, l2: float = L2
) -> tuple[float, list[float], dict[str, float]]:
    """Choose the vocabulary on ``posts``, fit, keep the ``terms`` strongest n-grams, refit on
    them as the run time reads them."""
    data = as_read(posts, None)
    df = Counter(t for grams, _dense, _y in data for t in grams)
    vocab = sorted(t for t, count in df.items() if count >= MIN_DF)
    _b, _d, weights = fit(data, vocab, l2)
    strongest = sorted(sorted(weights, key=lambda t: (-abs(weights[t]), t))[:terms])
    return fit(as_read(posts, strongest), strongest, l2)


def predict(model: tuple[float, list[float], dict[str, float]], post: Post3) -> float:
    """The model's probability for one post, its n-grams read as the run time reads them."""
    b, d, weights = model
    text, dense, _y = post
    terms = sorted(weights)
    z = b + sum(weights[t] for t in terms_in(text, terms, automaton(terms)))
    z += sum(dk * xk for dk, xk in zip(d, dense, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def auc(scored: Sequence[tuple[float, bool]]) -> float | None:
    """ROC AUC: the chance that a positive outranks a negative (ties count half)."""
    positives = [s for s, label in scored if label]
    negatives = [s for s, label in scored if not label]
    if not positives or not negatives:
        return None
    wins = sum((p > q) + 0.5 * (p == q) for p in positives for q in negatives)
    return wins / (len(positives) * len(negatives))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the grouped k-fold AUC; with ``--write``, fit on everything and write the weights."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", help="folder of *.jsonl posts")
    parser.add_argument("--terms", type=int, default=TERMS, help="n-grams the model keeps")
    parser.add_argument("--l2", type=float, default=L2, help="L2 penalty on the n-gram weights")
    parser.add_argument("--write", action="store_true", help=f"write {WEIGHTS.name}")
    args = parser.parse_args(argv)
    posts = [p for folder in args.corpus or [BLIND] for p in load_corpus(folder)]
    posts = [p for p in posts if p.otc is not None]
    if not posts:
        print("no posts with an otc label", file=sys.stderr)
        return 2
    data = samples(posts)
    markets = sorted({p.market or "?" for p in posts})
    held_out: list[tuple[float, bool]] = []
    lexicon_only: list[tuple[float, bool]] = []
    fold_figures: list[float | None] = []
    print(f"{'fold (market)':<14} {'posts':>5} {'AUC':>6}")
    for market in markets:
        train_rows = [s for s, p in zip(data, posts, strict=True) if (p.market or "?") != market]
        test = [(s, p) for s, p in zip(data, posts, strict=True) if (p.market or "?") == market]
        model = train(train_rows, args.terms, args.l2)
        fold = [(predict(model, s), bool(p.otc)) for s, p in test]
        held_out.extend(fold)
        lexicon_only.extend((s[1][0], bool(p.otc)) for s, p in test)  # the lexicon alone
        figure = auc(fold)
        fold_figures.append(figure)
        print(f"{market:<14} {len(test):>5} {'—' if figure is None else f'{figure:.3f}':>6}")
    folds = [f for f in fold_figures if f is not None]
    print(
        f"\nheld-out ROC AUC over {len(posts)} posts ({len(markets)} folds by market): "
        f"pooled {auc(held_out):.3f}, mean of the folds {sum(folds) / len(folds):.3f}; "
        f"lexicon score alone (pooled): {auc(lexicon_only):.3f}"
    )
    if args.write:
        b, d, weights = train(data, args.terms, args.l2)
        write(b, d, weights)
        print(f"wrote {WEIGHTS.relative_to(ROOT)} ({len(weights)} n-grams)")
    return 0


def write(bias: float, dense: list[float], weights: dict[str, float]) -> None:
    """The weights as a Python module (no data file to package, nothing to download)."""
    lines = [
        '"""OTC score model weights, written by ``bench/train_otc_score.py --write``: do not'
        ' edit."""',
        "",
        f"BIAS = {bias:.6f}",
        f"DENSE = {{{', '.join(f'{n!r}: {w:.6f}' for n, w in zip(DENSE, dense, strict=True))}}}",
        "TERMS: dict[str, float] = {",
        *(f"    {term!r}: {weights[term]:.6f}," for term in sorted(weights)),
        "}",
        "",
    ]
    WEIGHTS.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
