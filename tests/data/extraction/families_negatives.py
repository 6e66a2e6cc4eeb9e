"""Hard negatives: posts that publish nothing but look as if they did, and posts where a trap
sits beside a real handle. Every post carries a ``neg_…`` tag naming its trap.
"""

from __future__ import annotations

from generate import Corpus, Slot, grouped, luhn_digit

from watchlist.extract.checksums import b58check_decode, segwit_decode

OFR, REP, MEN = "offered", "reported", "mentioned"


def build(c: Corpus) -> None:
    """Add every hard-negative family to ``c``."""
    c.file = "negatives"
    pure(c)
    traps_with_numbers(c)
    broken_checksums(c)
    c.file = "traps"
    beside_real(c)


def n(c: Corpus, tag: str, lang: str, *texts: str) -> None:
    """Add pure negatives (no handle at all) tagged ``tag``."""
    for text in texts:
        c.t(
            f"{lang}-{tag.replace('_', '-')}",
            lang,
            [tag],
            text.replace("{", "{{").replace("}", "}}"),
        )


def pure(c: Corpus) -> None:
    n(
        c,
        "neg_masked",
        "zh",
        "收款人手机 138****8000，已实名",
        "转账成功 对方账户 186****2231 金额 5000.00",
        "6222 **** **** 1234 这张卡被冻了，谁知道怎么解",
        "用户 139******88 购买了 5000U",
        "卡号 6217 00** **** 5678 开户行建行",
        "手机号 152 **** 6789 的朋友请联系客服",
        "wx: abc***88 这个人是骗子吗",
    )
    n(c, "neg_masked", "en", "Payer: +44 7*** ***123", "Card: 4367 **** **** 0021 declined")
    n(
        c,
        "neg_card_tail",
        "zh",
        "尾号1234的建行卡今天被冻了",
        "卡尾号 8866 已到账，请查收",
        "你尾号0921的储蓄卡账户转入人民币5000.00元",
        "尾号为5678的农行卡不要再转了",
        "尾数 7788 的那张卡已经注销",
        "提现到 工商银行(3301) 成功",
    )
    n(
        c,
        "neg_card_tail",
        "en",
        "Visa •••• 4242 charged 120.00 USD",
        "refund sent to card ending 9012",
    )
    n(
        c,
        "neg_order_number",
        "zh",
        "订单号：202406111830220012345 请核对",
        "交易号 2024061122001456781234567890 已付款",
        "流水号 98120240611000087654 到账",
        "顺丰单号 SF1423567890123 已发货",
        "商户单号 4200001234202406111234567890",
        "运单号 YT7412345678901，明天到",
        "工单编号 20240611-000123 处理中",
    )
    n(
        c,
        "neg_order_number",
        "en",
        "Order #114-3941689-8772232 shipped",
        "tracking number 1Z999AA10123456784 via UPS",
    )
    n(
        c,
        "neg_price",
        "zh",
        "汇率 7.25，大额 7.28",
        "USDT 7.12 出，1000U 起",
        "收U 价格 7.30 / 7.35",
        "单价¥7.18 总价¥71800",
        "1U=7.2 量大 100万U 起",
        "保证金 20000 元，日结佣金 1.2%",
        "今天出了 158000U，均价 7.215",
    )
    n(
        c,
        "neg_price",
        "en",
        "today's rate 1 USDT = 7.21 CNY, min 5000 USDT",
        "BTC 67,850.12 USD, ETH 3,512.40 USD",
        "price 36,500.00 THB per 1000 USDT",
    )
    n(
        c,
        "neg_otp",
        "zh",
        "验证码 483920",
        "您的验证码是 719402，5分钟内有效",
        "短信验证码：901233【支付宝】",
        "验证码：320958，如非本人操作请忽略",
        "动态码 66 21 90 别告诉任何人",
    )
    n(
        c,
        "neg_otp",
        "en",
        "Your verification code is 552013",
        "Google Authenticator 2FA: 830 241",
        "OTP 4829 do not share it with anyone",
    )
    n(
        c,
        "neg_invite",
        "zh",
        "加群 t.me/+AbCdEfGh123xyz",
        "群链接 https://t.me/+k3LmN0pQrStU 进群改备注",
        "入群 t.me/joinchat/CCCCCkzQw8xYz",
        "电报群 https://t.me/+AAbbCCdd1234",
    )
    n(
        c,
        "neg_invite",
        "en",
        "Join: https://t.me/joinchat/AAAAAEkk3aZ1xyz_Q",
        "Private group: https://t.me/+9aBcDeFgHiJk",
        "old link telegram.me/joinchat/BBBBBE-1234abcd is dead",
        "invite t.me/+Xy9zQwErTy (expires tonight)",
    )
    n(
        c,
        "neg_mass_mention",
        "zh",
        "@everyone 今晚八点开会",
        "@all 注意风险，最近冻卡多",
        "@所有人 明天休息",
        "@全体成员 禁止私下交易",
    )
    n(
        c,
        "neg_mass_mention",
        "en",
        "@here new rates posted",
        "@channel please read the pinned rules",
        "@everyone @here USDT rate updated",
        "hey @all, who's online?",
    )
    n(
        c,
        "neg_slang",
        "zh",
        "v我50 看看实力",
        "V我五十，听我讲故事",
        "v我100，带你躺赚（开玩笑的）",
        "VxWorks 6.9 的 BSP 谁有",
        "我们项目用 vxworks 做实时系统",
        "QQ音乐会员又到期了",
        "微信支付今天又崩了",
        "明天坐飞机去上海，航班 MU5101",
        "扣款 58000 元已经退回来了",
        "驾照扣了12分，烦",
    )
    n(
        c,
        "neg_filename",
        "zh",
        "先把 readme.md 看一遍再问",
        "运行 setup.py 报错怎么办",
        "install.sh 权限不够，要 chmod",
        "archive.zip 解压密码在群公告",
        "录屏 clip.mov 发群里了",
        "notes.md 里有教程",
    )
    n(
        c,
        "neg_filename",
        "en",
        "main.rs does not compile on stable",
        "python manage.py runserver fails with a KeyError",
    )
    n(
        c,
        "neg_at_price",
        "en",
        "Selling USDT @ 1.02",
        "Buying BTC @ 67,500",
        "WTS 5000 USDT @ 7.3 CNY each",
        "rate @ 1.015 for 10k+",
        "Sold 2 BTC @ 66900 today",
    )
    n(c, "neg_at_price", "zh", "出U @7.25 量大", "收U @ 7.18，出U @ 7.26")
    n(
        c,
        "neg_line_id",
        "zh",
        "LINE ID：otcshop88",
        "加LINE：tw_usdt168 台湾面交",
        "Zalo: usdtvn2024",
        "台湾出U 请加 Line: goodrate888",
    )
    n(
        c,
        "neg_line_id",
        "en",
        "Skype ID: krcoin77",
        "Viber ID: cryptoking77",
        "Line id fastrate2024 (Thailand only)",
        "Discord otcman#1234",
    )
    n(
        c,
        "neg_cue_only",
        "zh",
        "加微信私聊",
        "微信：私聊获取",
        "TG：见头像",
        "电报联系，号在签名",
        "飞机联系，秒回",
        "QQ号看主页",
        "电话联系，号码看图",
    )
    n(c, "neg_cue_only", "en", "Contact me on Telegram, link in bio", "DM for WhatsApp number")
    n(
        c,
        "neg_chat",
        "zh",
        "今天U价7.25，大家出U注意KYT，别收黑U",
        "币圈太难了，冻卡三次了",
        "四件套现在什么价？",
        "跑分平台都是坑，保证金拿不回来",
        "服务器 IP 192.168.1.10 连不上",
        "版本 v2.3.1 更新了，修了闪退",
        "2024-06-11 14:30:00 开始维护",
    )
    n(
        c,
        "neg_chat",
        "en",
        "Anyone know the current P2P rate? Binance shows 7.21",
        "3.5% fee, min 1000 USDT, release within 15 min",
        "Never trade outside escrow. e.g. no direct bank transfer.",
    )


