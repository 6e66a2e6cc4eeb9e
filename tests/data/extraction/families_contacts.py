"""Posts publishing contact handles: phones, WeChat, QQ, Telegram, e-mail, foreign numbers.

Grouped by the obfuscation style they exercise; see README.md for the tags.
"""

from __future__ import annotations

from generate import (
    MATH_BASES,
    Corpus,
    circled,
    each_char,
    financial,
    fullwidth,
    grouped,
    keycap,
    math_digits,
    neg_circled,
    spoken,
    zh_numerals,
)

OFR, REP, MEN = "offered", "reported", "mentioned"


def build(c: Corpus) -> None:
    """Add every contact-handle family to ``c``."""
    plain_posts(c)
    glued_and_bound(c)
    digit_styles(c)
    zero_width_and_lookalike(c)
    telegram_styles(c)
    email_styles(c)
    foreign_phones(c)


def plain_posts(c: Corpus) -> None:
    c.file = "plain"
    p = "zh-plain"
    c.t(p, "zh", ["plain"], "长期收U出U，汇率好说，电话 {} 秒回", (c.phone(), OFR))
    c.t(p, "zh", ["plain"], "承兑商 白U 大额可谈，微信：{}", (c.wx(), OFR))
    c.t(p, "zh", ["plain"], "跑分平台招码商，日结佣金，QQ：{}", (c.qq(), OFR))
    c.t(p, "zh", ["plain"], "本人长期出U，先款后币，手机 +86 {} 随时联系", (c.phone(), OFR))
    c.t(p, "zh", ["plain"], "换汇 场外 面交，联系 Telegram：@{}", (c.tg(), OFR))
    c.t(p, "zh", ["plain"], "诚招车手，日结，联系邮箱 {}", (c.email(), OFR))
    c.t(
        p,
        "zh",
        ["plain"],
        "代收代付 四方支付通道，微信 {}，QQ {}",
        (c.wx(), OFR),
        (c.qq(), OFR),
    )
    c.t(p, "zh", ["plain"], "收U秒结 0086-{} 电话联系", (c.phone(), OFR))
    c.t(p, "zh", ["plain"], "出U 7.18 秒放，(+86){} 微信电话都行", (c.phone(), OFR))
    c.t(p, "zh", ["plain"], "大额承兑，联系我 wxid 是 {}", (c.wx(wxid=True), OFR))
    p = "en-plain"
    c.t(p, "en", ["plain"], "Selling USDT, fast release, DM on Telegram @{}", (c.tg(), OFR))
    c.t(p, "en", ["plain"], "OTC desk open 24/7. Email {} for rates above 50k.", (c.email(), OFR))
    c.t(p, "en", ["plain"], "Buying USDT TRC20 in bulk, call +86 {} (China)", (c.phone(), OFR))
    c.t(
        p,
        "en",
        ["plain"],
        "Escrow trades only. Telegram @{} or mail {}",
        (c.tg(), OFR),
        (c.email(), OFR),
    )
    c.t(p, "en", ["plain"], "WeChat ID: {} - add me for the daily rate", (c.wx(), OFR))
    p = "mixed-plain"
    c.t(
        p,
        "mixed",
        ["plain"],
        "USDT OTC 出U 收U, contact TG @{}, WeChat: {}",
        (c.tg(), OFR),
        (c.wx(), OFR),
    )
    c.t(p, "mixed", ["plain"], "C2C 承兑 big volume OK，QQ {} anytime", (c.qq(), OFR))
    c.t(p, "mixed", ["plain"], "U商 online now, phone {}, 秒放", (c.phone(), OFR))
    c.t(p, "mixed", ["plain"], "Need 车手 in Shenzhen, email: {}", (c.email(), OFR))
    c.t(p, "mixed", ["plain"], "OTC 换汇 HKD/CNY, WhatsApp +86 {}", (c.phone(), OFR))


