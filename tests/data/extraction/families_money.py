"""Posts publishing money handles: Alipay accounts, payment links, cards, crypto, websites; and
warnings, reports and questions that name handles (roles ``reported`` and ``mentioned``).
"""

from __future__ import annotations

from generate import Corpus, fullwidth, grouped

OFR, REP, MEN = "offered", "reported", "mentioned"
USDT_TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
USDT_ETH = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
CARD4 = grouped((4, 4, 4, 4, 4))


def build(c: Corpus) -> None:
    """Add every money-handle family to ``c``."""
    alipay(c)
    payment_links(c)
    cards(c)
    crypto(c)
    domains(c)
    reports(c)
    long_ads(c)


def alipay(c: Corpus) -> None:
    c.file = "alipay"
    p = "zh-alipay-phone"
    s = ["alipay_phone"]
    c.t(p, "zh", s, "支付宝：{}", (c.phone_ali(), OFR))
    c.t(p, "zh", s, "支付宝账号 {} 实名 张*", (c.phone_ali(), OFR))
    c.t(p, "zh", s, "收款支付宝 {}（手机号）", (c.phone_ali(), OFR))
    c.t(p, "zh", [*s, "bound_providers"], "支付宝/微信同号 {}", (c.phone_ali(wechat=True), OFR))
    c.t(p, "zh", s, "ZFB：{} 秒到", (c.phone_ali(), OFR))
    c.t(p, "en", s, "Alipay: +86 {}", (c.phone_ali(), OFR))
    c.t(p, "zh", [*s, "spaced_digits"], "支付宝 {}", (c.phone_ali(grouped((3, 4, 4))), OFR))
    c.t(p, "zh", s, "跑分收款 支付宝{}", (c.phone_ali(), OFR))
    c.t(p, "zh", s, "支付宝手机号：{}，微信：{}", (c.phone_ali(), OFR), (c.wx(), OFR))
    c.t(p, "zh", s, "付款到zfb {} 备注订单", (c.phone_ali(), OFR))
    c.t(p, "en", s, "alipay account {} (China mobile)", (c.phone_ali(), OFR))
    c.t(p, "zh", [*s, "fullwidth"], "支付宝：{}", (c.phone_ali(fullwidth), OFR))
    p = "zh-alipay-email"
    s = ["alipay_email"]
    c.t(p, "zh", s, "支付宝：{}", (c.ali_email(), OFR))
    c.t(p, "zh", s, "支付宝账号 {}", (c.ali_email(), OFR))
    c.t(p, "zh", s, "ZFB {} 先款后币", (c.ali_email(), OFR))
    c.t(p, "en", s, "Alipay: {}", (c.ali_email(), OFR))
    c.t(p, "zh", s, "支付宝邮箱账户 {} 已实名", (c.ali_email(), OFR))
    c.t(p, "zh", s, "付款支付宝 {}（邮箱）", (c.ali_email(), OFR))
    c.t(p, "zh", s, "支付宝：{}", (c.ali_email(domain="qq.com"), OFR))
    c.t(p, "zh", s, "收款 支付宝 {} 转账请备注", (c.ali_email(), OFR))
    c.t(p, "mixed", s, "Alipay 账户：{}", (c.ali_email(), OFR))
    c.t(p, "zh", s, "支付宝账户{}", (c.ali_email(), OFR))
    p = "zh-alipay-uid"
    s = ["alipay_userid"]
    c.t(p, "zh", s, "支付宝UID：{}", (c.ali_id(), OFR))
    c.t(p, "zh", s, "收款账户 userId={}", (c.ali_id(), OFR))
    c.t(p, "zh", s, "支付宝用户ID {} 跑分入款", (c.ali_id(), OFR))
    c.t(p, "en", s, "alipay user id: {}", (c.ali_id(), OFR))
    c.t(p, "zh", s, "四方支付 码商 PID {}", (c.ali_id(), OFR))
    c.t(p, "zh", s, "跑分平台 入款账户 {}（支付宝）", (c.ali_id(), OFR))
    c.t(p, "zh", s, "支付宝账号ID：{}", (c.ali_id(), OFR))
    c.t(p, "zh", s, "uid={} 抢单", (c.ali_id(), OFR))
    c.t(
        p,
        "zh",
        [*s, "deep_link"],
        "转账码：alipays://platformapi/startapp?appId=09999988&actionType=toAccount&goBack=NO&userId={}",
        (c.ali_id(), OFR),
    )
    c.t(p, "mixed", s, "Alipay 2088 账户 {} 日结", (c.ali_id(), OFR))


