"""The site config ``watchlist sites add`` writes: detected preset or proposed selectors.

``draft(...)`` builds the config from what the probe saw — the engine's preset when it has
one, ``type: telegram`` for a channel preview, else the selectors proposed from the page's
structure, marked as such in a comment — validates it with the one site model, and renders
it as YAML with the evidence in comments. ``save`` writes it, never over an existing file
unless asked to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pydantic import ValidationError

from watchlist.engines import Detection
from watchlist.errors import ConfigError, CrawlError
from watchlist.proposal import IndexProposal, ThreadProposal
from watchlist.sites import SiteConfig, sites_dir

PROPOSED = "# proposed from the page's structure: check them"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class Draft:
    """A validated site config and the YAML text to write for it."""

    site: SiteConfig
    text: str
    proposed: bool  # the selectors were proposed from the page's structure


def default_name(url: str) -> str:
    """A config name from a URL: its host (no ``www.``) and port; ``t.me/s/x`` gives ``tg-x``."""
    parts = urlsplit(url)
    host = (parts.hostname or "site").lower().removeprefix("www.")
    channel = re.match(r"^/(?:s/)?(\w+)", parts.path)
    if host in ("t.me", "telegram.me") and channel:
        raw = f"tg-{channel.group(1)}"
    else:
        raw = host + (f"-{parts.port}" if parts.port else "")
    return re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")[:64] or "site"


def draft(
    url: str,
    detection: Detection,
    name: str,
    *,
    allow_private: bool = False,
    index: IndexProposal | None = None,
    thread: ThreadProposal | None = None,
) -> Draft:
    """The config for the site at ``url`` (the page the probe ended on)."""
    engine = detection.engine
    raw: dict[str, object] = {"name": name, "type": "forum"}
    proposed = False
    if engine is not None and engine.kind == "telegram":
        raw["type"] = "telegram"
    elif engine is not None and engine.preset:
        raw["engine"] = engine.preset
    else:
        raw["selectors"] = _proposed_selectors(index, thread)
        proposed = True
    host = urlsplit(url).hostname or ""
    raw.update(start_urls=[url], allowed_domains=[host.removeprefix("www.")])
    if allow_private:
        raw["allow_private"] = True
    try:
        site = SiteConfig.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "config"
        raise ConfigError(f"{field}: {error['msg'].removeprefix('Value error, ')}") from exc
    return Draft(site, _render(raw, url, detection, index, thread, proposed), proposed)


def _proposed_selectors(
    index: IndexProposal | None, thread: ThreadProposal | None
) -> dict[str, str]:
    if index is None or not index.thread_links:
        raise CrawlError(
            "no repeated links to threads or articles were found on the page to build a config"
            " from: give the URL of a board or blog index, or write the config by hand"
            " (docs/sites.md)"
        )
    if thread is None or not thread.post:
        raise CrawlError(
            "the thread pages followed showed no repeated posts to build a config from;"
            " write the post selectors by hand (docs/sites.md)"
        )
    found = {"thread_links": index.thread_links}
    if index.next_page:
        found["next_page"] = index.next_page
    return found | thread.selectors()  # in the order a crawl reads them


def _clean(text: str) -> str:
    return _UNSAFE.sub(" ", " ".join(text.split()))


def _render(
    raw: dict[str, object],
    url: str,
    detection: Detection,
    index: IndexProposal | None,
    thread: ThreadProposal | None,
    proposed: bool,
) -> str:
    lines = [
        f"# Added by `watchlist sites add` from {_clean(url)}",
        f"# Engine: {_clean(detection.label)} (confidence {detection.confidence:.2f})",
        *(f"#   {_clean(line)}" for line in detection.evidence),
    ]
    body = {k: v for k, v in raw.items() if k != "selectors"}
    text = "\n".join(lines) + "\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)
    if proposed:
        notes = [*(index.notes if index else ()), *(thread.notes if thread else ())]
        comments = [PROPOSED, *(f"#   {_clean(n)}" for n in notes)]
        selectors = yaml.safe_dump(
            {"selectors": raw["selectors"]}, allow_unicode=True, sort_keys=False
        )
        text += "\n".join(comments) + "\n" + selectors
    return text


def save(result: Draft, seeds_dir: Path, *, force: bool = False) -> Path:
    """Write the draft to ``seeds_dir/sites/<name>.yaml``; an existing file needs ``force``."""
    folder = sites_dir(seeds_dir)
    path = folder / f"{result.site.name}.yaml"
    existing = exists(seeds_dir, result.site.name)
    if existing is not None and not force:
        raise ConfigError(f"{existing} exists; pass --force to overwrite it")
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(result.text, encoding="utf-8")
    partial.replace(path)
    return path


def exists(seeds_dir: Path, name: str) -> Path | None:
    """The config file of ``name`` in the seeds folder, if there is one."""
    for suffix in (".yaml", ".yml"):
        path = sites_dir(seeds_dir) / f"{name}{suffix}"
        if path.exists():
            return path
    return None