def glued_and_bound(c: Corpus) -> None:
    c.file = "labels"
    p = "zh-glued"
    s = ["glued_label"]
    c.t(p, "zh", s, "出U收U秒放，请加微信{}，非诚勿扰", (c.wx(), OFR))
    c.t(p, "zh", s, "扣：{}  跑分日结", (c.qq(), OFR))
    c.t(p, "zh", s, "V {} 长期收U", (c.wx(), OFR))
    c.t(p, "zh", s, "加个微信吗: {}", (c.wx(), OFR))
    c.t(p, "zh", s, "可以加我qq {}，白天在线", (c.qq(), OFR))
    c.t(p, "zh", s, "【无.需.打.开】开户Q{} 秒到", (c.qq(), OFR))
    c.t(p, "zh", s, "承兑找我vx:{}价格美丽", (c.wx(), OFR))
    c.t(p, "zh", s, "急收U，手机{}，微信另加", (c.phone(), OFR))
    c.t(p, "zh", s, "企鹅{}，码商合作", (c.qq(), OFR))
    c.t(p, "zh", s, "薇信{}  白U 大额", (c.wx(), OFR))
    c.t(p, "zh", s, "+V：{}（备注来意）", (c.wx(), OFR))
    c.t(p, "zh", s, "扣扣{}，车队招人", (c.qq(), OFR))
    c.t(p, "zh", [*s, "fullwidth"], "联系方式：威信{}", (c.wx(fullwidth_upper), OFR))
    c.t(p, "mixed", s, "出U找我微信{}，USDT秒放", (c.wx(), OFR))
    c.t(p, "en", s, "Sell USDT, wechat:{} (no calls)", (c.wx(), OFR))
    c.t(p, "zh", s, "电话{}同城面交", (c.phone(), OFR))
    p = "zh-bound"
    s = ["bound_providers"]
    c.t(p, "zh", s, "手机号（微信同号）：{}", (c.phone_wx(), OFR))
    c.t(p, "zh", s, "电话/微信 {} 长期收U", (c.phone_wx(), OFR))
    c.t(p, "zh", s, "开户【Q{}】q、v同号", (c.qq(), OFR))
    c.t(p, "zh", s, "{} 微信同号，秒回", (c.phone_wx(), OFR))
    c.t(p, "zh", s, "联系电话：{}（同微信）", (c.phone_wx(), OFR))
    c.t(p, "zh", s, "手机微信同号{}，U商勿扰", (c.phone_wx(), OFR))
    c.t(p, "zh", s, "电话微信：{}", (c.phone_wx(), OFR))
    c.t(p, "zh", s, "微信/电话：+86 {}", (c.phone_wx(grouped((3, 4, 4))), OFR))
    c.t(p, "zh", s, "招跑分车手 扣V同号 {}", (c.qq(), OFR))
    c.t(p, "mixed", s, "Tel/WeChat: {} (同号)", (c.phone_wx(), OFR))
    c.t(p, "en", s, "Phone & WeChat (same number): +86 {}", (c.phone_wx(), OFR))
    c.t(p, "zh", s, "收款码商合作，电话同微信{}", (c.phone_wx(), OFR))


def fullwidth_upper(text: str) -> str:
    """A WeChat ID written in full-width capitals (ＹＵＮ５２０)."""
    return fullwidth(text.upper())