def payment_links(c: Corpus) -> None:
    c.file = "paylinks"
    p = "zh-deeplink"
    s = ["deep_link"]
    c.t(p, "zh", s, "扫码付款 {}", (c.paylink("alipays"), OFR))
    c.t(p, "zh", s, "收款链接：{}", (c.paylink("alipays"), OFR))
    c.t(p, "zh", s, "个码 {} 跑分专用", (c.paylink("alipayqr"), OFR))
    c.t(p, "zh", s, "打开支付宝：{}", (c.paylink("alipays"), OFR))
    c.t(p, "zh", s, "点这里付款 {} 付完截图", (c.paylink("alipays_upper"), OFR))
    c.t(p, "en", s, "pay via {}", (c.paylink("alipays"), OFR))
    c.t(p, "zh", s, "抢单成功，付款地址 {}", (c.paylink("alipayqr"), OFR))
    c.t(p, "zh", s, "[点击支付]({})", (c.paylink("alipays"), OFR))
    c.t(p, "zh", s, "码商收款 {}", (c.paylink("alipays_upper"), OFR))
    c.t(p, "mixed", s, "USDT 收款 Alipay: {}", (c.paylink("alipays"), OFR))
    p = "zh-qrupper"
    s = ["qr_payload_upper"]
    c.t(p, "zh", s, "二维码内容：{}", (c.paylink("upper"), OFR))
    c.t(p, "zh", s, "收款码解码：{}", (c.paylink("upper"), OFR))
    c.t(p, "en", s, "QR: {}", (c.paylink("upper"), OFR))
    c.t(p, "zh", s, "识别结果 {}", (c.paylink("upper"), OFR))
    c.t(p, "zh", s, "个码 {} 今日有效", (c.paylink("upper"), OFR))
    c.t(p, "zh", s, "我的收款码内容 {}", (c.paylink("upper"), OFR))
    c.t(p, "en", s, "decoded payload: {}", (c.paylink("upper"), OFR))
    c.t(p, "zh", s, "跑分码 {}", (c.paylink("upper"), OFR))
    c.t(p, "mixed", s, "收款 QR 内容 {}", (c.paylink("upper"), OFR))
    c.t(p, "zh", s, "图片二维码：{}", (c.paylink("upper"), OFR))
    p = "zh-qrvariant"
    s = ["qr_link_variant"]
    c.t(p, "zh", s, "支付宝收款码 {}", (c.paylink("https"), OFR))
    c.t(p, "zh", s, "付款 {}", (c.paylink("bare"), OFR))
    c.t(p, "zh", s, "收款链接 {}", (c.paylink("http"), OFR))
    c.t(p, "zh", s, "个码：{}", (c.paylink("query"), OFR))
    c.t(p, "en", s, "Alipay link {}", (c.paylink("https"), OFR))
    c.t(p, "zh", s, "跑分个码 {} 和 {}", (c.paylink("bare"), OFR), (c.paylink("https"), OFR))
    c.t(p, "zh", s, "收款：{}", (c.paylink("query"), OFR))
    c.t(p, "mixed", s, "pay here {} 秒到", (c.paylink("http"), OFR))
    c.t(p, "zh", s, "码商 {}", (c.paylink("https"), OFR))
    c.t(p, "zh", s, "支付宝个人收款 {}", (c.paylink("bare"), OFR))
    p = "zh-wxp"
    s = ["wxp"]
    c.t(p, "zh", s, "微信收款码：{}", (c.wxp(), OFR))
    c.t(p, "zh", s, "微信支付 {} 付款后截图", (c.wxp(), OFR))
    c.t(p, "zh", s, "个码（微信）{}", (c.wxp(), OFR))
    c.t(p, "en", s, "WeChat Pay: {}", (c.wxp(), OFR))
    c.t(p, "zh", s, "二维码内容 {}", (c.wxp(), OFR))
    c.t(p, "zh", s, "扫 {} 付款", (c.wxp(), OFR))
    c.t(p, "zh", s, "收款码 {}，备注订单号", (c.wxp(), OFR))
    c.t(p, "mixed", s, "wechat 收款 {}", (c.wxp(), OFR))
    c.t(p, "zh", s, "码商 微信码 {}", (c.wxp(), OFR))
    c.t(p, "zh", s, "支付宝 {} 或 微信 {}", (c.paylink("https"), OFR), (c.wxp(), OFR))


