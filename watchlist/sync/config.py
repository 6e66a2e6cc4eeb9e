"""Sync targets from ``watchlist.toml`` (ARCHITECTURE.md, "Sync targets"), validated at once.

One pydantic model per target: an unknown key, a URL that is not http(s), a kind or status the
sync cannot serve, or a ``secret_env`` naming an unset variable is one :class:`ConfigError`
naming the file and the field (``watchlist.toml: targets.risk.endpoint: …``), exit 2.

The secret is read from the environment variable ``secret_env`` names (through
:mod:`watchlist.settings`), never from the file. Several ``whsec_…`` secrets separated by spaces
sign every request with each (key rotation). :class:`Target` keeps them out of its ``repr``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from standardwebhooks.webhooks import Webhook

from watchlist import settings
from watchlist.cli.options import KINDS
from watchlist.errors import ConfigError

DEFAULT_CONFIG = Path("watchlist.toml")
# The change log records the confirmed list (into and out of ``confirmed``): that is what a
# target can hold. ``new`` and ``dismissed`` have no log to deliver from.
SERVABLE_STATUSES = ("confirmed",)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


class Target(BaseModel):
    """One enforcement endpoint and what it takes."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str
    endpoint: str
    secret_env: str
    statuses: tuple[str, ...] = ("confirmed",)
    kinds: tuple[str, ...] = ()
    batch_size: int = Field(default=1000, ge=1, le=10_000)
    timeout: float = Field(default=30.0, gt=0, le=600)
    hashed: bool = False
    allow_private: bool = False
    # The retry schedule of one request (exponential backoff with jitter, by stamina).
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_wait_initial: float = Field(default=0.5, ge=0, le=600)
    retry_wait_max: float = Field(default=30.0, ge=0, le=3600)

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, name: str) -> str:
        if not _NAME.fullmatch(name):
            raise ValueError("a target's name is letters, digits, '.', '_' or '-'")
        return name

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_http(cls, endpoint: str) -> str:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{endpoint!r} is not an http(s) URL")
        if parts.username or parts.password:
            raise ValueError("the URL must not hold credentials (the secret is in secret_env)")
        if parts.fragment:
            raise ValueError("the URL must not have a #fragment")
        return endpoint

    @field_validator("secret_env")
    @classmethod
    def _secret_env_is_a_variable(cls, name: str) -> str:
        if name.startswith("whsec_"):
            raise ValueError("name the environment variable that holds the secret, not the secret")
        if not _ENV.fullmatch(name):
            raise ValueError(f"{name!r} is not an environment variable name")
        return name

    @field_validator("statuses")
    @classmethod
    def _statuses_are_servable(cls, statuses: tuple[str, ...]) -> tuple[str, ...]:
        if not statuses:
            raise ValueError("name at least one status (confirmed)")
        for status in statuses:
            if status not in SERVABLE_STATUSES:
                raise ValueError(
                    f"{status!r} cannot be synced: the change log records the confirmed list "
                    "(entries entering and leaving confirmed), so a target holds confirmed "
                    "entries only; use the API feed or an export for other statuses"
                )
        return tuple(dict.fromkeys(statuses))

    @field_validator("kinds")
    @classmethod
    def _kinds_are_known(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        for kind in kinds:
            if kind not in KINDS:
                raise ValueError(f"{kind!r} is not one of {', '.join(KINDS)}")
        return tuple(dict.fromkeys(kinds))

    def secrets(self) -> tuple[str, ...]:
        """The ``whsec_…`` secrets in ``secret_env`` (several during rotation), checked."""
        raw = settings.named_secret(self.secret_env)
        if raw is None:
            raise ConfigError(
                f"target {self.name}: secret_env: the environment variable {self.secret_env} "
                "is not set (it must hold the target's whsec_… secret)"
            )
        return parse_secrets(raw, f"target {self.name}: secret_env: {self.secret_env}")


def parse_secrets(raw: str, where: str) -> tuple[str, ...]:
    """Space-separated ``whsec_…`` secrets; :class:`ConfigError` (never quoting one) if bad."""
    secrets = tuple(raw.split())
    for number, secret in enumerate(secrets, 1):
        if not secret.startswith("whsec_"):
            raise ConfigError(f"{where}: secret {number} does not start with whsec_")
        try:
            Webhook(secret)
        except Exception as exc:  # binascii.Error, EmptyWebhookSecretError: say which, not what
            raise ConfigError(f"{where}: secret {number} is not base64 after whsec_") from exc
    if not secrets:
        raise ConfigError(f"{where}: holds no secret")
    return secrets


def load_targets(path: Path | None = None) -> dict[str, Target]:
    """The targets of ``path`` (default ``./watchlist.toml``), each validated, secrets checked."""
    path = DEFAULT_CONFIG if path is None else path
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: no such file: sync targets are configured in watchlist.toml "
            "(see docs/sync.md), or name another file with --config"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - {"targets"})
    if unknown:
        raise ConfigError(f"{path}: {unknown[0]}: unknown table (only [targets.NAME])")
    tables = raw.get("targets", {})
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{path}: targets: no [targets.NAME] table")
    targets: dict[str, Target] = {}
    for name, fields in tables.items():
        if not isinstance(fields, dict):
            raise ConfigError(f"{path}: targets.{name}: expected a table of fields")
        try:
            target = Target.model_validate({**fields, "name": name})
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"]) or "target"
            message = error["msg"].removeprefix("Value error, ")
            raise ConfigError(f"{path}: targets.{name}.{field}: {message}") from exc
        try:
            target.secrets()
        except ConfigError as exc:
            raise ConfigError(f"{path}: targets.{name}.{str(exc).split(': ', 1)[1]}") from exc
        targets[name] = target
    return targets


def pick(targets: dict[str, Target], name: str | None, path: Path | None = None) -> list[Target]:
    """Every target, or the one named (:class:`ConfigError` listing the names if unknown)."""
    if name is None:
        return list(targets.values())
    if name not in targets:
        where = DEFAULT_CONFIG if path is None else path
        raise ConfigError(f"{where}: no target named {name!r} (targets: {', '.join(targets)})")
    return [targets[name]]