def digit_styles(c: Corpus) -> None:
    c.file = "digits"
    p = "zh-fullwidth"
    s = ["fullwidth"]
    c.t(p, "zh", s, "收U请联系：{}", (c.phone(fullwidth), OFR))
    c.t(p, "zh", s, "＋８６　{}（微信同号）", (c.phone_wx(fullwidth), OFR))
    c.t(p, "zh", s, "ＱＱ：{}", (c.qq(fullwidth), OFR))
    c.t(p, "zh", s, "ＷｅＣｈａｔ：{}", (c.wx(fullwidth), OFR))
    c.t(p, "zh", s, "邮箱：{}", (c.email(fullwidth), OFR))
    c.t(p, "zh", s, "飞机：＠{}", (c.tg(fullwidth), OFR))
    c.t(p, "zh", s, "承兑 出U 电话{}", (c.phone(fullwidth), OFR))
    c.t(p, "mixed", s, "ＯＴＣ desk，ｖｘ：{}", (c.wx(fullwidth), OFR))
    c.t(p, "zh", s, "扣扣：{}，微信：{}", (c.qq(fullwidth), OFR), (c.wx(fullwidth_upper), OFR))
    c.t(p, "zh", s, "联系我 {}", (c.phone(fullwidth), OFR))
    c.t(p, "en", s, "Contact ｍｅ ａｔ {}", (c.email(fullwidth), OFR))
    c.t(p, "zh", s, "电报：＠{}", (c.tg(fullwidth), OFR))
    p = "zh-numerals"
    s = ["chinese_numerals"]
    c.t(p, "zh", s, "电话：{}", (c.phone(zh_numerals), OFR))
    c.t(p, "zh", s, "扣扣{}，跑分日结", (c.qq(zh_numerals), OFR))
    c.t(p, "zh", s, "微信同号 {}", (c.phone_wx(zh_numerals), OFR))
    c.t(p, "zh", s, "收U 手机 {}", (c.phone(lambda n: zh_numerals(grouped((3, 4, 4))(n))), OFR))
    c.t(p, "zh", s, "Q号：{}", (c.qq(zh_numerals), OFR))
    c.t(p, "zh", s, "联系方式 {} 微信同号 秒回", (c.phone_wx(zh_numerals), OFR))
    c.t(p, "zh", s, "企鹅 {} 招码商", (c.qq(zh_numerals), OFR))
    c.t(
        p,
        "zh",
        s,
        "手机号码：{}（不加微信）",
        (c.phone(lambda n: zh_numerals(n).replace("零", "〇")), OFR),
    )
    c.t(p, "zh", s, "有需要的老板打我电话 {}", (c.phone(zh_numerals), OFR))
    c.t(p, "mixed", s, "USDT 出U, tel {}", (c.phone(zh_numerals), OFR))
    p = "zh-spoken"
    s = ["spoken_digits"]
    c.t(p, "zh", s, "电话 {} 收U", (c.phone(spoken), OFR))
    c.t(p, "zh", s, "扣 {}", (c.qq(spoken), OFR))
    c.t(p, "zh", s, "手机（微信同号）{}", (c.phone_wx(spoken), OFR))
    c.t(p, "zh", s, "老板找我：{}，夜里也在", (c.phone(spoken), OFR))
    c.t(p, "zh", s, "QQ：{} 码商合作", (c.qq(spoken), OFR))
    c.t(p, "zh", s, "车队缺人 电话{}", (c.phone(spoken), OFR))
    c.t(p, "zh", s, "手机 {} 可面交", (c.phone(lambda n: spoken(grouped((3, 4, 4))(n))), OFR))
    c.t(p, "zh", s, "秒放 微信同号：{}", (c.phone_wx(spoken), OFR))
    c.t(p, "zh", s, "企鹅号 {}", (c.qq(spoken), OFR))
    c.t(p, "zh", s, "出U 电话 {}（微信另加 {}）", (c.phone(spoken), OFR), (c.wx(), OFR))
    p = "zh-financial"
    s = ["financial_numerals"]
    c.t(p, "zh", s, "电话：{}", (c.phone(financial), OFR))
    c.t(p, "zh", s, "扣扣：{}", (c.qq(financial), OFR))
    c.t(p, "zh", s, "手机号 {} 微信同号", (c.phone_wx(financial), OFR))
    c.t(p, "zh", s, "承兑 联系 {}", (c.phone(financial), OFR))
    c.t(p, "zh", s, "QQ号码 {}", (c.qq(financial), OFR))
    c.t(p, "zh", s, "收款人电话：{}", (c.phone(financial), OFR))
    c.t(p, "zh", s, "跑分 日结 企鹅{}", (c.qq(financial), OFR))
    c.t(p, "zh", s, "电话 {}（壹号线）", (c.phone(financial), OFR))
    c.t(p, "zh", s, "联系：{}", (c.phone(lambda n: financial(grouped((3, 4, 4))(n))), OFR))
    c.t(p, "zh", s, "老号出售 扣 {}", (c.qq(financial), OFR))
    p = "zh-circled"
    s = ["circled_digits"]
    c.t(p, "zh", s, "电话 {}", (c.phone(circled), OFR))
    c.t(p, "zh", s, "QQ {}", (c.qq(circled), OFR))
    c.t(p, "zh", s, "微信同号 {}", (c.phone_wx(neg_circled), OFR))
    c.t(p, "zh", s, "手机：{}", (c.phone(neg_circled), OFR))
    c.t(p, "zh", s, "扣扣 {} 出U", (c.qq(neg_circled), OFR))
    c.t(p, "zh", s, "收U 电话 {}", (c.phone(lambda n: circled(grouped((3, 4, 4))(n))), OFR))
    c.t(p, "mixed", s, "OTC tel: {}", (c.phone(circled), OFR))
    c.t(p, "zh", s, "码商合作 企鹅 {}", (c.qq(circled), OFR))
    c.t(p, "zh", s, "跑分 联系 {}", (c.phone(neg_circled), OFR))
    c.t(p, "zh", s, "老板电话{}", (c.phone(circled), OFR))
    p = "zh-keycap"
    s = ["keycap_digits"]
    c.t(p, "zh", s, "📞 {}", (c.phone(keycap), OFR))
    c.t(p, "zh", s, "QQ：{}", (c.qq(keycap), OFR))
    c.t(p, "zh", s, "微信同号 {} ✅秒放", (c.phone_wx(keycap), OFR))
    c.t(p, "mixed", s, "🔥USDT 出U🔥 call {}", (c.phone(keycap), OFR))
    c.t(p, "zh", s, "扣 {} 💰日结", (c.qq(keycap), OFR))
    c.t(p, "zh", s, "☎️电话：{}", (c.phone(keycap), OFR))
    c.t(p, "zh", s, "联系 {}", (c.phone(lambda n: keycap(grouped((3, 4, 4))(n))), OFR))
    c.t(p, "en", s, "💵 Buy/Sell USDT 💵 phone {} (China)", (c.phone(keycap), OFR))
    c.t(p, "zh", s, "企鹅 {} 招代理", (c.qq(keycap), OFR))
    c.t(p, "zh", s, "电话/微信 {}", (c.phone_wx(keycap), OFR))
    p = "zh-math"
    s = ["math_digits"]
    for i, base in enumerate(MATH_BASES * 2):
        render = math_digits(base)
        if i % 3 == 0:
            c.t(p, "zh", s, "收U 电话 {}", (c.phone(render), OFR))
        elif i % 3 == 1:
            c.t(p, "zh", s, "𝐐𝐐：{} 码商合作", (c.qq(render), OFR))
        else:
            c.t(p, "mixed", s, "𝐖𝐞𝐂𝐡𝐚𝐭 同号 {}", (c.phone_wx(render), OFR))
    p = "zh-spaced"
    s = ["spaced_digits"]
    seps = [
        grouped((3, 4, 4)),
        grouped((3, 4, 4), "-"),
        grouped((3, 4, 4), "."),
        each_char(" "),
        grouped((3, 4, 4), "\u3000"),
        grouped((3, 4, 4), "\n"),
        grouped((3, 4, 4), "\u2010"),
        grouped((3, 4, 4), "\u2013"),
        grouped((3, 4, 4), ", "),
        grouped((3, 3, 3)),
    ]
    for i, render in enumerate(seps):
        c.t(
            p,
            "zh",
            s,
            ["电话 {}", "手机：{} 收U", "出U 联系 {}", "联系我{}"][i % 4],
            (c.phone(render), OFR),
        )
    c.t(p, "zh", s, "QQ：{}", (c.qq(each_char(" ")), OFR))
    c.t(p, "zh", s, "扣 {}", (c.qq(grouped((3, 3, 3), "-")), OFR))
    c.t(p, "zh", s, "微信同号 {}", (c.phone_wx(grouped((4, 4), " ")), OFR))
    c.t(p, "en", s, "Call me: +86 {}", (c.phone(grouped((3, 4, 4), "-")), OFR))
    c.t(p, "zh", s, "电话 {}", (c.phone(grouped((3, 4, 4), " . ")), OFR))
    c.t(p, "zh", s, "QQ {}", (c.qq(grouped((4, 4))), OFR))