def cards(c: Corpus) -> None:
    c.file = "cards"
    p = "zh-card"
    s = ["bank_card"]
    c.t(p, "zh", s, "收款卡号：{} 建设银行", (c.card(), OFR))
    c.t(p, "zh", s, "卡号 {} 开户行：农业银行", (c.card(render=CARD4), OFR))
    c.t(p, "zh", s, "工行 {} 张*", (c.card(render=CARD4), OFR))
    c.t(p, "zh", s, "银行卡{}，转账请备注", (c.card(), OFR))
    c.t(p, "zh", s, "招行卡 {}", (c.card(render=CARD4), OFR))
    c.t(p, "en", s, "Wire to Visa card {}", (c.card("visa", CARD4), OFR))
    c.t(p, "en", s, "Mastercard: {}", (c.card("mastercard"), OFR))
    c.t(p, "zh", s, "收U 打款到 {}", (c.card(), OFR))
    c.t(p, "zh", s, "U卡 {} 可出金", (c.card("visa"), OFR))
    c.t(p, "zh", s, "卡商出卡 样卡 {}", (c.card("mastercard", CARD4), OFR))
    c.t(p, "zh", s, "收款：中国银行 {}", (c.card(render=grouped((6, 13))), OFR))
    c.t(p, "mixed", s, "bank card 卡号 {} (ICBC)", (c.card(), OFR))
    c.t(
        p,
        "zh",
        [*s, "spaced_digits"],
        "卡号：{}",
        (c.card(render=grouped((4, 4, 4, 4, 3), "-")), OFR),
    )
    c.t(p, "zh", s, "备用卡 {}，主卡 {}", (c.card(), OFR), (c.card(render=CARD4), OFR))
    c.t(p, "en", s, "Pay to MC {} or Visa {}", (c.card("mastercard"), OFR), (c.card("visa"), OFR))
    c.t(p, "zh", [*s, "fullwidth"], "卡号：{}", (c.card(render=fullwidth), OFR))


