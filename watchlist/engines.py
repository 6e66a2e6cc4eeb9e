"""Name a site's engine from what one fetch of it showed: a pure function, no network.

``detect(page)`` weighs *clues* — the generator meta tag, engine-specific markup and script
variables, cookie names, headers, the URL, and the answers of JSON endpoints some engines
serve (``probes_for``) — and returns the best-supported engine with a confidence and the
evidence lines, or ``unknown``. A clue's weight is how sure it alone makes us; clues for the
same engine combine as independent evidence (1 − Π(1 − w)). An engine is named from
:data:`THRESHOLD` on, so one weak clue (a "Powered by" credit, a few links in an engine's URL
form, the engine's name in a post) never names it alone.

Clues were written after reading each engine's templates or rendered pages (phpBB prosilver,
SMF's index template, XenForo 2, Discourse's layout, MyBB's default theme, Flarum's views,
NodeBB's header, Invision Community 4, vBulletin 3–5 pages, WordPress, t.me/s previews).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from watchlist.presets import ENGINES as PRESET_ENGINES

THRESHOLD = 0.6  # an engine is named from this confidence on
STRONG = 0.85  # at this confidence no JSON endpoint is probed
SiteKind = Literal["forum", "blog", "telegram"]


@dataclass(frozen=True, slots=True)
class Engine:
    """An engine we can name."""

    key: str
    name: str
    kind: SiteKind = "forum"

    @property
    def preset(self) -> str | None:
        """The ``engine:`` preset a site config can name, if there is one."""
        return self.key if self.key in PRESET_ENGINES else None


ENGINES: dict[str, Engine] = {
    e.key: e
    for e in (
        Engine("discuz", "Discuz!"),
        Engine("phpbb", "phpBB"),
        Engine("smf", "SMF"),
        Engine("xenforo", "XenForo"),
        Engine("discourse", "Discourse"),
        Engine("vbulletin", "vBulletin"),
        Engine("mybb", "MyBB"),
        Engine("invision", "Invision Community"),
        Engine("flarum", "Flarum"),
        Engine("nodebb", "NodeBB"),
        Engine("wordpress", "WordPress", "blog"),
        Engine("telegram", "Telegram channel preview", "telegram"),
    )
}


@dataclass(frozen=True, slots=True)
class ProbeAnswer:
    """What a JSON endpoint answered."""

    url: str
    status: int
    body: str


@dataclass(frozen=True, slots=True)
class Page:
    """Everything one fetch showed: final URL, status, headers, cookie names, body, probes."""

    url: str
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    cookies: tuple[str, ...] = ()  # names of the cookies the answer set
    html: str = ""
    probes: Mapping[str, ProbeAnswer] = field(default_factory=dict)  # probe name -> answer


@dataclass(frozen=True, slots=True)
class Detection:
    """The engine a page was built with, how sure we are, and why."""

    engine: Engine | None  # None: unknown
    confidence: float
    evidence: tuple[str, ...]  # the clues for the engine named (all clues when unknown)
    version: str | None = None
    others: tuple[tuple[str, float], ...] = ()  # (engine name, confidence) of the runners-up

    @property
    def name(self) -> str:
        """The engine's name with its version where known (``vBulletin 5.6.9``), or ``unknown``."""
        if self.engine is None:
            return "unknown"
        return f"{self.engine.name} {self.version}" if self.version else self.engine.name

    @property
    def label(self) -> str:
        """One line for people: the name, and whether a config can use it as it is."""
        if self.engine is None:
            return "unknown"
        if self.engine.kind == "telegram":
            return f"{self.name} (type: telegram)"
        if self.engine.preset:
            return f"{self.name} (preset: {self.engine.preset})"
        return f"{self.name} — no preset yet"

    @property
    def strong(self) -> bool:
        """Sure enough that no JSON endpoint needs probing."""
        return self.confidence >= STRONG


@dataclass(frozen=True, slots=True)
class _Rule:
    engine: str
    weight: float  # how sure this clue alone makes us
    where: str  # generator | html | links | cookie | url | header:<name>
    pattern: re.Pattern[str]  # a group named v is the version
    what: str  # evidence line: {match} the matched text, {v} the version, {n} matches counted
    version: str | None = None  # the version (or major version) this clue implies