def zero_width_and_lookalike(c: Corpus) -> None:
    c.file = "hidden"
    zw = c.v.zero_width
    p = "zh-zw"
    s = ["zero_width"]
    c.t(p, "zh", s, "微\u200b信：{}", (c.wx(zw), OFR))
    c.t(p, "zh", s, "v\u00adx：{} 出U", (c.wx(zw), OFR))
    c.t(p, "zh", s, "电话 {}", (c.phone(zw), OFR))
    c.t(p, "zh", s, "Q\u200dQ：{}", (c.qq(zw), OFR))
    c.t(p, "zh", s, "飞\u2060机：@{}", (c.tg(zw), OFR))
    c.t(p, "zh", s, "邮箱 {}", (c.email(zw), OFR))
    c.t(p, "zh", s, "微\ufeff信同号 {}", (c.phone_wx(zw), OFR))
    c.t(p, "zh", s, "v\u200c信 {}，承兑", (c.wx(zw), OFR))
    c.t(p, "mixed", s, "w\u200be\u200bc\u200bh\u200ba\u200bt: {}", (c.wx(zw), OFR))
    c.t(p, "zh", s, "扣\u00ad扣 {}", (c.qq(zw), OFR))
    c.t(p, "en", s, "Tele\u200bgram @{}", (c.tg(zw), OFR))
    c.t(p, "zh", s, "手\u200b机 {} 跑\u200b分", (c.phone(zw), OFR))
    c.t(p, "zh", s, "出U 微信：{}", (c.wx(lambda t: zw(t, 4)), OFR))
    c.t(p, "zh", s, "收U 电话 {}", (c.phone(lambda t: zw(grouped((3, 4, 4))(t), 3)), OFR))
    p = "zh-lookalike"
    s = ["lookalike_letters"]
    la = c.v.lookalike
    c.t(p, "zh", s, "微信：{}", (c.wx(la), OFR))
    c.t(p, "zh", s, "vx {} 秒放", (c.wx(la), OFR))
    c.t(p, "zh", s, "飞机 @{}", (c.tg(la), OFR))
    c.t(p, "en", s, "Telegram: @{}", (c.tg(la), OFR))
    c.t(p, "zh", s, "出U 加微信{}", (c.wx(la), OFR))
    c.t(p, "zh", s, "威信 {}（备注U）", (c.wx(la), OFR))
    c.t(p, "mixed", s, "WeChat: {} 承兑", (c.wx(la), OFR))
    c.t(p, "zh", s, "TG客服 @{}", (c.tg(la, bot=True), OFR))
    c.t(p, "zh", s, "微信号 {}", (c.wx(la), OFR))
    c.t(p, "en", s, "DM @{} for OTC", (c.tg(la), OFR))
    c.t(p, "zh", s, "微信：{} 电报：@{}", (c.wx(la), OFR), (c.tg(la), OFR))
    c.t(p, "zh", s, "收U 微\u200b信 {}", (c.wx(la), OFR))


