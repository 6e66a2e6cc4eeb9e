"""Hard negatives found by red-teaming the extractor (issue 9): encoded blobs and paths whose
segments look like cues, ``@name`` on Twitter/X and GitHub, logins written like e-mails, names
in code that end in a TLD, network names after payment-method cues, IDs that start with a label
word. Each class has pure negatives and posts where the trap sits beside a real handle.
"""

from __future__ import annotations

import base64

from families_negatives import c_none
from generate import Corpus

OFR, REP, MEN = "offered", "reported", "mentioned"


def build(c: Corpus) -> None:
    """Add every hostile family to ``c``."""
    c.file = "hostile"
    encoded(c)
    platform_mentions(c)
    logins(c)
    code_names(c)
    method_lists(c)
    label_words(c)


def blob(c: Corpus, segment: str, size: int = 27, qq: bool = False) -> str:
    """Random base64 with ``segment`` (a cue-like run such as ``/V/``) spliced into it, and a
    short run after it that reads like an ID (a letter first, a digit in it; ``qq``: a QQ
    number) up to the next ``/`` or ``+``: the shape that made a cue and a value of a blob."""
    rng = c.v.rng
    left = base64.b64encode(rng.randbytes(size)).decode().rstrip("=")
    while not qq:
        run = "".join(ch for ch in base64.b64encode(rng.randbytes(12)).decode() if ch.isalnum())
        run = run[: rng.randint(8, 14)]
        if run[0].isalpha() and any(ch.isdigit() for ch in run):
            break
    if qq:
        run = c.v.qq()
    right = base64.b64encode(rng.randbytes(size)).decode()
    return left + segment + run + rng.choice("/+") + right


def encoded(c: Corpus) -> None:
    p, s = "neg-encoded", ["neg_encoded"]
    c.t(p, "zh", s, "头像 data:image/png;base64,{} 显示不出来", c_none(c, blob(c, "/V/")))
    c.t(p, "zh", s, "节点分享 vmess://{} 香港02", c_none(c, blob(c, "/Tg/", 60)))
    c.t(p, "en", s, "Authorization: Basic {}", c_none(c, blob(c, "+Q", qq=True)))
    c.t(
        p,
        "en",
        s,
        "-----BEGIN PGP SIGNATURE-----\n{}\n-----END PGP SIGNATURE-----",
        c_none(c, blob(c, "/wx/", 45)),
    )
    c.t(p, "zh", s, "回调签名 sign={}&ts=ok", c_none(c, blob(c, "/VX/")))
    c.t(p, "zh", s, "接口 GET /v/{} 一直 404", c_none(c, c.v.wechat()))
    c.t(p, "en", s, "static path /tg/{}/index.html is cached", c_none(c, c.v.telegram()))
    c.t(p, "zh", s, '配置 "key": "{}" 别外泄', c_none(c, blob(c, "/tele/")))
    c.t(
        p,
        "zh",
        [*s, "glued_label"],
        "二维码数据 {} ，真要买加微信{}",
        c_none(c, blob(c, "/V/")),
        (c.wx(), OFR),
    )
    c.t(
        p,
        "mixed",
        [*s, "cue_bare_telegram"],
        "img src=data:image/gif;base64,{} 飞机：{}",
        c_none(c, blob(c, "/Tg/")),
        (c.tg(), OFR),
    )


def platform_mentions(c: Corpus) -> None:
    p, s = "neg-platform", ["neg_platform_mention"]
    name = c.v.telegram
    c.t(p, "en", s, "Thanks @{} for the retweet! Big week for stablecoins", c_none(c, name()))
    c.t(p, "en", s, "RT @{}: USDT flows on TRON hit a new high today", c_none(c, name()))
    c.t(
        p,
        "en",
        s,
        "PR #4521 by @{} merged into main, cc @{}",
        c_none(c, name()),
        c_none(c, name()),
    )
    c.t(p, "zh", s, "推特上 @{} 又在喊单了，转推的人不少", c_none(c, name()))
    c.t(p, "en", s, "LGTM, thanks @{}! Please squash before we merge", c_none(c, name()))
    c.t(p, "en", s, "via @{} on Twitter: desk volumes are up 30% this week", c_none(c, name()))
    c.t(
        p,
        "en",
        s,
        "GitHub issue: @{} can you look at the failing pull request?",
        c_none(c, name()),
    )
    c.t(p, "zh", s, "微博 @{} 说明天有大行情，别信", c_none(c, name()))
    c.t(p, "en", s, "Follow @{} on Instagram and TikTok for daily memes", c_none(c, name()))
    c.t(
        p,
        "en",
        [*s, "plain"],
        "Tweet from @{}: for USDT contact TG @{}",
        c_none(c, name()),
        (c.tg(), OFR),
    )
    c.t(p, "zh", [*s, "plain"], "我推特 @{}，电报 @{}", c_none(c, name()), (c.tg(), OFR))


