"""Engine detection: a pure function over what one fetch showed (URL, status, headers,
cookies, HTML, JSON probes). Small snippets in each engine's markup, the bundled demo sites'
rendered pages, saved pages of real software, and hard negatives."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from watchlist.demo import vbulletin
from watchlist.demo.catalog import CATALOG, spec
from watchlist.engines import THRESHOLD, Page, ProbeAnswer, detect, probes_for

PAGES = Path(__file__).parent / "pages"

# One small page per engine, written after the engine's templates or rendered pages.
SNIPPETS: dict[str, tuple[str, str]] = {
    "discuz": (
        "https://bbs.example.cn/forum-2-1.html",
        '<html><head><meta name="generator" content="Discuz! X3.5" />'
        "<title>交易区 - Powered by Discuz!</title><script>var STYLEID = '1', "
        "discuz_uid = '0', cookiepre = 'xRtY_2132_';</script></head><body></body></html>",
    ),
    "phpbb": (
        "https://board.example.org/viewforum.php?f=3",
        '<html><head><link href="./styles/prosilver/theme/stylesheet.css" rel="stylesheet">'
        '</head><body id="phpbb" class="nojs section-viewforum"><div class="copyright">'
        'Powered by <a href="https://www.phpbb.com/">phpBB</a>&reg; Forum Software</div>'
        "</body></html>",
    ),
    "smf": (
        "https://smf.example.net/index.php?board=1.0",
        '<html><head><script>var smf_theme_url = "https://smf.example.net/Themes/default";'
        'var smf_scripturl = "https://smf.example.net/index.php";</script></head><body>'
        '<a href="https://www.simplemachines.org" title="Simple Machines Forum">SMF 2.1.4'
        "</a></body></html>",
    ),
    "xenforo": (
        "https://xf.example.com/forums/otc.4/",
        '<html id="XF" data-app="public" data-template="forum_view"><body>'
        '<a data-xf-init="member-tooltip">x</a><div class="p-footer-copyright">'
        '<a href="https://xenforo.com">Community platform by XenForo<sup>&reg;</sup></a>'
        "</div></body></html>",
    ),
    "discourse": (
        "https://talk.example.com/latest",
        '<html><head><meta name="discourse_theme_ids" content="2"><meta name="generator" '
        'content="Discourse 3.2.1 - https://github.com/discourse/discourse version abc">'
        '<meta id="data-discourse-setup" data-cdn=""></head><body><section id="main">'
        "</section></body></html>",
    ),
    "vbulletin": (
        "https://vb.example.com/forumdisplay.php?f=12",
        '<html id="vbulletin_html"><head><meta name="generator" content="vBulletin 4.2.5" />'
        '<script src="clientscript/vbulletin_global.js?v=425"></script></head><body>'
        "</body></html>",
    ),
    "mybb": (
        "https://mybb.example.com/forumdisplay.php?fid=2",
        '<html><head><!-- start: headerinclude --><script src="jscripts/general.js?ver=1836">'
        '</script><script>var my_post_key = "4a1f"; var MyBBEditor = null;</script>'
        "<!-- end: headerinclude --></head><body>Powered By "
        '<a href="https://mybb.com" target="_blank">MyBB</a></body></html>',
    ),
    "invision": (
        "https://ips.example.com/forum/3-otc/",
        "<html><head><link rel='stylesheet' href='https://ips.example.com/uploads/css_built_1/"
        'core.css\'></head><body class="ipsApp ipsApp_front ipsJS_none" '
        'data-controller="core.front.core.app"></body></html>',
    ),
    "flarum": (
        "https://flarum.example.com/t/otc",
        '<html><body><div id="app" class="App"></div><div id="flarum-loading" '
        'style="display: none">Loading...</div><noscript id="flarum-content"></noscript>'
        "<script>var flarum = {extensions: {}};</script></body></html>",
    ),
    "nodebb": (
        "https://nodebb.example.com/category/2/otc",
        '<html><head><script>var config = JSON.parse(\'{"relative_path":"","upload_url":'
        '"/assets/uploads","socketioTransports":["polling","websocket"]}\');</script></head>'
        '<body><div component="category"></div></body></html>',
    ),
    "wordpress": (
        "https://blog.example.com/",
        '<html><head><meta name="generator" content="WordPress 6.4.2" />'
        "<link rel='https://api.w.org/' href='https://blog.example.com/wp-json/' />"
        "<link rel='stylesheet' href='https://blog.example.com/wp-includes/css/style.css' />"
        "</head><body></body></html>",
    ),
    "telegram": (
        "https://t.me/s/otc_example",
        '<html><body class="tgme_webpage"><div class="tgme_channel_info"></div>'
        '<div class="tgme_widget_message js-widget_message" data-post="otc_example/1"></div>'
        "</body></html>",
    ),
}


def _snippet(engine: str) -> Page:
    url, html = SNIPPETS[engine]
    return Page(url, html=html)


@pytest.mark.parametrize("engine", sorted(SNIPPETS))
def test_each_engine_is_named_from_its_own_markup_with_evidence(engine: str) -> None:
    url, html = SNIPPETS[engine]
    found = detect(Page(url, html=html))
    assert found.engine is not None and found.engine.key == engine
    assert found.confidence >= THRESHOLD
    assert found.evidence and all(isinstance(line, str) and line for line in found.evidence)


def test_versions_come_from_the_generator_tag_and_name_vbulletin_4_and_5() -> None:
    assert detect(_snippet("discuz")).name == "Discuz! X3.5"
    assert detect(_snippet("wordpress")).version == "6.4.2"
    assert detect(_snippet("vbulletin")).name == "vBulletin 4.2.5"
    vb5 = (
        "<html><head><script>window.vBulletin = window.vBulletin || {}; vBulletin.version ="
        ' "5.7.5"; var pageData = {"baseurl_core": "https://vb5.example.com/core"};</script>'
        "</head><body></body></html>"
    )
    found = detect(Page("https://vb5.example.com/forum/otc", html=vb5))
    assert found.engine is not None and found.engine.key == "vbulletin"
    assert found.name == "vBulletin 5"


def test_engines_with_and_without_a_preset_are_named_all_the_same() -> None:
    labels = {e: detect(_snippet(e)).label for e in ("mybb", "vbulletin", "flarum")}
    assert labels["mybb"] == "MyBB (preset: mybb)"
    assert labels["flarum"] == "Flarum (preset: flarum)"
    assert detect(_snippet("nodebb")).label == "NodeBB (preset: nodebb)"
    assert detect(_snippet("invision")).label == "Invision Community — no preset yet"
    assert labels["vbulletin"] == "vBulletin 4.2.5 (preset: vbulletin)"
    assert detect(_snippet("phpbb")).label == "phpBB (preset: phpbb)"
    assert detect(_snippet("telegram")).label.endswith("(type: telegram)")


def test_telegram_channel_urls_are_telegram_and_invite_links_are_not() -> None:
    for url in ("https://t.me/s/otc_channel", "https://t.me/otc_channel"):
        found = detect(Page(url, html="<html><body></body></html>"))
        assert found.engine is not None and found.engine.key == "telegram", url
    for url in ("https://t.me/joinchat/AbCdEf", "https://t.me/+AbCdEf12", "https://tme.example/x"):
        assert detect(Page(url, html="<html><body></body></html>")).engine is None, url


def test_cookies_and_headers_are_evidence_too() -> None:
    plain = "<html><body><p>Welcome</p></body></html>"
    phpbb = detect(Page("https://x.example/", html=plain, cookies=("phpbb3_abcde_sid",)))
    assert phpbb.engine is not None and phpbb.engine.key == "phpbb"
    assert any("phpbb3_abcde_sid" in line for line in phpbb.evidence)
    nodebb = detect(Page("https://x.example/", html=plain, headers={"x-powered-by": "NodeBB"}))
    assert nodebb.engine is not None and nodebb.engine.key == "nodebb"
    wordpress = detect(
        Page(
            "https://x.example/",
            html=plain,
            headers={"link": '<https://x.example/wp-json/>; rel="https://api.w.org/"'},
            cookies=("wordpress_test_cookie",),
        )
    )
    assert wordpress.engine is not None and wordpress.engine.key == "wordpress"


def test_json_probes_name_engines_whose_pages_are_drawn_by_javascript() -> None:
    shell = "<html><body><div id='app'></div><script src='/app.js'></script></body></html>"
    url = "https://forum.example.com/c/otc/5"
    assert detect(Page(url, html=shell)).engine is None
    answers = {
        "discourse": {"topic_list": {"topics": [], "more_topics_url": None}},
        "flarum": {"data": {"type": "forums", "attributes": {"baseUrl": "https://f.example"}}},
        "nodebb": {"relative_path": "", "socketioTransports": ["polling"], "siteTitle": "x"},
    }
    for name, body in answers.items():
        probe = ProbeAnswer(probes_for(url)[name], 200, json.dumps(body))
        found = detect(Page(url, html=shell, probes={name: probe}))
        assert found.engine is not None and found.engine.key == name
        assert found.confidence >= 0.85


def test_a_probe_that_failed_or_is_not_the_engines_json_names_nothing() -> None:
    url = "https://site.example/"
    shell = "<html><body></body></html>"
    for answer in (
        ProbeAnswer(url + "latest.json", 404, '{"topic_list": {"topics": []}}'),
        ProbeAnswer(url + "latest.json", 200, "<html>login</html>"),
        ProbeAnswer(url + "latest.json", 200, '{"topics": []}'),
        ProbeAnswer(url + "api", 200, '{"data": {"type": "forums"}}'),  # no forum attributes
    ):
        name = "flarum" if answer.url.endswith("/api") else "discourse"
        assert detect(Page(url, html=shell, probes={name: answer})).engine is None


def test_probes_target_discourse_in_a_subfolder_and_the_site_root_for_the_others() -> None:
    probes = probes_for("https://example.com/community/c/otc/5?page=2")
    assert probes["discourse"] == "https://example.com/community/latest.json"
    assert probes["nodebb"] == "https://example.com/api/config"
    assert probes["flarum"] == "https://example.com/api"


def test_a_blog_post_that_mentions_phpbb_is_not_phpbb() -> None:
    post = (
        "<html><head><title>Why I left phpBB</title></head><body><article><h1>Why I left "
        "phpBB</h1><p>My old board was Powered by phpBB and SMF before that; its threads lived "
        'at <a href="https://old.example/viewtopic.php?t=5">viewtopic.php?t=5</a>. vBulletin '
        "and Discuz! were too expensive; the XenForo and MyBB demos were fine.</p><p>Search "
        "for body id=phpbb or discuz_uid in the page source of any board to see its "
        "engine.</p></article></body></html>"
    )
    found = detect(Page("https://blog.example.net/2026/01/leaving-phpbb", html=post))
    assert found.engine is None
    assert found.name == "unknown"


def test_a_page_of_an_engine_we_do_not_know_is_unknown_and_says_its_generator() -> None:
    page = '<html><head><meta name="generator" content="Hugo 0.121.1"></head><body></body></html>'
    found = detect(Page("https://static.example/", html=page))
    assert found.engine is None and found.confidence == 0.0
    assert any(
        "Hugo 0.121.1" in line and "not an engine we know" in line for line in found.evidence
    )
    status = detect(Page("https://static.example/gone", status=404, html="<h1>Not found</h1>"))
    assert "the page answered HTTP 404" in status.evidence


def test_one_weak_clue_alone_names_no_engine() -> None:
    links = "".join(f'<a href="/index.php?topic={n}.0">t{n}</a>' for n in range(5))
    found = detect(Page("https://x.example/", html=f"<html><body>{links}</body></html>"))
    assert found.engine is None
    assert found.confidence < THRESHOLD and found.others[0][0] == "SMF"


def _demo_page(name: str, target: str) -> Page:
    demo = spec(name)
    base = f"http://127.0.0.1:{demo.port}"
    page = demo.site(base).render(target)
    return Page(base + target, page.status, dict(page.headers), (), page.body.decode("utf-8"))


@pytest.mark.parametrize(
    "name", [s.name for s in CATALOG if s.name not in ("demo-discourse", "demo-ads")]
)
def test_the_demo_sites_are_named_on_every_start_page(name: str) -> None:
    demo = spec(name)
    expected = {"demo-telegram": "telegram"}.get(name, name.removeprefix("demo-"))
    for url in demo.config(f"http://127.0.0.1:{demo.port}").start_urls:
        parts = urlsplit(url)
        found = detect(_demo_page(name, parts.path + (f"?{parts.query}" if parts.query else "")))
        assert found.engine is not None and found.engine.key == expected, url


def test_the_demo_discourse_is_named_by_its_latest_json_though_its_pages_are_404() -> None:
    page = _demo_page("demo-discourse", "/c/usdt-otc/2")
    assert page.status == 404 and detect(page).engine is None
    answer = _demo_page("demo-discourse", "/latest.json")
    probe = ProbeAnswer(answer.url, answer.status, answer.html)
    found = detect(Page(page.url, page.status, html=page.html, probes={"discourse": probe}))
    assert found.engine is not None and found.engine.preset == "discourse"


def test_a_javascript_ad_site_is_unknown() -> None:
    assert detect(_demo_page("demo-ads", "/ads")).engine is None


@pytest.mark.parametrize(
    ("folder", "engine"),
    [
        ("phpbb", "phpbb"),
        ("smf", "smf"),
        ("smf1", "smf"),
        ("smf20", "smf"),
        ("xenforo", "xenforo"),
        ("telegram", "telegram"),
        ("wordpress", "wordpress"),
        ("spirit", None),  # a Django forum app: no engine we name
    ],
)
def test_saved_pages_of_real_and_demo_software_are_named_right(
    folder: str, engine: str | None
) -> None:
    for path in sorted((PAGES / folder).glob("*.html")):
        found = detect(Page("http://127.0.0.1:8000/page", html=path.read_text(encoding="utf-8")))
        assert (found.engine.key if found.engine else None) == engine, path.name


def test_the_vbulletin_5_demo_pages_are_named_vbulletin_5_with_its_preset() -> None:
    site = vbulletin.VbulletinSite(version=5)
    for target in (site.board_path(2, 1), site.thread_path(1, 1)):
        page = site.render(target)
        found = detect(Page("http://127.0.0.1:8774" + target, html=page.body.decode("utf-8")))
        assert found.label == "vBulletin 5.7.5 (preset: vbulletin)", target
