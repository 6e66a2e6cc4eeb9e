"""Serve the bundled demo sites on their loopback ports, ready to crawl (``watchlist demo``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from watchlist.chromium import find_chromium
from watchlist.demo.catalog import CATALOG
from watchlist.demo.server import serve
from watchlist.errors import WatchlistError
from watchlist.sites import SiteConfig


@dataclass(slots=True)
class DemoSites:
    """The demo sites being served: their configs, where they run, and the ones skipped."""

    configs: list[SiteConfig] = field(default_factory=list)
    served: list[tuple[str, str]] = field(default_factory=list)  # (name, base URL)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, why)


@contextmanager
def demo_sites(
    only: list[str] | None = None, chromium_path: str | None = None
) -> Iterator[DemoSites]:
    """Serve the demo sites (``only`` these names, if given) for as long as the block runs.

    A site that needs a browser is skipped, with the reason, when no Chromium is found.
    """
    unknown = set(only or ()) - {s.name for s in CATALOG}
    if unknown:
        names = ", ".join(s.name for s in CATALOG)
        raise WatchlistError(f"no demo site {', '.join(sorted(unknown))}; demo sites: {names}")
    sites = DemoSites()
    with ExitStack() as stack:
        for spec in CATALOG:
            if only and spec.name not in only:
                continue
            if spec.needs_browser:
                found = find_chromium(chromium_path)
                if found.path is None:
                    sites.skipped.append((spec.name, found.reason))
                    continue
            try:
                running = stack.enter_context(
                    serve(spec.site(f"http://127.0.0.1:{spec.port}"), port=spec.port)
                )
            except OSError as exc:
                raise WatchlistError(
                    f"cannot serve {spec.name} on 127.0.0.1:{spec.port}: {exc.strerror}"
                ) from exc
            sites.served.append((spec.name, running.base_url))
            sites.configs.append(spec.config(running.base_url))
        yield sites
