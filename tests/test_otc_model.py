"""The OTC score model's dense features: what they read, and how they move the score."""

from __future__ import annotations

import math

import pytest

from watchlist.extract import cues, extract
from watchlist.extract.normalize import normalize
from watchlist.extract.otc_model import _DENSE, DENSE, dense_features
from watchlist.extract.roles import GROUP as ROLE_GROUP
from watchlist.extract.score import otc_score


def features(text: str) -> dict[str, float]:
    lowered = normalize(text).lowered
    reports = extract(text).reports
    hits = cues.scan(lowered)[ROLE_GROUP]
    return dict(zip(DENSE, dense_features(lowered, otc_score(lowered), reports, hits), strict=True))


def test_dense_features_count_each_roles_cue_group_and_read_questions() -> None:
    f = features("骗子！别信 TG @usdt_king，被骗的联系我")
    assert f["warn_cues"] == pytest.approx(math.log1p(3))  # 骗子, 别信, 被骗
    assert f["own_contact_cues"] == pytest.approx(math.log1p(1))  # 联系我
    assert f["reports"] == 1.0
    assert (f["asks"], f["question"]) == (0.0, 0.0)
    asked = features("Anyone traded with @usdt_king? legit")
    assert (asked["asks"], asked["question"]) == (1.0, 1.0)
    assert features("今天天气不错")["contact_cues"] == 0.0


@pytest.mark.parametrize(
    ("offer", "not_offer"),
    [
        # The same words, asked about instead of offered.
        ("出U秒放，联系TG @usdt_king", "有人跟TG @usdt_king 出U秒放交易过吗？靠谱吗？"),
        ("Selling USDT fast, contact @usdt_king", "Anyone bought USDT from @usdt_king? Legit?"),
        # The same words in a warning.
        ("Selling USDT fast, contact @usdt_king", "Beware: @usdt_king is a scammer selling USDT"),
        ("Satış: USDT bozdurma, Telegram @tr_usdt", "Uyarı: Telegram @tr_usdt dolandırıcı, USDT"),
    ],
)
def test_a_question_or_a_warning_scores_below_the_same_offer(offer: str, not_offer: str) -> None:
    assert extract(offer).otc_score > extract(not_offer).otc_score


def test_warning_and_question_cues_weigh_against_an_offer_and_contact_cues_for_it() -> None:
    weights = dict(zip(DENSE, _DENSE, strict=True))
    assert max(weights["warn_cues"], weights["asks"], weights["question"]) < 0
    assert weights["contact_cues"] > 0