# Links count only from this many on: one link in a post proves nothing.
MIN_LINKS = 3
# fmt: off
_TABLE: tuple[tuple[Any, ...], ...] = (  # engine, weight, where, pattern, what[, version]
    # Discuz! X (template/default/common/header_common.htm)
    ("discuz", 0.9, "generator", r"^Discuz!\s*(?P<v>X?[\d.]+)?", "generator meta tag «{match}»"),
    ("discuz", 0.7, "html", r"\bdiscuz_uid\s*=", "script variable discuz_uid"),
    ("discuz", 0.45, "html", r"<title>[^<]*Powered by Discuz!", "page title «Powered by Discuz!»"),
    ("discuz", 0.45, "html", r"Powered by\s*<(?:strong|a|b)\b[^>]*>\s*Discuz!",
     "footer credit «Powered by Discuz!»"),
    ("discuz", 0.6, "html", r"\bid=\"(?:normalthread|postmessage)_\d+\"",
     "Discuz! markup (normalthread_N / postmessage_N ids)"),
    ("discuz", 0.35, "links", r"href=\"[^\"]*(?:forum\.php\?mod=(?:viewthread|forumdisplay)"
     r"|\bforum-\d+-\d+\.html|\bthread-\d+-\d+-\d+\.html)", "{n} links in Discuz!'s URL forms"),
    ("discuz", 0.6, "cookie", r"^\w+_saltkey$", "cookie {match} (Discuz! session)"),
    # phpBB 3 (styles/prosilver/template/overall_header.html, overall_footer.html)
    ("phpbb", 0.65, "html", r"<body\b[^>]*\bid=\"phpbb\"", "markup <body id=\"phpbb\">"),
    ("phpbb", 0.5, "html", r"/styles/(?:prosilver|subsilver2|[\w-]+/theme)/",
     "stylesheet in phpBB's styles/ folder"),
    ("phpbb", 0.45, "html", r"Powered by\s*<a\b[^>]*href=\"https?://(?:www\.)?phpbb\.com",
     "footer credit «Powered by phpBB»"),
    ("phpbb", 0.6, "html", r"<meta\s+name=\"copyright\"\s+content=\"[^\"]*phpBB",
     "copyright meta tag of phpBB"),
    ("phpbb", 0.45, "html", r"class=\"[^\"]*\b(?:topictitle|postprofile)\b",
     "phpBB markup (topictitle / postprofile)"),
    ("phpbb", 0.35, "links",
     r"href=\"[^\"]*\bview(?:topic|forum)\.php\?(?:[^\"]*&(?:amp;)?)?[ftp]=\d",
     "{n} links in phpBB's URL forms (viewtopic.php, viewforum.php)"),
    ("phpbb", 0.7, "cookie", r"^phpbb\d?_\w+_(?:u|k|sid)$", "cookie {match} (phpBB session)"),
    # SMF 1.x-2.1 (Themes/default/index.template.php)
    ("smf", 0.8, "html", r"\bsmf_(?:theme_url|scripturl|default_theme_url|images_url)\b",
     "script variable {match}"),
    ("smf", 0.45, "html", r"(?:simplemachines\.org[^>]*>\s*|Powered by\s+)SMF\s*(?P<v>[\d.]+)",
     "footer credit «SMF {v}»"),
    ("smf", 0.4, "html", r"/Themes/[\w-]+/(?:css|images|scripts)/",
     "assets in SMF's Themes/ folder"),
    ("smf", 0.35, "links", r"href=\"[^\"]*index\.php\?(?:topic|board)=\d+\.\d+",
     "{n} links in SMF's URL forms (index.php?topic=N.N)"),
    ("smf", 0.4, "html", r"\baction=profile;u=\d+|\bid=\"quickModForm\"",
     "SMF markup ({match})"),
    ("smf", 0.7, "cookie", r"^SMFCookie\d*$", "cookie {match} (SMF session)"),
    # XenForo 1 and 2 (PAGE_CONTAINER)
    ("xenforo", 0.8, "html", r"<html\b[^>]*\bid=\"(?:XF|XenForo)\"", "markup <html id=\"XF\">"),
    ("xenforo", 0.6, "html", r"\bdata-xf-init=", "XenForo markup (data-xf-init)"),
    ("xenforo", 0.55, "html", r"(?:Community platform|Forum software) by XenForo",
     "footer credit «… by XenForo»"),
    ("xenforo", 0.6, "html", r"XenForo\.init|jQuery\.extend\(true, XenForo", "XenForo 1 script"),
    ("xenforo", 0.7, "cookie", r"^xf_(?:csrf|session|user)$", "cookie {match} (XenForo)"),
    # Discourse (app/views/layouts/application.html.erb, _head.html.erb)
    ("discourse", 0.9, "generator", r"^Discourse(?:\s+v?(?P<v>[\d.]+\w*))?",
     "generator meta tag «{match}»"),
    ("discourse", 0.8, "html", r"<meta\s+name=\"discourse_(?:theme_ids?|current_homepage)\""
     r"|\bid=\"data-discourse-setup\"", "Discourse markup ({match})"),
    ("discourse", 0.4, "cookie", r"^_forum_session$", "cookie {match} (Discourse session)"),
    # vBulletin 3-5
    ("vbulletin", 0.9, "generator", r"^vBulletin\s*(?P<v>[\d.]+\w*)?",
     "generator meta tag «{match}»"),
    ("vbulletin", 0.75, "html", r"<html\b[^>]*\bid=\"vbulletin_html\"",
     "markup <html id=\"vbulletin_html\"> (vBulletin 4)", "4"),
    ("vbulletin", 0.6, "html", r"vbulletin_css|clientscript/vbulletin[_-]|vb_login_md5password"
     r"|\bvar SESSIONURL\b", "vBulletin 3/4 scripts ({match})"),
    ("vbulletin", 0.7, "html", r"\"baseurl_core\"\s*:|vBulletin\.version\s*=|window\.vBulletin\b",
     "vBulletin 5 page data ({match})", "5"),
    ("vbulletin", 0.45, "html", r"Powered by\s*(?:<[^>]+>\s*)*vBulletin",
     "footer credit «Powered by vBulletin»"),
    ("vbulletin", 0.6, "cookie", r"^bb_?(?:lastvisit|lastactivity|sessionhash)$",
     "cookie {match} (vBulletin session)"),
    # MyBB 1.8 (install/resources/mybb_theme.xml: headerinclude, footer)
    ("mybb", 0.7, "html", r"\bvar my_post_key\s*=|\bMyBBEditor\b", "MyBB script ({match})"),
    ("mybb", 0.6, "html", r"<!-- (?:start|end): (?:index|header|footer|headerinclude|showthread"
     r"|forumdisplay\w*) -->", "MyBB template comments ({match})"),
    ("mybb", 0.45, "html", r"Powered By\s*<a\b[^>]*href=\"https?://(?:www\.)?mybb\.com",
     "footer credit «Powered By MyBB»"),
    ("mybb", 0.35, "links", r"href=\"[^\"]*\b(?:showthread\.php\?tid|forumdisplay\.php\?fid)=\d",
     "{n} links in MyBB's URL forms (showthread.php?tid=N)"),
    ("mybb", 0.7, "cookie", r"^\w*mybb(?:\[(?:lastvisit|lastactive)\]|user)$",
     "cookie {match} (MyBB)"),
    # Invision Community 4 (IPS 4.x front end)
    ("invision", 0.75, "html", r"\bclass=\"ipsApp\b|data-controller=\"core\.front\.core\.app",
     "Invision Community markup ({match})"),
    ("invision", 0.5, "html", r"/uploads/css_built_\d+/|\bipsSettings\b|\bips\.setString\(",
     "Invision Community assets ({match})"),
    ("invision", 0.45, "html", r"Powered by\s*(?:<[^>]+>\s*)*Invision Community",
     "footer credit «Powered by Invision Community»"),
    ("invision", 0.7, "cookie", r"^ips4_\w+$", "cookie {match} (Invision Community)"),
    # Flarum (framework/core/views/frontend/app.blade.php, content.blade.php)
    ("flarum", 0.8, "html", r"\bid=\"flarum-(?:loading|json-payload|content)\"",
     "Flarum markup ({match})"),
    ("flarum", 0.6, "html", r"\bvar flarum\s*=\s*\{|flarum\.core\.app", "Flarum boot script"),
    ("flarum", 0.7, "cookie", r"^flarum_(?:session|remember)$", "cookie {match} (Flarum)"),
    # NodeBB (nodebb-theme-harmony templates/header.tpl, src/controllers/api.js)
    ("nodebb", 0.9, "header:x-powered-by", r"^NodeBB\b", "header X-Powered-By: NodeBB"),
    ("nodebb", 0.7, "html", r"relative_path\\?\"\s*:.{0,2000}socketioTransports",
     "NodeBB client config (relative_path, socketioTransports)"),
    ("nodebb", 0.5, "html", r"/assets/nodebb\.min\.js|\bcomponent=\"(?:post|topic|category)[/\"]",
     "NodeBB markup ({match})"),
    # WordPress
    ("wordpress", 0.9, "generator", r"^WordPress\s*(?P<v>[\d.]+)?", "generator meta tag «{match}»"),
    ("wordpress", 0.55, "html", r"/wp-(?:content|includes)/",
     "assets in /wp-content/ or /wp-includes/"),
    ("wordpress", 0.65, "html", r"<link\b[^>]*rel=[\"']https://api\.w\.org/[\"']",
     "REST API link (api.w.org)"),
    ("wordpress", 0.65, "header:link", r"rel=\"https://api\.w\.org/\"", "header Link: api.w.org"),
    ("wordpress", 0.5, "header:x-pingback", r"/xmlrpc\.php", "header X-Pingback: xmlrpc.php"),
    ("wordpress", 0.6, "cookie", r"^(?:wordpress_\w*|wp-settings-\d+)$",
     "cookie {match} (WordPress)"),
    # Telegram channel previews (t.me/s/<channel>)
    ("telegram", 0.8, "url", r"^https?://(?:t|telegram)\.me/s/\w+",
     "URL is a t.me/s/ channel preview"),
    ("telegram", 0.6, "url", r"^https?://(?:t|telegram)\.me/[A-Za-z]\w{3,}/?(?:[?#]|$)",
     "URL is a t.me channel (read through its t.me/s/ preview)"),
    ("telegram", 0.7, "html", r"class=\"[^\"]*\btgme_widget_message\b",
     "Telegram preview markup (tgme_widget_message)"),
    ("telegram", 0.45, "html", r"class=\"[^\"]*\btgme_channel_info\b",
     "Telegram channel header (tgme_channel_info)"),
)
# fmt: on
RULES: tuple[_Rule, ...] = tuple(
    _Rule(row[0], row[1], row[2], re.compile(row[3], re.S), row[4], (*row[5:], None)[0])
    for row in _TABLE
)