def logins(c: Corpus) -> None:
    p, s = "neg-login", ["neg_login"]
    user = c.v.wechat
    c.t(
        p,
        "zh",
        s,
        "git clone git@github.com:{}/otc-bot.git 报错 Permission denied",
        c_none(c, user()),
    )
    c.t(p, "en", s, "git remote add origin git@gitlab.com:{}/wallet.git", c_none(c, user()))
    c.t(p, "zh", s, "ssh root@{} -p 22 连不上", c_none(c, c.v.domain()))
    c.t(p, "en", s, "ssh -i ~/.ssh/id_ed25519 ubuntu@{}", c_none(c, c.v.domain()))
    c.t(p, "en", s, "scp backup.tar.gz deploy@{}:/srv/backup/", c_none(c, c.v.domain()))
    c.t(p, "zh", s, "rsync -av ./ www@{}:/var/www/ 同步完了", c_none(c, c.v.domain()))
    c.t(p, "zh", s, "关注我的长毛象 @{}@mastodon.social", c_none(c, user()))
    c.t(p, "en", s, "Fediverse: @{}@fosstodon.org", c_none(c, user()))
    c.t(
        p,
        "zh",
        [*s, "plain"],
        "代码在 git@github.com:{}/pay.git，有问题发邮件 {}",
        c_none(c, user()),
        (c.email(), OFR),
    )
    c.t(
        p,
        "en",
        [*s, "domains"],
        "panel https://admin:{}@{}/login",
        c_none(c, c.v.digits(6)),
        (c.domain(), MEN),
    )


def code_names(c: Corpus) -> None:
    p, s = "neg-code", ["neg_code"]
    c.t(
        p,
        "en",
        s,
        'Exception in thread "main" java.lang.IllegalStateException\n'
        "\tat com.example.Foo.bar(Foo.java:42)\n"
        "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:315)",
    )
    c.t(p, "zh", s, "微信安卓包名是 com.tencent.mm，别装错了")
    c.t(p, "zh", s, "币安的包名 com.binance.dev，欧易 com.okinc.okex.gp")
    c.t(p, "en", s, "app.run(debug=True) starts, then every route is 404")
    c.t(p, "en", s, "model.fit(X_train, y_train) ran all night")
    c.t(p, "zh", s, "button.click() 没反应，控制台也没报错")
    c.t(p, "en", s, "at com.otc.wallet.PayService.submit(PayService.java:57) again")
    c.t(p, "zh", s, "调用 order.store() 之后余额没变")
    c.t(p, "en", s, "import io.netty.channel.Channel; and the build fails")
    c.t(
        p,
        "zh",
        [*s, "domains"],
        "报错 at com.example.Foo.bar(Foo.java:42)，官网 {}",
        (c.domain("https"), OFR),
    )


def method_lists(c: Corpus) -> None:
    p, s = "neg-method-list", ["neg_method_list"]
    c.t(p, "zh", s, "支付方式：支付宝、微信、USDT-TRC20")
    c.t(p, "zh", s, "收款：微信 / 支付宝 / USDT-ERC20 均可")
    c.t(p, "en", s, "Payment: WeChat, Alipay, USDT-TRC20 accepted")
    c.t(p, "zh", s, "付款方式 微信/支付宝/TRC-20，先款后币")
    c.t(
        p,
        "zh",
        [*s, "bound_providers", "crypto"],
        "手机：{}（微信同号），USDT-TRC20 收款地址：{}",
        (c.phone_wx(), OFR),
        (c.tron(), OFR),
    )
    c.t(
        p,
        "zh",
        [*s, "bound_providers", "crypto"],
        "电话微信同号 {}，TRC20 地址 {}",
        (c.phone_wx(), OFR),
        (c.tron(), OFR),
    )
    c.t(p, "zh", [*s, "bound_providers"], "微信同号：{} BEP20 也收", (c.phone_wx(), OFR))
    c.t(p, "zh", [*s, "bound_providers"], "{} v同号，USDT_TRC20 秒到", (c.phone_wx(), OFR))
    c.t(p, "mixed", s, "出U 支持 wechat、alipay、erc-20，量大可谈")


def label_words(c: Corpus) -> None:
    p, s = "zh-label-word", ["neg_label_word", "glued_label"]

    def prefixed(prefix: str) -> tuple[str, tuple[str, str]]:
        while len(value := prefix + c.v.wechat()) > 20:
            pass
        return value, ("wechat", value)

    for template, prefix in (
        ("加V {}", "id"),
        ("微信 {} 秒回", "is"),
        ("vx：{}", "uid"),
        ("微信号 {}", "number"),
        ("加v {} 备注U", "same"),
        ("WeChat: {}", "account"),
        ("出U 联系微信 {}", "phone"),
        ("wx {} 大额可谈", "mobile"),
    ):
        written, label = prefixed(prefix)
        c.t(
            p,
            "mixed" if template[0].isascii() else "zh",
            s,
            template,
            (c.fixed(written, label), OFR),
        )
    c.t(p, "zh", ["neg_label_word", "cue_bare_telegram"], "飞机 {}", (c.fixed(*_tg(c)), OFR))


def _tg(c: Corpus) -> tuple[str, tuple[str, str]]:
    value = "uid_" + c.v.telegram()
    return value, ("telegram", value)