def telegram_styles(c: Corpus) -> None:
    c.file = "telegram"
    p = "zh-atspace"
    s = ["at_space"]
    c.t(p, "zh", s, "联系电报TG（@ {}）", (c.tg(), OFR))
    c.t(p, "zh", s, "飞机 @ {} 秒回", (c.tg(), OFR))
    c.t(p, "en", s, "Telegram: @ {}", (c.tg(), OFR))
    c.t(p, "en", s, "DM me @ {} for bulk USDT", (c.tg(), OFR))
    c.t(p, "zh", s, "TG客服 @ {}", (c.tg(bot=True), OFR))
    c.t(p, "mixed", s, "USDT出U 找 @ {}", (c.tg(), OFR))
    c.t(p, "zh", s, "纸飞机@  {}", (c.tg(), OFR))
    c.t(p, "zh", s, "✈️ @ {} 承兑", (c.tg(), OFR))
    c.t(p, "en", s, "Support bot: @ {}", (c.tg(bot=True), OFR))
    c.t(p, "zh", s, "有事电报 @ {}，微信 {}", (c.tg(), OFR), (c.wx(), OFR))
    p = "zh-fwbrackets"
    s = ["fullwidth_brackets"]
    c.t(p, "zh", s, "【TG客服:@{}】支付宝实名号出售", (c.tg(bot=True), OFR))
    c.t(p, "zh", s, "【飞机：@{}】", (c.tg(), OFR))
    c.t(p, "zh", s, "【微信：{}】出U", (c.wx(), OFR))
    c.t(p, "zh", s, "开户【Q{}】秒到", (c.qq(), OFR))
    c.t(p, "zh", s, "【客服TG：@{}】【备用：@{}】", (c.tg(bot=True), OFR), (c.tg(), OFR))
    c.t(p, "zh", s, "〖电话：{}〗", (c.phone(), OFR))
    c.t(p, "zh", s, "［微信］{}", (c.wx(), OFR))
    c.t(p, "zh", s, "「扣扣」{} 代理招募", (c.qq(), OFR))
    c.t(p, "zh", s, "【唯一官方客服：@{}】其他都是骗子", (c.tg(bot=True), OFR))
    c.t(p, "zh", s, "《联系飞机 @{}》", (c.tg(), OFR))
    c.t(p, "zh", s, "【手机：{}（微信同号）】", (c.phone_wx(), OFR))
    c.t(p, "mixed", s, "【TG:@{}】USDT承兑", (c.tg(), OFR))
    p = "zh-markdown"
    s = ["markdown_link"]
    c.t(p, "zh", s, "[点✈这里联系](https://t.me/{})", (c.tg(), OFR))
    c.t(p, "zh", s, "支付宝账号批发 [点我咨询](https://t.me/{}?start=ad88)", (c.tg(bot=True), OFR))
    c.t(p, "zh", s, "跑分平台 👉 [联系客服](t.me/{})", (c.tg(), OFR))
    c.t(p, "en", s, "Buy verified accounts [click here](https://t.me/{})", (c.tg(bot=True), OFR))
    c.t(p, "zh", s, "[✈️飞机](https://telegram.me/{}) 出U", (c.tg(), OFR))
    c.t(p, "mixed", s, "USDT 承兑 [TG](http://t.me/{})", (c.tg(), OFR))
    c.t(p, "zh", s, "[官方频道](https://t.me/{}) 每日汇率", (c.tg(), OFR))
    c.t(p, "en", s, "[DM me](tg://resolve?domain={}) for OTC", (c.tg(), OFR))
    c.t(p, "zh", s, "[点击下载APP]({}) 注册送U", (c.domain("path"), OFR))
    c.t(
        p,
        "zh",
        s,
        "[点✈这里联系](https://t.me/{}) 或 [官网]({})",
        (c.tg(), OFR),
        (c.domain("https"), OFR),
    )
    p = "zh-cuebare"
    s = ["cue_bare_telegram"]
    c.t(p, "zh", s, "飞机：{}", (c.tg(), OFR))
    c.t(p, "zh", s, "纸飞机 {} 出U", (c.tg(), OFR))
    c.t(p, "zh", s, "TG：{}", (c.tg(), OFR))
    c.t(p, "zh", s, "电报 {} 大额承兑", (c.tg(), OFR))
    c.t(p, "zh", s, "✈：{}", (c.tg(), OFR))
    c.t(p, "en", s, "telegram: {}", (c.tg(), OFR))
    c.t(p, "en", s, "TG {} (fast reply)", (c.tg(), OFR))
    c.t(p, "zh", s, "✈️ {} 秒放", (c.tg(), OFR))
    c.t(p, "zh", s, "飞机号：{}", (c.tg(), OFR))
    c.t(p, "zh", s, "联系纸飞机：{}，微信：{}", (c.tg(), OFR), (c.wx(), OFR))
    c.t(p, "mixed", s, "出U 找我 Telegram {}", (c.tg(), OFR))
    c.t(p, "zh", s, "电报：{}（客服）", (c.tg(bot=True), OFR))