def crypto(c: Corpus) -> None:
    c.file = "crypto"
    p = "zh-crypto"
    s = ["crypto"]
    c.t(p, "zh", s, "USDT-TRC20 收款地址：{}", (c.tron(), OFR))
    c.t(p, "zh", s, "打U到 {} 秒放", (c.tron(), OFR))
    c.t(p, "zh", s, "波场地址 {}", (c.tron(), OFR))
    c.t(p, "en", s, "Send USDT (TRC20) to {}", (c.tron(), OFR))
    c.t(p, "zh", s, "收U地址：{}，先币后款", (c.tron(), OFR))
    c.t(p, "mixed", s, "TRC20 address {} 到账即放", (c.tron(), OFR))
    c.t(p, "zh", [*s, "spaced_digits"], "地址 {}", (c.tron(grouped((4,) * 9)), OFR))
    c.t(p, "zh", [*s, "spaced_digits"], "TRC20：{}", (c.tron(grouped((6,) * 6, "\n")), OFR))
    c.t(p, "zh", [*s, "zero_width"], "收款地址 {}", (c.tron(c.v.zero_width), OFR))
    c.t(p, "en", s, "ERC20 deposit: {}", (c.eth(), OFR))
    c.t(p, "zh", s, "ERC20 收款 {}", (c.eth(), OFR))
    c.t(p, "en", s, "My ETH wallet {}", (c.eth(), OFR))
    c.t(p, "zh", s, "以太坊地址：{}", (c.eth(), OFR))
    c.t(p, "zh", s, "ERC20地址 {}", (c.eth(lower=True), OFR))
    c.t(p, "en", s, "send to {} (ERC20 USDT)", (c.eth(lower=True), OFR))
    c.t(p, "mixed", s, "ETH 地址 {}", (c.eth(lower=True), OFR))
    c.t(p, "en", s, "BTC: {}", (c.btc("p2pkh"), OFR))
    c.t(p, "zh", s, "比特币地址 {}", (c.btc("p2pkh"), OFR))
    c.t(p, "en", s, "Bitcoin deposit address {}", (c.btc("p2sh"), OFR))
    c.t(p, "zh", s, "BTC收款：{}", (c.btc("p2sh"), OFR))
    c.t(p, "en", s, "BTC (segwit): {}", (c.btc("p2wpkh"), OFR))
    c.t(p, "zh", s, "比特币 {}", (c.btc("p2wpkh"), OFR))
    c.t(p, "en", s, "multisig deposit {}", (c.btc("p2wsh"), OFR))
    c.t(p, "en", s, "my taproot address {}", (c.btc("p2tr"), OFR))
    c.t(p, "zh", s, "BTC taproot 地址 {}", (c.btc("p2tr"), OFR))
    c.t(p, "en", s, "QR decoded: BITCOIN:{}", (c.btc("p2wpkh", upper=True), OFR))
    c.t(p, "zh", s, "BTC 地址（二维码）{}", (c.btc("p2wsh", upper=True), OFR))
    c.t(
        p,
        "mixed",
        s,
        "收U 地址 TRC20 {} / ERC20 {} / BTC {}",
        (c.tron(), OFR),
        (c.eth(), OFR),
        (c.btc("p2wpkh"), OFR),
    )
    c.t(p, "zh", s, "换BTC 地址 {} 或者 {}", (c.btc("p2pkh"), OFR), (c.btc("p2tr"), OFR))
    c.t(p, "en", s, "USDT TRC20 {}\nETH {}", (c.tron(), OFR), (c.eth(lower=True), OFR))
    p = "zh-contract"
    s = ["neg_public_contract"]
    tron_contract = c.fixed(USDT_TRON, ("tron", USDT_TRON))
    eth_contract = c.fixed(USDT_ETH, ("eth", USDT_ETH))
    eth_contract_lower = c.fixed(USDT_ETH.lower(), ("eth", USDT_ETH))
    c.t(p, "zh", [*s, "crypto"], "USDT合约地址 {}，认准官方", (tron_contract, MEN))
    c.t(p, "en", [*s, "crypto"], "Tether contract on ERC20: {}", (eth_contract, MEN))
    c.t(
        p,
        "zh",
        [*s, "crypto"],
        "转账前核对合约 {}，收款地址 {}",
        (tron_contract, MEN),
        (c.tron(), OFR),
    )
    c.t(
        p, "mixed", [*s, "crypto"], "USDT-ERC20 合约 {} 不要转到合约地址", (eth_contract_lower, MEN)
    )
    c.t(p, "zh", [*s, "crypto"], "假U骗局：合约不是 {} 的都是假U", (tron_contract, MEN))
    c.t(
        p,
        "en",
        [*s, "crypto"],
        "Check the token contract is {} before sending to my wallet {}",
        (eth_contract, MEN),
        (c.eth(), OFR),
    )
    c.t(p, "zh", [*s, "crypto"], "添加自定义代币 合约：{}", (tron_contract, MEN))
    c.t(
        p, "en", [*s, "crypto"], "USDT TRC20 contract {} (verify on tronscan)", (tron_contract, MEN)
    )
    c.t(p, "zh", [*s, "crypto"], "ERC20 USDT 合约：{}", (eth_contract, MEN))
    c.t(p, "zh", [*s, "crypto"], "官方USDT合约 {} 不是收款地址", (tron_contract, MEN))


