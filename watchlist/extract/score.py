"""OTC score: how much a text reads like crypto OTC trading or running-points business.

``otc_score = 1 - exp(-sum of the weights of the distinct lexicon terms found)``, rounded to four
decimals: 0 for a text with none, about 0.55 for one strong term (weight 0.8), above 0.9 for three.
Each term counts once however often it appears, so long posts are not favoured.
"""

from __future__ import annotations

import math

from watchlist.extract import cues

# key: (weight, the lower-case spellings that count as it).
LEXICON: dict[str, tuple[float, str]] = {
    "跑分": (1.0, "跑分"),
    "码商": (1.0, "码商"),
    "水房": (1.0, "水房"),
    "四件套": (0.8, "四件套"),
    "承兑商": (0.9, "承兑商"),
    "承兑": (0.6, "承兑"),
    "代收代付": (0.9, "代收代付"),
    "四方支付": (0.9, "四方支付"),
    "三方支付": (0.6, "三方支付"),
    "卡商": (0.8, "卡商"),
    "车手": (0.6, "车手"),
    "走账": (0.6, "走账"),
    "U商": (0.9, "u商"),
    "币商": (0.8, "币商"),
    "收U": (0.8, "收u"),
    "出U": (0.8, "出u"),
    "白U": (0.7, "白u"),
    "黑U": (0.8, "黑u"),
    "U卡": (0.5, "u卡"),
    "换汇": (0.5, "换汇"),
    "场外": (0.5, "场外"),
    "秒放": (0.6, "秒放"),
    "先款后币": (0.7, "先款后币"),
    "大额可谈": (0.4, "大额可谈"),
    "出金": (0.4, "出金"),
    "入金": (0.4, "入金"),
    "抢单": (0.4, "抢单"),
    "派单": (0.3, "派单"),
    "个码": (0.5, "个码"),
    "收款码": (0.4, "收款码"),
    "冻卡": (0.4, "冻卡"),
    "过桥": (0.3, "过桥"),
    "汇率": (0.3, "汇率"),
    "担保": (0.3, "担保"),
    "面交": (0.3, "面交"),
    "日结": (0.2, "日结"),
    "佣金": (0.2, "佣金"),
    "保证金": (0.2, "保证金"),
    "躺赚": (0.3, "躺赚"),
    "泰达币": (0.5, "泰达币"),
    "sell USDT": (0.8, "sell usdt|selling usdt|sell u"),
    "buy USDT": (0.8, "buy usdt|buying usdt|buy u"),
    "OTC": (0.6, "otc"),
    "C2C": (0.5, "c2c"),
    "USDT": (0.4, "usdt"),
    "TRC20": (0.3, "trc20|trc-20"),
    "KYT": (0.3, "kyt"),
    # Other markets' words for the same trade (the seed's markets: Korea, Russia, Turkey,
    # Vietnam, Malaysia, the Philippines, Kenya, Nigeria, the US/UK).
    "테더": (0.6, "테더"),
    "USDT 판매/매입": (0.8, "usdt 판매|usdt 매입|테더 판매|테더 매입|테더 삽니다|테더 팝니다"),
    "코인 현금화": (0.8, "코인 현금화|코인현금화"),
    "장외거래": (0.6, "장외거래"),
    "통장 대여": (0.9, "통장 대여|통장대여|통장 매입|대포통장"),
    "обмен USDT": (0.8, "обмен usdt|нал за крипту|наличные за usdt|обнал|обналичка"),
    "дропы": (0.7, "дропы|дропов|ищем дроп"),
    "kripto bozdurma": (0.8, "kripto bozdurma|usdt bozulur|usdt bozdurma|nakit usdt"),
    "đổi USDT": (0.8, "đổi usdt|mua bán usdt|thu mua usdt|bán usdt|mua usdt"),
    "jual USDT": (0.8, "jual usdt|beli usdt|sewa akaun"),
    "cash out": (0.5, "cash out|cashout|cash-out|p2p merchant|p2p vendor|crypto vendor"),
    "money mule": (0.8, "account rental|rent your bank|money mule"),
}
GROUP = "score"
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
cues.register(
    GROUP,
    {word: key for key, (_weight, words) in LEXICON.items() for word in words.split("|")},
    left=_ALNUM,
    right=_ALNUM,
    distinct=True,  # the score reads which terms a text holds
)


def score_of(hits: list[cues.Hit]) -> float:
    """The OTC score of a text from its ``score`` cue hits."""
    total = sum(LEXICON[key][0] for key in {key for _start, _end, key in hits})
    return round(1.0 - math.exp(-total), 4)


def otc_score(lowered: str) -> float:
    """The OTC score of a normalized, lower-cased text, in [0, 1]."""
    return score_of(cues.scan(lowered)[GROUP])