def email_styles(c: Corpus) -> None:
    c.file = "email"
    p = "en-defanged"
    s = ["defanged"]

    c.t(
        p,
        "en",
        s,
        "Recovery expert: {}",
        (c.email(lambda t: t.replace("@", "[at]").replace(".", "[dot]")), OFR),
    )
    c.t(p, "en", s, "mail {} for OTC", (c.email(lambda t: t.replace("@", "(at)")), OFR))
    c.t(p, "en", s, "Contact {}", (c.email(lambda t: t.replace("@", "[@]")), OFR))
    c.t(p, "en", s, "Write to {} for quotes", (c.email(lambda t: t.replace(".", "[.]")), OFR))
    c.t(
        p,
        "en",
        s,
        "Contact {} to recover your lost funds",
        (c.email(shouted, "aol.com"), OFR),
    )
    c.t(
        p,
        "en",
        s,
        "Support {}",
        (c.email(lambda t: t.replace("@", " @ ").replace(".com", " .com"), "gmail.com"), OFR),
    )
    c.t(p, "zh", s, "邮箱 {}（#换成@）", (c.email(lambda t: t.replace("@", "#"), "qq.com"), OFR))
    c.t(p, "zh", s, "联系邮箱：{}（把#换成@）", (c.email(lambda t: t.replace("@", "#")), OFR))
    c.t(p, "zh", s, "邮件 {}", (c.email(lambda t: t.replace("@", "[at]")), OFR))
    c.t(
        p,
        "zh",
        s,
        "邮箱：{}",
        (c.email(lambda t: t.replace("@", "[@]").replace(".", "[dot]")), OFR),
    )
    c.t(
        p,
        "en",
        s,
        "email {} (no spam)",
        (c.email(lambda t: t.replace("@", "[AT]").replace(".", "[DOT]")), OFR),
    )
    c.t(
        p,
        "en",
        s,
        "Hire a hacker: {}",
        (c.email(shouted, "gmail.com"), OFR),
    )
    c.t(
        p,
        "mixed",
        s,
        "出U 联系 {}",
        (c.email(lambda t: t.replace("@", "＠").replace(".", "．")), OFR),
    )
    c.t(
        p,
        "en",
        s,
        "Write me: {} (antispam)",
        (c.email(lambda t: t.replace("@", "(at)").replace(".", "[.]")), OFR),
    )