def domains(c: Corpus) -> None:
    c.file = "domains"
    p = "zh-domain"
    s = ["domains"]
    c.t(p, "zh", s, "官网 {} 注册送U", (c.domain("bare"), OFR))
    c.t(p, "zh", s, "跑分平台：{}", (c.domain("www"), OFR))
    c.t(p, "en", s, "Trade on our site {}", (c.domain("https"), OFR))
    c.t(p, "zh", s, "下载APP：{}", (c.domain("path"), OFR))
    c.t(p, "zh", s, "承兑后台 {}", (c.domain("sub", "com.cn"), OFR))
    c.t(p, "zh", s, "码商登录 {}", (c.domain("sub_https"), OFR))
    c.t(p, "en", s, "VISIT {} NOW", (c.domain("upper"), OFR))
    idn = "跑分联盟.com"
    c.t(p, "zh", s, "新地址 {}", (c.fixed(idn, ("domain", idn.encode("idna").decode())), OFR))
    idn2 = "承兑网.net"
    c.t(
        p,
        "zh",
        s,
        "备用 https://www.{}/app",
        (c.fixed(idn2, ("domain", idn2.encode("idna").decode())), OFR),
    )
    c.t(p, "mixed", s, "USDT 出U 网站 {} 秒到", (c.domain("www", "top"), OFR))
    c.t(p, "zh", s, "四方支付 {} 对接", (c.domain("sub_https", "vip"), OFR))
    c.t(p, "en", s, "Sign up at {} and get 10 USDT", (c.domain("path", "io"), OFR))
    p = "zh-domain-defanged"
    s = ["domains", "defanged"]
    c.t(p, "zh", s, "官网 {}（复制到浏览器）", (c.domain("brackets"), OFR))
    c.t(p, "en", s, "Phishing site: {}", (c.domain("hxxps"), REP))
    c.t(p, "zh", s, "网址 {}", (c.domain("ideo"), OFR))
    c.t(p, "zh", s, "新域名 {} 老域名被墙", (c.domain("dot_word"), OFR))
    c.t(p, "en", s, "IOC: {}", (c.domain("hxxp"), REP))
    c.t(p, "zh", s, "地址：{}", (c.domain("ideo", "com.cn"), OFR))
    c.t(p, "zh", s, "登录 {}", (c.domain("brackets", "com.cn"), OFR))
    c.t(p, "en", s, "blocked domain {} (scam)", (c.domain("brackets"), REP))
    c.t(p, "zh", s, "跑分平台 {} 注册", (c.domain("brackets", "vip"), OFR))
    c.t(p, "en", s, "go to {}", (c.domain("hxxps", "cc"), OFR))


def reports(c: Corpus) -> None:
    c.file = "reports"
    p = "zh-report"
    s = ["plain"]
    c.t(p, "zh", s, "曝光骗子：微信 {} 收钱不放币，大家注意", (c.wx(), REP))
    c.t(p, "zh", s, "避雷！这个U商 电话 {} 收了钱就拉黑", (c.phone(), REP))
    c.t(p, "zh", s, "被骗了，支付宝 {} 大家小心", (c.phone_ali(), REP))
    c.t(p, "zh", [*s, "crypto"], "警惕：TRON地址 {} 是骗子的，已报警", (c.tron(), REP))
    c.t(p, "zh", s, "黑名单：QQ {}，跑分跑路", (c.qq(), REP))
    c.t(p, "zh", s, "曝光 飞机 @{} 假承兑 冻卡", (c.tg(), REP))
    c.t(p, "zh", [*s, "bank_card"], "冻卡了！对方卡号 {} 是黑钱，帮信罪要小心", (c.card(), REP))
    c.t(p, "zh", s, "骗子邮箱 {}，千万别信", (c.email(), REP))
    c.t(
        p,
        "zh",
        [*s, "bound_providers"],
        "曝光：手机 {}（微信同号）先收款后拉黑",
        (c.phone_wx(), REP),
    )
    c.t(
        p,
        "zh",
        ["spaced_digits"],
        "这个车手 {} 卷款跑了",
        (c.phone(lambda n: n[:3] + " " + n[3:]), REP),
    )
    c.t(p, "zh", s, "被 @{} 骗了 5000U，有没有一样的", (c.tg(), REP))
    c.t(p, "zh", ["wxp"], "骗子的收款码 {} 大家认清", (c.wxp(), REP))
    p = "en-report"
    c.t(p, "en", s, "Scam alert: @{} took my USDT and blocked me", (c.tg(), REP))
    c.t(p, "en", s, "Beware of {} - fake recovery service", (c.email(), REP))
    c.t(p, "en", [*s, "crypto"], "SCAM address, do not send: {}", (c.eth(), REP))
    c.t(
        p,
        "en",
        [*s, "foreign_phone"],
        "Reported: WhatsApp +44 {} is a scammer",
        (c.foreign("GB"), REP),
    )
    c.t(p, "en", [*s, "crypto"], "Stolen funds went to {}", (c.btc("p2wpkh"), REP))
    c.t(p, "en", [*s, "domains"], "Fake exchange {} stole my deposit", (c.domain("www"), REP))
    p = "zh-question"
    c.t(p, "zh", s, "请问 {} 这个号靠谱吗？", (c.phone(), MEN))
    c.t(p, "en", s, "Anyone traded with @{}? legit?", (c.tg(), MEN))
    c.t(p, "zh", [*s, "crypto"], "这个地址 {} 是不是诈骗？", (c.tron(), MEN))
    c.t(p, "zh", s, "有人知道微信 {} 吗，说能出U", (c.wx(), MEN))
    c.t(p, "en", [*s, "domains"], "Is {} a real exchange?", (c.domain("bare"), MEN))
    p = "mixed-roles"
    c.t(
        p,
        "zh",
        s,
        "之前被 @{} 骗了，现在只找自己人，我的飞机 @{}",
        (c.tg(), REP),
        (c.tg(), OFR),
    )
    c.t(
        p,
        "zh",
        s,
        "冒充我的骗子微信 {}，我本人微信只有 {}",
        (c.wx(), REP),
        (c.wx(), OFR),
    )
    c.t(
        p,
        "en",
        s,
        "Impostor alert: {} is NOT us. Our only support is @{}",
        (c.tg(lambda t: "@" + t), REP),
        (c.tg(bot=True), OFR),
    )
    c.t(
        p,
        "mixed",
        s,
        "骗子 QQ {} 假冒客服；official support 邮箱 {}",
        (c.qq(), REP),
        (c.email(), OFR),
    )


