"""Public contract addresses: real, valid addresses that are nobody's payee.

Posts quote the stablecoin contracts (``USDT-TRC20 合约 TR7NHq…``) to say which token they
trade; the extractor still returns them (they are valid addresses) and the store down-weights
them with ``is_public_contract``. Values are canonical: TRON as written, Ethereum-style (ETH,
BSC, Polygon, Arbitrum share the format) in EIP-55 form.
"""

from __future__ import annotations

PUBLIC_CONTRACTS: dict[str, frozenset[str]] = {
    "tron": frozenset(
        {
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",  # USDT (TRC-20)
            "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8",  # USDC (TRC-20)
            "TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR",  # WTRX
        }
    ),
    "eth": frozenset(
        {
            "0xdAC17F958D2ee523a2206206994597C13D831ec7",  # USDT (ERC-20)
            "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",  # USDC (ERC-20)
            "0x6B175474E89094C44Da98b954EedeAC495271d0F",  # DAI
            "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",  # WETH
            "0x55d398326f99059fF775485246999027B3197955",  # USDT (BEP-20)
            "0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d",  # USDC (BEP-20)
            "0xc2132D05D31c914a87C6611C10748AEb04B58e8F",  # USDT (Polygon)
            "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359",  # USDC (Polygon)
            "0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9",  # USDT (Arbitrum)
            "0xaf88d065e77c8cC2239327C5EDb3A432268e5831",  # USDC (Arbitrum)
        }
    ),
}


def is_public_contract(kind: str, value: str) -> bool:
    """Whether the canonical ``(kind, value)`` is a well-known public token contract."""
    return value in PUBLIC_CONTRACTS.get(kind, frozenset())
