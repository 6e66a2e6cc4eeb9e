"""Site configs (``seeds/sites/<name>.yaml``): one pydantic model, validated before any request.

A new forum on a known engine is a YAML file, never code. Engine presets (the CSS selectors an
engine's real markup needs) live in :data:`PRESETS`; any selector in a config overrides them.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from watchlist.errors import ConfigError

SiteType = Literal["forum", "ads", "telegram"]
Render = Literal["http", "browser"]
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z?]+$")


class Selectors(BaseModel):
    """CSS selectors for the parts of a forum; any may be omitted where a preset knows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    thread_links: str | None = None
    next_page: str | None = None
    title: str | None = None
    post: str | None = None
    post_body: str | None = None
    author: str | None = None
    posted_at: str | None = None

    def over(self, preset: Selectors) -> Selectors:
        """These selectors, with the preset's filling whatever these leave out."""
        mine = self.model_dump(exclude_none=True)
        return preset.model_copy(update=mine)


PRESETS: dict[str, Selectors] = {
    # Discuz! X3: board pages forum-<fid>-<page>.html, threads thread-<tid>-<page>-1.html.
    "discuz": Selectors(
        thread_links="a.xst",
        next_page="div.pg a.nxt",
        title="#thread_subject",
        post="div[id^=post_]",
        post_body="td.t_f",
        author=".authi a",
        posted_at="em[id^=authorposton]",
    ),
}
REQUIRED_FOR_FORUM = ("thread_links", "post", "post_body")


class SiteConfig(BaseModel):
    """One crawl target (ARCHITECTURE.md, "Site config")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: SiteType
    engine: str | None = None
    start_urls: list[str] = Field(min_length=1)
    allowed_domains: list[str] = Field(default_factory=list)
    render: Render = "http"
    selectors: Selectors = Selectors()
    reveal: list[str] = Field(default_factory=list)
    schedule: str | None = None
    max_pages: int = Field(default=500, ge=1)
    delay: float = Field(default=1.0, ge=0)
    timezone: str = "UTC"
    allow_private: bool = False

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError("use lower-case letters, digits, '.', '_' and '-' (at most 64)")
        return name

    @field_validator("engine")
    @classmethod
    def _engine_is_known(cls, engine: str | None) -> str | None:
        if engine is not None and engine not in PRESETS:
            raise ValueError(f"unknown engine {engine!r}; known engines: {', '.join(PRESETS)}")
        return engine

    @field_validator("start_urls")
    @classmethod
    def _urls_are_http(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{url!r} is not an http(s) URL")
        return urls

    @field_validator("schedule")
    @classmethod
    def _schedule_is_cron(cls, schedule: str | None) -> str | None:
        if schedule is not None:
            fields = schedule.split()
            if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
                raise ValueError(f"{schedule!r} is not a five-field cron expression")
        return schedule

    @field_validator("timezone")
    @classmethod
    def _timezone_is_known(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {name!r}") from exc
        return name

    @model_validator(mode="before")
    @classmethod
    def _default_allowed_domains(cls, raw: Any) -> Any:
        """Without ``allowed_domains``, the crawl stays on the start URLs' hosts."""
        if isinstance(raw, dict) and not raw.get("allowed_domains"):
            urls = raw.get("start_urls")
            if isinstance(urls, list) and all(isinstance(u, str) for u in urls):
                hosts = {urlsplit(u).hostname for u in urls} - {None}
                return {**raw, "allowed_domains": sorted(hosts)}
        return raw

    @model_validator(mode="after")
    def _consistent(self) -> SiteConfig:
        hosts = [urlsplit(url).hostname or "" for url in self.start_urls]
        for host in hosts:
            if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
                raise ValueError(f"start URL host {host!r} is outside allowed_domains")
            if not self.allow_private and is_private_host(host):
                raise ValueError(
                    f"start URL host {host!r} is a private address; set allow_private: true"
                )
        if self.reveal and self.render != "browser":
            raise ValueError("reveal needs render: browser")
        if self.type == "forum":
            missing = [
                k for k in REQUIRED_FOR_FORUM if getattr(self.resolved_selectors(), k) is None
            ]
            if missing:
                raise ValueError(f"selectors {', '.join(missing)} are needed (or an engine preset)")
        return self

    def resolved_selectors(self) -> Selectors:
        """The config's selectors over its engine's preset."""
        preset = PRESETS.get(self.engine or "", Selectors())
        return self.selectors.over(preset)


def is_private_host(host: str) -> bool:
    """True for ``localhost`` and loopback, private, link-local or reserved IP literals."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def load_site(path: Path) -> SiteConfig:
    """Read and validate one site config; :class:`ConfigError` names the file and the field."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of fields, got {type(raw).__name__}")
    raw.setdefault("name", path.stem)
    try:
        return SiteConfig.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "config"
        message = error["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path}: {field}: {message}") from exc


def sites_dir(seeds_dir: Path) -> Path:
    """The folder of site configs inside a seeds folder."""
    return seeds_dir / "sites"


def find_site(name: str, seeds_dir: Path) -> SiteConfig:
    """The config of the site called ``name`` (its file stem or its ``name`` field)."""
    folder = sites_dir(seeds_dir)
    for suffix in (".yaml", ".yml"):
        path = folder / f"{name}{suffix}"
        if path.exists():
            return load_site(path)
    for site in all_sites(seeds_dir):
        if site.name == name:
            return site
    raise ConfigError(f"no site named {name!r} in {folder}")


def all_sites(seeds_dir: Path) -> list[SiteConfig]:
    """Every site config in a seeds folder, sorted by name; names must be unique."""
    folder = sites_dir(seeds_dir)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder of site configs")
    sites: dict[str, SiteConfig] = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        site = load_site(path)
        if site.name in sites:
            raise ConfigError(f"{path}: name: {site.name!r} is used by another site config")
        sites[site.name] = site
    return [sites[name] for name in sorted(sites)]