def timestamp(c: Corpus, prefix: str) -> str:
    """A 13-digit millisecond timestamp that passes Luhn (the trap)."""
    body = prefix + c.v.digits(12 - len(prefix))
    return body + luhn_digit(body)


def traps_with_numbers(c: Corpus) -> None:
    p, s = "zh-neg-timestamp", ["neg_timestamp"]
    c.t(p, "zh", s, "时间戳 {}", c_none(c, timestamp(c, "17")))
    c.t(p, "zh", s, "回调参数 timestamp={}&sign=ok", c_none(c, timestamp(c, "17")))
    c.t(p, "zh", s, "日志：[{}] 订单创建", c_none(c, timestamp(c, "16")))
    c.t(p, "en", s, "created_at: {}", c_none(c, timestamp(c, "15")))
    c.t(p, "en", s, "ts {} (ms)", c_none(c, timestamp(c, "17")))
    c.t(p, "zh", s, "nonce 1718000123 时间 {}", c_none(c, timestamp(c, "17")))
    c.t(p, "en", s, '{{"time": {}, "status": "paid"}}', c_none(c, timestamp(c, "16")))
    c.t(p, "zh", s, "到账时间 {}", c_none(c, timestamp(c, "15")))
    p, s = "en-neg-hash", ["neg_hash"]
    rng = c.v.rng
    c.t(p, "en", s, "TXID: {}", c_none(c, rng.randbytes(32).hex()))
    c.t(p, "en", s, "tx hash 0x{}", c_none(c, rng.randbytes(32).hex()))
    c.t(p, "zh", s, "交易哈希 {} 已确认", c_none(c, rng.randbytes(32).hex()))
    c.t(p, "zh", s, "转账凭证 0x{}", c_none(c, rng.randbytes(32).hex()))
    c.t(p, "en", s, "block hash {}", c_none(c, "00000000000000000002" + rng.randbytes(22).hex()))
    c.t(p, "en", s, "sha256sum: {}", c_none(c, rng.randbytes(32).hex()))
    c.t(p, "zh", s, "md5 {}", c_none(c, rng.randbytes(16).hex()))
    c.t(p, "en", s, "ERC20 transfer 0x{} confirmed", c_none(c, rng.randbytes(32).hex().upper()))