def _json_path(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


# JSON endpoints (probes_for): (engine, weight, what the answer must hold, evidence line)
PROBES: dict[str, tuple[float, Callable[[Any], bool], str]] = {
    "discourse": (
        0.9,
        lambda d: isinstance(_json_path(d, "topic_list", "topics"), list),
        "JSON endpoint {match} answers a Discourse topic list",
    ),
    "flarum": (
        0.9,
        lambda d: (
            _json_path(d, "data", "type") == "forums"
            and _json_path(d, "data", "attributes", "baseUrl") is not None
        ),
        "JSON:API endpoint {match} answers a Flarum forum",
    ),
    "nodebb": (
        0.85,
        lambda d: isinstance(d, dict) and "relative_path" in d and "socketioTransports" in d,
        "JSON endpoint {match} answers a NodeBB client config",
    ),
}
_GENERATOR = re.compile(
    r"<meta\b(?=[^>]*\bname=[\"']generator[\"'])[^>]*\bcontent=[\"']([^\"']*)[\"']", re.I
)


def probes_for(url: str) -> dict[str, str]:
    """``{probe name: URL}``: the JSON endpoints that name an engine whose HTML may not.

    Discourse, Flarum and NodeBB render their pages with JavaScript; their JSON answers
    say what they are. Discourse may live in a subfolder: its base is what precedes a route.
    """
    parts = urlsplit(url)
    origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    route = re.search(r"/(?:c|t|tag|tags|latest|top|categories|u)(?=[/.?]|$)", parts.path)
    base = origin + (parts.path[: route.start()] if route else "")
    return {
        "discourse": f"{base}/latest.json",
        "nodebb": f"{origin}/api/config",
        "flarum": f"{origin}/api",
    }


def detect(page: Page) -> Detection:
    """The engine ``page`` was built with, its confidence and evidence; unknown when unsure."""
    generators = [g.strip() for g in _GENERATOR.findall(page.html[:200_000])]
    found: dict[str, list[tuple[float, str]]] = {}
    versions: dict[str, str] = {}
    for rule in RULES:
        hit = _match(rule, page, generators)
        if hit is not None:
            found.setdefault(rule.engine, []).append((rule.weight, hit[0]))
            if hit[1] and rule.engine not in versions:
                versions[rule.engine] = hit[1]
    for engine, clue in _probe_hits(page).items():
        found.setdefault(engine, []).append(clue)
    scores = {engine: _combine(w for w, _ in clues) for engine, clues in found.items()}
    ranked = sorted(scores, key=lambda e: (-scores[e], e))
    ranking = tuple((ENGINES[e].name, round(scores[e], 2)) for e in ranked)
    notes = _notes(page, generators)
    if not ranked or scores[ranked[0]] < THRESHOLD:
        lines = tuple(f"{ENGINES[e].name}: {line}" for e in ranked for _, line in found[e])
        best = ranking[0][1] if ranking else 0.0
        return Detection(
            None, best, lines + notes or ("no engine's markup was found",), None, ranking
        )
    winner = ranked[0]
    lines = tuple(line for _, line in found[winner])
    return Detection(
        ENGINES[winner], ranking[0][1], lines + notes, versions.get(winner), ranking[1:]
    )


def _match(rule: _Rule, page: Page, generators: list[str]) -> tuple[str, str | None] | None:
    """(evidence line, version or None) when ``rule`` holds for ``page``."""
    where = rule.where
    if where == "links":
        count = len(rule.pattern.findall(page.html))
        return (rule.what.format(n=count), None) if count >= MIN_LINKS else None
    if where == "generator":
        subjects = generators
    elif where == "html":
        subjects = [page.html]
    elif where == "cookie":
        subjects = list(page.cookies)
    elif where == "url":
        subjects = [page.url]
    else:  # header:<name>
        value = page.headers.get(where.removeprefix("header:"))
        subjects = [value] if value else []
    for subject in subjects:
        match = rule.pattern.search(subject)
        if match is not None:
            version = match.groupdict().get("v") or rule.version
            shown = " ".join(match.group(0).split())[:80]
            return rule.what.format(match=shown, n=1, v=version or ""), version
    return None


def _probe_hits(page: Page) -> dict[str, tuple[float, str]]:
    """``{engine: (weight, evidence line)}`` for the probes whose answer names an engine."""
    hits: dict[str, tuple[float, str]] = {}
    for name, answer in page.probes.items():
        if name not in PROBES or answer.status != 200:
            continue
        weight, holds, what = PROBES[name]
        try:
            data = json.loads(answer.body)
        except ValueError:
            continue
        if holds(data):
            hits[name] = (weight, what.format(match=urlsplit(answer.url).path or "/"))
    return hits


def _combine(weights: Any) -> float:
    doubt = 1.0
    for weight in weights:
        doubt *= 1.0 - weight
    return 1.0 - doubt


def _notes(page: Page, generators: list[str]) -> tuple[str, ...]:
    """Facts worth saying beside the clues: the HTTP status, a generator we do not know."""
    notes: list[str] = []
    if page.status != 200:
        notes.append(f"the page answered HTTP {page.status}")
    for generator in generators:
        if generator and not any(
            rule.where == "generator"
            and isinstance(rule.pattern, re.Pattern)
            and rule.pattern.search(generator)
            for rule in RULES
        ):
            notes.append(f"generator meta tag «{generator[:60]}» (not an engine we know)")
    return tuple(notes)
