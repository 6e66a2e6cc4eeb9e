"""The STIX 2.1 objects the watchlist adds to the standard ones: its producer identity and the
observable types STIX 2.1 lacks (phone numbers, payment cards, crypto wallets, hashed handles).

Each new observable type is declared the way STIX 2.1 intends (section 7.3): an
``extension-definition`` with ``extension_types: ["new-sco"]``, and every object of the type
carries ``extensions: {<that definition's id>: {"extension_type": "new-sco"}}``. The type names
and their ``value`` property follow the community's declarations (``phone-number``,
``cryptocurrency-wallet``, ``payment-card`` as in ``muchdogesec/stix2extensions`` and OpenCTI),
so a platform that knows those types reads ours. The definitions are ours (created by the
watchlist's identity) because their ``schema`` states exactly what our values are.

Ids are deterministic: the identity and the definitions are UUIDv5 of :data:`NAMESPACE` and a
fixed name; timestamps are fixed, so every export carries byte-identical copies of them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from stix2 import CustomObservable, ExtensionDefinition, Identity
from stix2.properties import StringProperty

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:otc-watchlist:stix")
DEFINED = datetime(2026, 12, 1, tzinfo=UTC)  # when these declarations were written

PRODUCER = Identity(
    id=f"identity--{uuid.uuid5(NAMESPACE, 'identity:otc-watchlist')}",
    name="OTC Watchlist",
    identity_class="system",
    description="Crawls OTC crypto-trading forums and channels for the payment handles "
    "sellers publish; this identity produced every object of the bundle.",
    created=DEFINED,
    modified=DEFINED,
)


def _definition(type_: str, name: str, schema: str) -> Any:
    return ExtensionDefinition(
        id=f"extension-definition--{uuid.uuid5(NAMESPACE, f'new-sco:{type_}')}",
        created_by_ref=PRODUCER.id,
        created=DEFINED,
        modified=DEFINED,
        name=name,
        description=f"A new STIX Cyber-observable Object type, {type_!r}, for {name.lower()}s.",
        schema=schema,
        version="1.0.0",
        extension_types=["new-sco"],
    )


PHONE_DEFINITION = _definition(
    "phone-number",
    "Phone Number",
    "Properties: value (string, required): the number in E.164, '+' and digits only, e.g. "
    "'+14155552671'. The id is the STIX UUIDv5 of {\"value\"}.",
)
CARD_DEFINITION = _definition(
    "payment-card",
    "Payment Card",
    "Properties: value (string, required): the full card number, digits only, Luhn-valid, "
    "e.g. '4111111111111111'. The id is the STIX UUIDv5 of {\"value\"}.",
)
WALLET_DEFINITION = _definition(
    "cryptocurrency-wallet",
    "Cryptocurrency Wallet",
    "Properties: value (string, required): the address as the chain writes it (Bitcoin "
    "Base58Check as written or bech32 lower-case, Ethereum EIP-55, TRON Base58Check); "
    "currency (string): 'BTC', 'ETH' or 'TRX'. The id is the STIX UUIDv5 of {\"value\"}.",
)
HASHED_DEFINITION = _definition(
    "hashed-handle",
    "Hashed Handle",
    "Properties: kind (string, required): the watchlist kind (phone, email, alipay, wechat, "
    "qq, bank_card, telegram, btc, eth, tron, payment_link, kakaotalk, domain); value "
    "(string, required): lower-case hex SHA-256 of salt + kind + ':' + canonical value "
    '(UTF-8), the salt shared out of band. The id is the STIX UUIDv5 of {"value"}.',
)
RAW_DEFINITIONS = (PHONE_DEFINITION, CARD_DEFINITION, WALLET_DEFINITION)  # raw exports use these
HASHED_DEFINITIONS = (HASHED_DEFINITION,)  # hashed exports this one


@CustomObservable(
    "phone-number",
    [("value", StringProperty(required=True))],
    id_contrib_props=["value"],
    extension_name=PHONE_DEFINITION.id,
)
class PhoneNumber:
    """A phone number in E.164."""


@CustomObservable(
    "payment-card",
    [("value", StringProperty(required=True))],
    id_contrib_props=["value"],
    extension_name=CARD_DEFINITION.id,
)
class PaymentCard:
    """A bank card number."""


@CustomObservable(
    "cryptocurrency-wallet",
    [("value", StringProperty(required=True)), ("currency", StringProperty())],
    id_contrib_props=["value"],
    extension_name=WALLET_DEFINITION.id,
)
class CryptocurrencyWallet:
    """A crypto address (BTC, ETH or TRON)."""


@CustomObservable(
    "hashed-handle",
    [("kind", StringProperty(required=True)), ("value", StringProperty(required=True))],
    id_contrib_props=["value"],
    extension_name=HASHED_DEFINITION.id,
)
class HashedHandle:
    """Any handle as its salted SHA-256 (``--hashed``)."""
