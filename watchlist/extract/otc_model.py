"""The OTC score: a small logistic regression over what a text holds.

``probability(lowered, lexicon, reports)`` is ``1 / (1 + exp(-z))`` with ``z`` the
model's bias, plus the weight of every distinct character n-gram of the text that the model
keeps (2–4 characters of the normalized, lower-cased text with digits folded to ``0``), plus the
weights of three dense features: the lexicon score (``score``: FIELD-NOTES' trade and
laundering words) as the sum of its terms' weights, and whether the text reports someone.

The weights live in ``otc_weights`` (a Python module: nothing to download, nothing to package
apart), written by ``bench/train_otc_score.py``, which also prints the held-out ROC AUC of a
grouped k-fold (one fold per market). The n-grams are found by one Aho-Corasick automaton
(overlapping matches), so the cost is one pass over the text.
"""

from __future__ import annotations

import math

import ahocorasick_rs

from watchlist.extract import otc_weights

NGRAMS = (2, 3, 4)
_DIGIT_FOLD = str.maketrans("123456789", "000000000")
_TERMS = sorted(otc_weights.TERMS)
_WEIGHTS = [otc_weights.TERMS[term] for term in _TERMS]
_AUTOMATON = (
    ahocorasick_rs.AhoCorasick(_TERMS, matchkind=ahocorasick_rs.MatchKind.Standard)
    if _TERMS
    else None
)
_DENSE = otc_weights.DENSE


def lexicon_total(lexicon: float) -> float:
    """The lexicon score back as the sum of its terms' weights (at most 3): what the model reads."""
    return min(3.0, -math.log(max(1e-4, 1.0 - lexicon)))


def prepare(lowered: str) -> str:
    """The text the n-grams are read from: ``lowered`` with every digit folded to ``0``."""
    return lowered.translate(_DIGIT_FOLD)


def probability(lowered: str, lexicon: float, reports: bool) -> float:
    """The OTC score of a normalized, lower-cased text, in [0, 1], rounded to four decimals."""
    z = otc_weights.BIAS + _DENSE["lexicon"] * lexicon_total(lexicon)
    z += _DENSE["reports"] * reports
    if _AUTOMATON is not None and lowered:
        seen = {
            index
            for index, _start, _end in _AUTOMATON.find_matches_as_indexes(
                prepare(lowered), overlapping=True
            )
        }
        z += sum(_WEIGHTS[index] for index in seen)
    return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 4)


def features_of(text: str) -> tuple[str, tuple[float, float]]:
    """What the model reads of ``text``: its prepared text and its dense features (training)."""
    from watchlist.extract import pipeline, score
    from watchlist.extract.normalize import normalize

    lowered = normalize(text).lowered
    extraction = pipeline.extract(text)
    lexicon = lexicon_total(score.otc_score(lowered))
    return prepare(lowered), (lexicon, float(extraction.reports))