def long_ads(c: Corpus) -> None:
    c.file = "ads"
    p = "zh-ad"
    c.t(
        p,
        "zh",
        ["plain", "alipay_phone", "crypto"],
        "【长期收U】\n汇率：7.25\n支付宝：{}\n微信：{}\nTRC20：{}\n先款后币，大额可谈",
        (c.phone_ali(), OFR),
        (c.wx(), OFR),
        (c.tron(), OFR),
    )
    c.t(
        p,
        "zh",
        ["fullwidth_brackets", "bound_providers"],
        "【U商直营】秒放不墨迹\n【电话】{}（微信同号）\n【飞机】@{}\n【QQ】{}",
        (c.phone_wx(), OFR),
        (c.tg(), OFR),
        (c.qq(), OFR),
    )
    c.t(
        p,
        "zh",
        ["plain", "bank_card", "alipay_userid"],
        "跑分平台招码商：保证金5000，佣金1.2%日结\n入款支付宝UID {}\n出款卡 {}\n客服TG @{}",
        (c.ali_id(), OFR),
        (c.card(render=CARD4), OFR),
        (c.tg(bot=True), OFR),
    )
    c.t(
        p,
        "mixed",
        ["plain", "domains", "crypto"],
        "OTC 承兑 | USDT 7.20 | 官网 {} | ERC20 {} | TG @{}",
        (c.domain("www"), OFR),
        (c.eth(), OFR),
        (c.tg(), OFR),
    )
    c.t(
        p,
        "en",
        ["plain", "foreign_phone", "crypto"],
        "Buying BTC/USDT worldwide.\nWhatsApp (UK): +44 {}\nBTC: {}\nEmail: {}",
        (c.foreign("GB", grouped((4, 6))), OFR),
        (c.btc("p2tr"), OFR),
        (c.email(), OFR),
    )
    c.t(
        p,
        "zh",
        ["glued_label", "qr_link_variant", "wxp"],
        "出U换汇，加微信{}\n支付宝个码 {}\n微信个码 {}",
        (c.wx(), OFR),
        (c.paylink("https"), OFR),
        (c.wxp(), OFR),
    )
    c.t(
        p,
        "zh",
        ["spaced_digits", "glued_label"],
        "承兑商 大额秒放\n电话：{}\n扣：{}\n面交地址 深圳福田",
        (c.phone(grouped((3, 4, 4), "-")), OFR),
        (c.qq(), OFR),
    )
    c.t(
        p,
        "mixed",
        ["cue_bare_telegram", "alipay_email"],
        "USDT 出U 秒放\n飞机：{}\nAlipay：{}\n价格 7.28 面议",
        (c.tg(), OFR),
        (c.ali_email(), OFR),
    )