def c_none(c: Corpus, written: str) -> tuple[Slot, str]:
    """A trap filling a placeholder: written, labelled nothing."""
    return c.none(written), MEN


def broken_checksums(c: Corpus) -> None:
    p, s = "neg-checksum", ["neg_checksum"]
    rng = c.v.rng

    def corrupt_b58(address: str) -> str:
        while True:
            pos = rng.randint(3, len(address) - 2)
            repl = rng.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
            bad = address[:pos] + repl + address[pos + 1 :]
            if bad != address and b58check_decode(bad) is None:
                return bad

    def corrupt_bech32(address: str) -> str:
        while True:
            pos = rng.randint(5, len(address) - 2)
            bad = (
                address[:pos] + rng.choice("qpzry9x8gf2tvdw0s3jn54khce6mua7l") + address[pos + 1 :]
            )
            if bad != address and segwit_decode(bad) is None:
                return bad

    def corrupt_eth(address: str) -> str:
        letters = [i for i, ch in enumerate(address) if ch.isalpha() and i > 1]
        pos = rng.choice(letters)
        return address[:pos] + address[pos].swapcase() + address[pos + 1 :]

    c.t(p, "zh", s, "收款地址 {}", c_none(c, corrupt_b58(c.v.tron())))
    c.t(p, "zh", s, "TRC20：{}", c_none(c, corrupt_b58(c.v.tron())))
    c.t(p, "en", s, "BTC: {}", c_none(c, corrupt_b58(c.v.btc("p2pkh"))))
    c.t(p, "en", s, "BTC: {}", c_none(c, corrupt_b58(c.v.btc("p2sh"))))
    c.t(p, "en", s, "segwit {}", c_none(c, corrupt_bech32(c.v.btc("p2wpkh"))))
    c.t(p, "en", s, "ERC20 {}", c_none(c, corrupt_eth(c.v.eth())))
    c.t(p, "zh", s, "以太坊地址 {}", c_none(c, corrupt_eth(c.v.eth())))
    c.t(p, "zh", s, "卡号 {}", c_none(c, c.v.luhn_fail(c.v.card())))
    c.t(p, "zh", s, "收款卡 {}", c_none(c, grouped((4, 4, 4, 4))(c.v.luhn_fail(c.v.card()))))
    c.t(p, "en", s, "Visa {}", c_none(c, c.v.luhn_fail(c.v.card("visa"))))