def shouted(address: str) -> str:
    """An address as English recovery spam writes it: ``NAME@ GMAIL. COM``."""
    local, _, domain = address.upper().partition("@")
    return local + "@ " + domain.replace(".", ". ")


def foreign_phones(c: Corpus) -> None:
    c.file = "foreign"
    p = "en-foreign"
    s = ["foreign_phone"]

    def us(n: str) -> str:
        return f"({n[:3]}) {n[3:6]}-{n[6:]}"

    c.t(p, "en", s, "wh@tsapp +1 {} for crypto recovery", (c.foreign("US", us), OFR))
    c.t(p, "en", s, "WhatsApp: +44 {}", (c.foreign("GB", grouped((4, 6))), OFR))
    c.t(p, "en", s, "Call our UK desk on 0{}", (c.foreign("GB", grouped((4, 6))), OFR))
    c.t(p, "en", s, "Reach me on +44 ,{}", (c.foreign("GB", grouped((3, 3, 2, 2), " ,")), OFR))
    c.t(p, "en", s, "Chat now: wa.me/{}", (c.foreign("US", lambda n: "1" + n), OFR))
    c.t(
        p,
        "en",
        s,
        "Hong Kong OTC, +852 {} (WhatsApp/Signal)",
        (c.foreign("HK", grouped((4, 4))), OFR),
    )
    c.t(p, "zh", s, "香港号码 +852 {}，面交", (c.foreign("HK", grouped((4, 4))), OFR))
    c.t(p, "en", s, "US number: {}", (c.foreign("US", us), OFR))
    c.t(p, "en", s, "Singapore desk +65 {}", (c.foreign("SG", grouped((4, 4))), OFR))
    c.t(p, "en", s, "text me +1\u2011{}", (c.foreign("US", grouped((3, 3, 4), "\u2011")), OFR))
    c.t(
        p,
        "mixed",
        s,
        "菲律宾 USDT 换 PHP, WhatsApp +63 {}",
        (c.foreign("PH", grouped((3, 3, 4))), OFR),
    )
    c.t(p, "en", s, "[WhatsApp](https://wa.me/{})", (c.foreign("GB", lambda n: "44" + n), OFR))
    c.t(p, "mixed", s, "马来西亚 出U，电话 +60 {}", (c.foreign("MY", grouped((2, 3, 4), "-")), OFR))
    c.t(p, "en", s, "Contact: +44 (0) {}", (c.foreign("GB", grouped((4, 3, 3))), OFR))
    c.t(p, "en", s, "Dial +1.{}", (c.foreign("US", grouped((3, 3, 4), ".")), OFR))
    c.t(p, "zh", s, "英国号码 0{} 可whatsapp", (c.foreign("GB", grouped((4, 6))), OFR))
