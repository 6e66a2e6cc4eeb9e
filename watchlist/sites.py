"""Site configs (``seeds/sites/<name>.yaml``): one pydantic model, validated before any request.

A new forum on a known engine is a YAML file, never code. Engine presets (the CSS selectors an
engine's real markup needs) live in ``watchlist.presets``; any selector in a config overrides
them. docs/sites.md documents every field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from watchlist.addresses import is_private_host, parse_ip
from watchlist.errors import ConfigError
from watchlist.presets import ENGINES, JSON_ENGINES, PRESETS
from watchlist.selectors import Selectors

SiteType = Literal["forum", "ads", "telegram"]
Render = Literal["http", "browser"]
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_HOST_NAME = re.compile(r"[\w-]+(\.[\w-]+)*")


REQUIRED: dict[str, tuple[str, ...]] = {
    "forum": ("thread_links", "post", "post_body"),
    "ads": ("thread_links", "post_body"),
    "telegram": (),
}


class Expectations(BaseModel):
    """What a healthy crawl of the site yields; a crawl that falls short fails (exit 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    min_posts: int = Field(default=0, ge=0)  # at least this many posts read per run
    max_failed_share: float = Field(default=0.5, ge=0, le=1)  # of the requests sent


class SiteConfig(BaseModel):
    """One crawl target (ARCHITECTURE.md, "Site config")."""

    # No number may be infinite or NaN (`delay: .inf` would hang the crawl for good).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str
    type: SiteType
    engine: str | None = None
    start_urls: list[str] = Field(min_length=1)
    allowed_domains: list[str] = Field(default_factory=list)
    image_domains: list[str] = Field(default_factory=list)  # hosts of post images (CDNs)
    render: Render = "http"
    selectors: Selectors = Selectors()
    reveal: list[str] = Field(default_factory=list)
    schedule: str | None = None
    max_pages: int = Field(default=500, ge=1)
    max_depth: int = Field(default=50, ge=0)  # links followed from a start URL; 0: no limit
    max_page_bytes: int = Field(default=8_000_000, ge=1024)  # per response, after decompression
    delay: float = Field(default=1.0, ge=0, le=3600)  # seconds; an hour at most
    concurrency: int = Field(default=4, ge=1, le=64)
    autothrottle: bool = True
    obey_robots: bool = True
    retries: int = Field(default=2, ge=0, le=10)
    # Seconds one request may spend being downloaded, over all its tries.
    request_deadline: float = Field(default=60.0, ge=1, le=3600, allow_inf_nan=False)
    user_agent: str | None = None
    proxy: str | None = None
    cookies: dict[str, str] = Field(default_factory=dict)
    scrolls: int = Field(default=0, ge=0, le=200)  # browser listings: infinite-scroll rounds
    timezone: str = "UTC"
    language: str | None = None  # the language of its post times (a dateparser code: zh, ru)
    allow_private: bool = False
    expect: Expectations = Expectations()

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError("use lower-case letters, digits, '.', '_' and '-' (at most 64)")
        return name

    @field_validator("engine")
    @classmethod
    def _engine_is_known(cls, engine: str | None) -> str | None:
        if engine is not None and engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; known engines: {', '.join(ENGINES)}")
        return engine

    @field_validator("proxy")
    @classmethod
    def _proxy_is_a_url(cls, proxy: str | None) -> str | None:
        if proxy is not None:
            parts = urlsplit(proxy)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{proxy!r} is not an http(s) proxy URL")
        return proxy

    @field_validator("image_domains")
    @classmethod
    def _image_domains_are_hosts(cls, domains: list[str]) -> list[str]:
        hosts = []
        for domain in domains:
            host = domain.strip().lower().rstrip(".").strip("[]")
            if not (_HOST_NAME.fullmatch(host) or (":" in host and parse_ip(host) is not None)):
                raise ValueError(f"{host!r} is not a host name (no scheme, port or path)")
            if not host.isascii():  # as requests spell it
                try:
                    host = host.encode("idna").decode("ascii")
                except UnicodeError as exc:
                    raise ValueError(f"{host!r} is not a valid international name") from exc
            hosts.append(host)
        return hosts

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
            from croniter import croniter

            if len(schedule.split()) != 5 or not croniter.is_valid(schedule):
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

    @field_validator("language")
    @classmethod
    def _language_is_known(cls, language: str | None) -> str | None:
        if language is not None:
            from dateparser.data.languages_info import language_order  # slow: only when set

            if language not in language_order:
                raise ValueError(f"unknown language {language!r}; use a code such as zh, en, ru")
        return language

    @model_validator(mode="before")
    @classmethod
    def _engine_implies_forum(cls, raw: Any) -> Any:
        """A config naming an engine preset is a forum's: ``type`` may be left out."""
        if isinstance(raw, dict) and raw.get("engine") and "type" not in raw:
            return {**raw, "type": "forum"}
        return raw

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
        if (self.scrolls or self.selectors.load_more) and self.render != "browser":
            raise ValueError("scrolls and load_more need render: browser")
        if self.type == "telegram" and (self.render != "http" or self.engine is not None):
            raise ValueError("a telegram site is read over http, with no engine")
        if self.engine is not None and self.type != "forum":
            raise ValueError(f"engine {self.engine!r} is a forum engine; set type: forum")
        if self.engine not in JSON_ENGINES:
            selectors = self.resolved_selectors()
            missing = [k for k in REQUIRED[self.type] if getattr(selectors, k) is None]
            if missing:
                raise ValueError(f"selectors {', '.join(missing)} are needed (or an engine preset)")
        return self

    def resolved_selectors(self) -> Selectors:
        """The config's selectors over its engine's preset."""
        preset = PRESETS.get(self.engine or "", Selectors())
        return self.selectors.over(preset)


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
    except RecursionError as exc:  # PyYAML reads nesting recursively: [[[[…]]]] 100k deep
        raise ConfigError(f"{path}: config: nested too deeply to be a site config") from exc
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
