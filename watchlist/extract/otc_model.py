"""The OTC score: a small logistic regression over what a text holds.

``probability(lowered, lexicon, reports)`` is ``1 / (1 + exp(-z))`` with ``z`` the
model's bias, plus the weight of every distinct character n-gram of the text that the model
keeps (2–4 characters of the normalized, lower-cased text, none with a digit: numbers are the
handles' business, and a corpus's negatives may lack them by construction), plus the
weights of three dense features: the lexicon score (``score``: FIELD-NOTES' trade and
laundering words) as the sum of its terms' weights, and whether the text reports someone.

The weights live in ``otc_weights`` (a Python module: nothing to download, nothing to package
apart), written by ``bench/train_otc_score.py``, which also prints the held-out ROC AUC of a
grouped k-fold (one fold per market). The n-grams are found by one Aho-Corasick automaton
(overlapping matches; the trainer reads its features the same way) in the first ``READ``
characters, so the cost of a post is bounded.
"""

from __future__ import annotations

import math
from operator import itemgetter

import ahocorasick_rs

from watchlist.extract import otc_weights

NGRAMS = (2, 3, 4)
# The n-grams are read from the first READ characters: an offer says what it is at its start,
# and the cost of a long post stays bounded.
READ = 300
_DENSE = otc_weights.DENSE


def automaton(terms: list[str]) -> ahocorasick_rs.AhoCorasick | None:
    """The automaton that finds ``terms`` (sorted) leftmost-longest, as the model reads them."""
    if not terms:
        return None
    return ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.Standard)


def terms_in(lowered: str, terms: list[str], found: ahocorasick_rs.AhoCorasick | None) -> set[str]:
    """The distinct ``terms`` that ``found`` (their automaton) matches in ``lowered``."""
    if found is None or not lowered:
        return set()
    matches = found.find_matches_as_indexes(lowered[:READ], overlapping=True)
    return {terms[index] for index, _start, _end in matches}


_TERMS = sorted(otc_weights.TERMS)
_WEIGHTS = [otc_weights.TERMS[term] for term in _TERMS]
_AUTOMATON = automaton(_TERMS)
_FIRST = itemgetter(0)


def lexicon_total(lexicon: float) -> float:
    """The lexicon score back as the sum of its terms' weights (at most 3): what the model reads."""
    return min(3.0, -math.log(max(1e-4, 1.0 - lexicon)))


def probability(lowered: str, lexicon: float, reports: bool) -> float:
    """The OTC score of a normalized, lower-cased text, in [0, 1], rounded to four decimals."""
    z = otc_weights.BIAS + _DENSE["lexicon"] * lexicon_total(lexicon)
    z += _DENSE["reports"] * reports
    if _AUTOMATON is not None and lowered:
        matches = _AUTOMATON.find_matches_as_indexes(lowered[:READ], overlapping=True)
        z += sum(map(_WEIGHTS.__getitem__, set(map(_FIRST, matches))))  # C-level: no Python loop
    return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 4)
