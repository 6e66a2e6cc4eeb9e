"""The OTC score: a small logistic regression over what a text holds.

``probability(lowered, lexicon, reports, role_hits)`` is ``1 / (1 + exp(-z))`` with ``z`` the
model's bias, plus the weight of every distinct character n-gram of the text that the model
keeps (2–4 characters of the normalized, lower-cased text, none with a digit: numbers are the
handles' business, and a corpus's negatives may lack them by construction), plus the
weights of the dense features (``dense_features``), each read in every language the cue lists
know, so what one market teaches the model carries to the others:

- the lexicon score (``score``: FIELD-NOTES' trade and laundering words) as the sum of its
  terms' weights, and whether the text reports someone (a counting report cue);
- how many cue words of each of the roles' groups (``roles``) the text holds, as
  ``log(1 + n)``: warning words (骗子, scam, dolandırıcı, …, guarded or not), contact and payee
  words (联系, 收款, contact, call, wallet, …) and a victim's own contact (联系我, WhatsApp me, …);
- whether the text asks (the roles' question words: 吗, 请问, anyone, legit, 있나요, có ai, …)
  and whether it holds a question mark: a question about a seller is no offer.

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

from watchlist.extract import cues, otc_weights
from watchlist.extract.roles import asks as holds_ask_word

NGRAMS = (2, 3, 4)
# The n-grams are read from the first READ characters: an offer says what it is at its start,
# and the cost of a long post stays bounded. Every labelled post the model is fitted on is
# shorter (the longest has 166 characters), so the window reads each of them whole; a longer
# window only reads n-grams further into a long post than any training post reached.
READ = 200
# The dense features, in the order ``dense_features`` gives them (a feature the weights do not
# name weighs 0: the trainer reads the features with the weights of an older model).
DENSE = ("lexicon", "reports", "warn_cues", "contact_cues", "own_contact_cues", "asks", "question")
_DENSE = [otc_weights.DENSE.get(name, 0.0) for name in DENSE]
_CUE_LABELS = ("reported", "offered", "self")
_LOG1P = [math.log1p(n) for n in range(64)]


def automaton(terms: list[str]) -> ahocorasick_rs.AhoCorasick | None:
    """The automaton that finds every occurrence of ``terms`` (sorted), as the model reads them."""
    if not terms:
        return None
    return ahocorasick_rs.AhoCorasick(
        terms,
        matchkind=ahocorasick_rs.MatchKind.Standard,
        implementation=ahocorasick_rs.Implementation.DFA,
    )


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


def dense_features(
    lowered: str,
    lexicon: float,
    reports: bool,
    role_hits: list[cues.Hit],
    asks: bool | None = None,
) -> tuple[float, ...]:
    """The dense features of a text, in ``DENSE`` order (``role_hits``: its ``roles`` cue hits;
    ``asks``: whether a question word ends in its first ``READ`` characters, when known)."""
    labels = [label for _start, _end, label in role_hits]
    counts = [_LOG1P[min(63, labels.count(label))] for label in _CUE_LABELS]
    head = lowered[:READ]
    question = "?" in head or "？" in head
    if asks is None:
        asks = holds_ask_word(lowered, READ)
    return (lexicon_total(lexicon), float(reports), *counts, float(asks), float(question))


def probability(
    lowered: str,
    lexicon: float,
    reports: bool,
    role_hits: list[cues.Hit],
    asks: bool | None = None,
) -> float:
    """The OTC score of a normalized, lower-cased text, in [0, 1], rounded to four decimals."""
    dense = dense_features(lowered, lexicon, reports, role_hits, asks)
    z = otc_weights.BIAS + sum(w * x for w, x in zip(_DENSE, dense, strict=True))
    if _AUTOMATON is not None and lowered:
        matches = _AUTOMATON.find_matches_as_indexes(lowered[:READ], overlapping=True)
        z += sum(map(_WEIGHTS.__getitem__, set(map(_FIRST, matches))))  # C-level: no Python loop
    return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 4)
