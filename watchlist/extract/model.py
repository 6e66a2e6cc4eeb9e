"""What the extractor returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

Kind = Literal[
    "phone",
    "email",
    "alipay",
    "wechat",
    "qq",
    "bank_card",
    "telegram",
    "btc",
    "eth",
    "tron",
    "payment_link",
    "kakaotalk",
    "domain",
]
Role = Literal["offered", "reported", "mentioned"]

KINDS: tuple[Kind, ...] = (
    "phone",
    "email",
    "alipay",
    "wechat",
    "qq",
    "bank_card",
    "telegram",
    "btc",
    "eth",
    "tron",
    "payment_link",
    "kakaotalk",
    "domain",
)
ROLES: tuple[Role, ...] = ("offered", "reported", "mentioned")
# The contract's entry kinds (ARCHITECTURE.md, "Entry kinds and canonical values"): what the
# watchlist may hold and its filters accept — every extracted kind. One list for the CLI, the
# API and the exports.
ENTRY_KINDS: tuple[str, ...] = KINDS


class Handle(NamedTuple):
    """One payment handle or website found in a text (a named tuple: extraction makes many).

    ``start``/``end`` index the original text (``text[start:end]`` is what was written);
    ``value`` is the canonical form of ARCHITECTURE.md's table; ``provider`` names the service
    the context attributes the value to (``"alipay"``, ``"wechat"``, ``"telegram"``, ...) or is
    None when nothing in the text says.
    """

    kind: Kind
    value: str
    start: int
    end: int
    provider: str | None = None
    role: Role = "mentioned"


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one text."""

    handles: list[Handle] = field(default_factory=list)
    otc_score: float = 0.0
    # The text warns about or reports someone (a counting report cue anywhere in it): what a
    # QR code shown beside it is, when no words stand next to the code.
    reports: bool = False
