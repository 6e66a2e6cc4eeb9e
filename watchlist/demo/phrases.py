"""The vocabulary of the demo forum: titles, sentences, names, and hard negatives.

Data only; ``world.py`` draws from it deterministically.
"""

from __future__ import annotations

from typing import Literal

from watchlist.extract.model import Kind

ThreadType = Literal["notice", "sell", "buy", "exchange", "question", "warning", "chat"]

# fmt: off
HOSTILE_NAMES = {1: "[bold red]admin[/]", 2: "\x1b[31mU商阿强\x1b[0m"}
HOSTILE_TITLES = {
    1: "[bold red]版规[/] 发帖必读，交易请走担保", 2: "\x1b[31m急收U\x1b[0m 大额现结",
    3: "<b>热帖</b> 出U & 收U <script>alert(1)</script>",
}
FIXED_TYPES: dict[int, ThreadType] = {1: "notice", 2: "buy"}
MOBILE_PREFIXES = "133 135 136 137 138 139 150 151 152 158 159 176 177 180 186 187 188 189 199"
WORDS = ("fast", "pay", "otc", "coin", "usdt", "king", "jin", "hui", "dui", "tong", "bao", "ex")
MAIL = ("example-mail.com", "example.com", "example.net", "example.org", "demo-mail.cn")
SUFFIXES = ("com", "top", "cn", "com.cn", "net", "xyz")
NAME_A = ("老王", "阿强", "币商", "U商", "小李", "承兑", "otc", "usdt", "king", "trader", "金牛")
NAME_B = ("", "哥", "_cn", "888", "小号", "阿杰", "pro", "大鹏")
TYPES: tuple[ThreadType, ...] = (
    "sell", "sell", "sell", "buy", "buy", "exchange", "exchange", "question", "question",
    "warning", "chat",
)
TITLES: dict[ThreadType, tuple[str, ...]] = {
    "sell": ("出U 大额可谈 秒放", "长期出白U，价格美丽", "Selling USDT, fast", "出U 汇率{rate}"),
    "buy": ("收U 现金秒结", "长期收U，量大优先", "Buying USDT TRC20 any size", "收U 汇率{rate}"),
    "exchange": ("承兑换汇 人民币/USDT", "承兑商长期合作", "换汇 靠谱 担保", "OTC: CNY to USDT"),
    "question": ("新人求问：哪里收U靠谱？", "C2C 冻卡怎么办", "How to avoid frozen cards?"),
    "warning": ("曝光一个骗子，大家小心", "Scam alert: do not trade with this one", "被骗了，求助"),
    "chat": ("今天U价聊聊", "大家最近出金顺利吗", "OTC market chat"),
}
INTROS: dict[ThreadType, tuple[str, ...]] = {
    "sell": ("出U，白U，来源干净，可KYT。", "长期出U，先款后币，秒放。", "Clean USDT for sale."),
    "buy": ("收U，现金秒结，大额可谈。", "长期收U，TRC20/ERC20 都收。", "Buying USDT, any size."),
    "exchange": ("承兑换汇，人民币/USDT 双向。", "承兑商，诚信第一，担保。", "CNY/USDT both ways."),
}
CHAT = (
    "今天行情怎么样？", "有没有靠谱的承兑商推荐？", "顶一下", "谢谢楼主分享", "担保交易，走中介。",
    "Anyone selling USDT today?", "Looking for an OTC desk, big size.", "Good trade, fast release.",
    "面交也可以，限本地。", "冻卡了，大家注意出金渠道。", "C2C 最近风控严，小心。", "已交易。",
)
# Lines full of things that look like handles and are not: rates, dates, a masked phone, a
# 20-digit order number, a version, a file name, "@ price".
NEGATIVES = (
    "今日汇率 7.{a}，明天看行情。", "挂单时间 2026-11-{d:02d} {h:02d}:30", "客服电话 {p}****{b}",
    "订单号 2026{o}，已完成。", "脚本 v1.2.3 已更新，说明看 readme.md", "USDT @ 7.{a} today",
    "成交 {b} U，手续费 0.5%，好评率 99.8%", "Price 1.0{h}, volume {d},000",
)
OFFER: dict[Kind, tuple[str, ...]] = {
    "phone": ("电话 {h}", "手机：{h}，24小时在线", "Call {h} anytime"),
    "email": ("邮箱 {h}", "Email: {h}"),
    "telegram": ("联系 {h}", "{h}，秒回", "Contact {h} for big orders"),
    "tron": ("TRC20 地址：{h}", "USDT 打到 {h}，到账秒放"),
    "eth": ("ERC20 地址：{h}", "ETH wallet {h}"),
    "btc": ("BTC 地址：{h}", "BTC to {h} please"),
    "domain": ("官网 {h}", "下单网站：{h}", "Live rates at {h} every day"),
    "alipay": ("{h}，实名可查", "收款 {h}"),
    "wechat": ("{h}，秒回", "联系 {h}"),
    "qq": ("{h}，24小时在线", "联系 {h}"),
    "bank_card": ("收款卡 {h}，工商银行", "银行卡：{h}"),
}
REPORT = (
    "曝光骗子：{h}，收了钱就拉黑，大家小心。", "Beware: {h} is a scammer, took my USDT.",
    "有人跟 {h} 交易过吗？靠谱吗？", "这个 {h} 是骗子，已报警。",
)
SELLER_KINDS: tuple[Kind, ...] = (
    "phone", "telegram", "telegram", "email", "tron", "tron", "eth", "btc", "domain",
    "wechat", "wechat", "alipay", "qq", "bank_card",
)
# fmt: on