def beside_real(c: Corpus) -> None:
    p, s = "zh-neg-email-domain", ["neg_email_domain"]
    c.t(p, "zh", s, "QQ邮箱 {}", (c.email(domain="qq.com"), OFR))
    c.t(p, "zh", s, "邮箱：{}", (c.email(domain="qq.com"), OFR))
    c.t(p, "en", s, "Mail: {}", (c.email(domain="qq.com"), OFR))
    c.t(p, "zh", s, "简历发 {}", (c.email(domain="qq.com"), OFR))
    c.t(p, "zh", s, "出U 联系 {} 秒回", (c.email(domain="163.com"), OFR))
    c.t(p, "zh", s, "有事发邮件 {}，收到就回", (c.email(domain="qq.com"), OFR))
    c.t(
        p,
        "en",
        s,
        "contact {} or {}",
        (c.email(domain="gmail.com"), OFR),
        (c.email(domain="qq.com"), OFR),
    )
    c.t(p, "zh", s, "骗子邮箱 {} 已举报", (c.email(domain="foxmail.com"), REP))
    c.t(p, "zh", s, "扣扣邮箱 {}", (c.email(domain="qq.com"), OFR))
    c.t(p, "mixed", s, "email: {} 白U 承兑", (c.email(domain="126.com"), OFR))
    p, s = "zh-neg-other-kind", ["neg_other_kind"]
    c.t(p, "zh", s, "联系 t.me/{}", (c.tg(), OFR))
    c.t(p, "zh", s, "客服 https://t.me/{}", (c.tg(bot=True), OFR))
    c.t(p, "en", s, "Contact: telegram.me/{}", (c.tg(), OFR))
    c.t(p, "en", s, "Start here: https://t.me/{}?start=8866", (c.tg(bot=True), OFR))
    c.t(
        p,
        "en",
        [*s, "foreign_phone"],
        "WhatsApp me (US): https://wa.me/{}",
        (c.foreign("US", lambda x: "1" + x), OFR),
    )
    c.t(p, "zh", [*s, "qr_link_variant"], "个码 {}", (c.paylink("bare"), OFR))
    c.t(p, "zh", [*s, "qr_payload_upper"], "我的收款码 {}", (c.paylink("upper"), OFR))
    c.t(p, "en", s, "DM: tg://resolve?domain={}", (c.tg(), OFR))
    c.t(p, "zh", [*s, "deep_link"], "付款 {}", (c.paylink("alipayqr"), OFR))
    c.t(p, "zh", s, "官方频道 https://t.me/{} 每日报价", (c.tg(), OFR))
    p = "mixed-trap"
    c.t(p, "zh", ["neg_masked"], "收款人 138****8000 不对，正确的是 {}", (c.phone(), OFR))
    c.t(p, "zh", ["neg_card_tail", "bank_card"], "尾号1234的卡冻了，换新卡 {}", (c.card(), OFR))
    c.t(p, "en", ["neg_at_price"], "Selling USDT @ 1.02, DM @{}", (c.tg(), OFR))
    c.t(p, "zh", ["neg_line_id"], "LINE：abcd12345；微信：{}", (c.wx(), OFR))
    c.t(
        p,
        "zh",
        ["neg_checksum", "crypto"],
        "上个地址 {} 写错了，正确地址 {}",
        c_none(c, corrupt_tron(c)),
        (c.tron(), OFR),
    )
    c.t(p, "zh", ["neg_otp"], "验证码 483920 别给别人，有问题打 {}", (c.phone(), OFR))
    c.t(
        p,
        "zh",
        ["neg_order_number", "alipay_phone"],
        "订单号 202406111234567890 付款支付宝 {}",
        (c.phone_ali(), OFR),
    )
    c.t(p, "zh", ["neg_slang", "glued_label"], "v我50，真要买加微信{}", (c.wx(), OFR))
    c.t(p, "zh", ["neg_invite"], "群 t.me/+AbCdE12345，私聊 @{}", (c.tg(), OFR))
    c.t(p, "zh", ["neg_mass_mention"], "@everyone 新客服 @{}，旧号停用", (c.tg(bot=True), OFR))
    c.t(p, "zh", ["neg_filename", "domains"], "下载 setup.py 或访问 {}", (c.domain("www"), OFR))
    c.t(
        p,
        "en",
        ["neg_hash", "crypto"],
        "TXID {} sent to {}",
        c_none(c, c.v.rng.randbytes(32).hex()),
        (c.tron(), MEN),
    )
    c.t(
        p,
        "zh",
        ["neg_timestamp", "bank_card"],
        "时间戳 {} 收款卡 {}",
        c_none(c, timestamp(c, "17")),
        (c.card(render=grouped((4, 4, 4, 4, 3))), OFR),
    )
    c.t(p, "zh", ["neg_price", "glued_label"], "出U 7.25 量大 1000U起 扣{}", (c.qq(), OFR))
    c.t(p, "zh", ["neg_cue_only"], "微信私聊，电话 {}", (c.phone(), OFR))


def corrupt_tron(c: Corpus) -> str:
    """A TRON address with one character changed so its checksum fails."""
    good = c.v.tron()
    while True:
        pos = c.v.rng.randint(3, len(good) - 2)
        bad = good[:pos] + c.v.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + good[pos + 1 :]
        if bad != good and b58check_decode(bad) is None:
            return bad
