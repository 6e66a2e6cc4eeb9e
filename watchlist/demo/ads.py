"""A classified-ad site whose pages need a browser: cards rendered by JS, contacts behind a button.

The ads are the trade threads (sell, buy, exchange) of a :class:`World` (``World(seed=13)`` by
default), each opening post an ad: its text, author, date and QR images, plus a contact line
(phone, WeChat, Telegram or QQ) that no page shows until "show contact" is clicked.

Routes:

- ``/ads``: the listing. Its HTML holds no ad; inline JS fetches ``/api/ads?page=N`` (JSON, 8
  ads a page) and renders ``a.ad-card`` links, the next page on scrolling to the bottom or on
  clicking ``button.load-more`` (removed after the last page).
- ``/ad/<id>``: an ad (``div.ad``: ``h1.ad-title``, ``.ad-author``, ``time.ad-date``,
  ``.ad-body``, QR images in ``.ad-images``). ``button.show-contact`` fetches
  ``/api/contact/<id>`` by XHR and writes the contact into ``.contact``; ``/ad/<id>?strict``
  ignores clicks that a script makes (``event.isTrusted``), as some sites do.
- ``/classic/list-<n>.html`` and ``/classic/ad-<id>.html``: the same ads rendered on the server
  (contact shown, ``a.next`` pager), for crawls without a browser.
- Decoration a crawler should never fetch: a stylesheet, a web font, banner and thumbnail images,
  a video (``/static/…``, ``/media/…``). With ``heavy=True`` they are big and each is answered
  after ``asset_delay`` seconds, as on real ad sites (the browser benchmark's setting).
- QR images (``/uploads/qr-u<uid>.png``) and ``/robots.txt`` (allows everything).
"""

from __future__ import annotations

import io
import json
import random
import re
import string
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

import phonenumbers
from PIL import Image

from watchlist.demo.configs import shipped_config
from watchlist.demo.images import ATTACHMENTS, attachment
from watchlist.demo.page import ALLOW_ALL_ROBOTS, JSON_TYPE, PNG_TYPE, TEXT_TYPE, Page, esc
from watchlist.demo.page import html_page as _html
from watchlist.demo.phrases import MOBILE_PREFIXES, WORDS
from watchlist.demo.world import World
from watchlist.sites import Render, SiteConfig

DEMO_PORT = 8770  # the fixed port of `watchlist demo` and seeds/sites/demo-ads.yaml
PAGE_SIZE = 8
CLASSIC_PAGE_SIZE = 10
TRADE_TYPES = ("sell", "buy", "exchange")
_AD = re.compile(r"/ad/(\d+)")
_CONTACT = re.compile(r"/api/contact/(\d+)")
_CLASSIC_LIST = re.compile(r"/classic/list-(\d+)\.html")
_CLASSIC_AD = re.compile(r"/classic/ad-(\d+)\.html")
_QR = re.compile(r"/uploads/(qr-u\d+\.png)")
_ASSETS = {
    "/static/site.css": "text/css",
    "/static/fonts/adsans.woff2": "font/woff2",
    "/media/promo.mp4": "video/mp4",
}
_BANNER = re.compile(r"/static/(?:banners|thumbs)/[\w-]+\.jpg")


@dataclass(frozen=True, slots=True)
class DemoAd:
    """One ad: what its page shows, what "show contact" reveals, and the handles of both."""

    ad_id: int
    title: str
    author: str
    posted_at: str
    price: str
    text: str
    images: tuple[str, ...]  # paths on the ad site
    contact: str
    body_handles: frozenset[tuple[str, str]]
    contact_handles: frozenset[tuple[str, str]]


class AdSite:
    """The ads of ``world``'s trade threads (at most ``count``) as a JS-rendered ad site."""

    def __init__(
        self,
        world: World | None = None,
        count: int = 40,
        heavy: bool = False,
        asset_delay: float = 0.3,
    ) -> None:
        self.world = world or World(seed=13, boards=4, threads_per_board=max(30, count))
        self.heavy = heavy
        self.asset_delay = asset_delay
        self.ads = _ads(self.world, count)
        self.by_id = {ad.ad_id: ad for ad in self.ads}

    def render(self, target: str) -> Page:
        """The answer to ``GET target``."""
        parts = urlsplit(target)
        path = parts.path
        if path in ("/", "/ads"):
            return _html(200, _listing())
        if path == "/api/ads":
            page = _int(parse_qs(parts.query).get("page", ["0"])[0])
            return self._api_ads(page)
        if path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if (match := _QR.fullmatch(path)) and (
            image := attachment(self.world.seed, ATTACHMENTS + match[1])
        ):
            return Page(200, PNG_TYPE, image)
        if path in _ASSETS or _BANNER.fullmatch(path):
            return self._asset(path)
        if (match := _AD.fullmatch(path)) and (ad := self.by_id.get(int(match[1]))):
            strict = "strict" in parse_qs(parts.query, keep_blank_values=True)
            return _html(200, _ad_page(ad, self.heavy, classic=False, strict=strict))
        if (match := _CONTACT.fullmatch(path)) and (ad := self.by_id.get(int(match[1]))):
            return _json({"id": ad.ad_id, "contact": ad.contact})
        if match := _CLASSIC_LIST.fullmatch(path):
            page = int(match[1])
            if 1 <= page <= self.classic_pages():
                return _html(200, self._classic_list(page))
        if (match := _CLASSIC_AD.fullmatch(path)) and (ad := self.by_id.get(int(match[1]))):
            return _html(200, _ad_page(ad, self.heavy, classic=True))
        return _html(404, "<!DOCTYPE html><html><body><h1>404 广告不存在</h1></body></html>")

    def ad_path(self, ad: DemoAd, render: Render = "browser") -> str:
        """The path of ``ad``'s page (the stored post URL minus scheme and host)."""
        return f"/ad/{ad.ad_id}" if render == "browser" else f"/classic/ad-{ad.ad_id}.html"

    def expected_sightings(self, render: Render = "browser") -> set[tuple[str, str, str]]:
        """(ad page path, kind, canonical value) of every handle a full crawl must store."""
        return {
            (self.ad_path(ad, render), kind, value)
            for ad in self.ads
            for kind, value in ad.body_handles | ad.contact_handles
        }

    def contact_only_sightings(self, render: Render = "browser") -> set[tuple[str, str, str]]:
        """The sightings that only a revealed contact shows (not the ad's text or images)."""
        return {
            (self.ad_path(ad, render), kind, value)
            for ad in self.ads
            for kind, value in ad.contact_handles - ad.body_handles
        }

    def listing_api_targets(self) -> list[str]:
        """The JSON pages the listing's script fetches to show every ad."""
        return [f"/api/ads?page={n}" for n in range(self.listing_pages())]

    def listing_pages(self) -> int:
        """How many JSON pages the listing spans."""
        return max(1, -(-len(self.ads) // PAGE_SIZE))

    def classic_pages(self) -> int:
        """How many server-rendered listing pages there are."""
        return max(1, -(-len(self.ads) // CLASSIC_PAGE_SIZE))

    def image_paths(self) -> set[str]:
        """The QR images the ads show."""
        return {path for ad in self.ads for path in ad.images}

    def _api_ads(self, page: int) -> Page:
        chunk = self.ads[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        cards = [
            {
                "id": ad.ad_id,
                "url": f"/ad/{ad.ad_id}",
                "title": ad.title,
                "price": ad.price,
                "thumb": f"/static/thumbs/{ad.ad_id}.jpg",
            }
            for ad in chunk
        ]
        return _json({"page": page, "ads": cards, "more": page + 1 < self.listing_pages()})

    def _classic_list(self, page: int) -> str:
        chunk = self.ads[(page - 1) * CLASSIC_PAGE_SIZE : page * CLASSIC_PAGE_SIZE]
        cards = "".join(
            f'<a class="ad-card" href="/classic/ad-{ad.ad_id}.html"><span class="card-title">'
            f'{esc(ad.title)}</span> <span class="price">{esc(ad.price)}</span></a>\n'
            for ad in chunk
        )
        pager = f'<a class="next" href="/classic/list-{page + 1}.html">下一页</a>'
        return _layout(
            "信息列表",
            f'<div id="ad-list">{cards}</div>\n' + (pager if page < self.classic_pages() else ""),
        )

    def _asset(self, path: str) -> Page:
        if self.heavy:
            time.sleep(self.asset_delay)
        if path.endswith(".jpg"):
            width, height = (1200, 800) if self.heavy and "/banners/" in path else (160, 120)
            return Page(200, "image/jpeg", _noise_jpeg(width, height, seed=len(path)))
        kind = _ASSETS[path]
        size = {"text/css": 120_000, "font/woff2": 300_000, "video/mp4": 2_000_000}[kind]
        if not self.heavy:
            size //= 100
        if kind == "text/css":
            rule = ".deco-{n} {{ color: #{n:06x}; margin: {m}px; }}\n"
            css = "".join(rule.format(n=n, m=n % 17) for n in range(size // 40))
            return Page(200, kind, css.encode())
        return Page(200, kind, random.Random(path).randbytes(size))


def site_config(base_url: str, name: str = "demo-ads", render: Render = "browser") -> SiteConfig:
    """The shipped demo-ads config at ``base_url``; ``render="http"``: the classic pages."""
    if render == "browser":
        return shipped_config("demo-ads", base_url, name=name)
    shipped = shipped_config("demo-ads", base_url).selectors
    selectors = shipped.model_copy(update={"load_more": None, "next_page": "a.next"})
    return shipped_config(
        "demo-ads",
        base_url,
        name=name,
        start_paths=["/classic/list-1.html"],
        render="http",
        scrolls=0,
        reveal=[],
        selectors=selectors.model_dump(exclude_none=True),
    )


def _ads(world: World, count: int) -> tuple[DemoAd, ...]:
    ads: list[DemoAd] = []
    tid = 1
    while len(ads) < count and world.has_thread(tid):
        thread = world.thread(tid)
        if thread.type in TRADE_TYPES:
            post = world.post(tid, 0, thread)
            ad_id = 50_000 + tid
            contact, contact_handles = _contact(world.seed, ad_id)
            rng = random.Random(f"{world.seed}:price:{ad_id}")
            ads.append(
                DemoAd(
                    ad_id=ad_id,
                    title=thread.title,
                    author=post.author,
                    posted_at=post.posted_at,
                    price=f"单价 {7 + rng.randint(0, 40) / 100:.2f} 元/U",
                    text=post.text,
                    images=tuple("/uploads/" + path.rsplit("/", 1)[1] for path in post.images),
                    contact=contact,
                    body_handles=frozenset(post.handles),
                    contact_handles=contact_handles,
                )
            )
        tid += 1
    return tuple(ads)


def _contact(seed: int, ad_id: int) -> tuple[str, frozenset[tuple[str, str]]]:
    """The contact line "show contact" reveals, and its handles (canonical)."""
    rng = random.Random(f"{seed}:contact:{ad_id}")
    word = f"{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.randint(10, 999)}"
    style = rng.choice(("phone", "wechat", "phone+wechat", "telegram", "qq"))
    if style == "telegram":
        return f"TG: @{word}", frozenset({("telegram", word)})
    if style == "qq":
        number = str(rng.randint(100_000, 2_999_999_999))
        return f"QQ {number}", frozenset({("qq", number)})
    wechat = rng.choice(string.ascii_lowercase) + word
    if style == "wechat":
        return f"微信：{wechat}", frozenset({("wechat", wechat)})
    phone = _mobile(rng)
    spaced = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if style == "phone":
        return f"电话 {spaced}", frozenset({("phone", "+86" + phone)})
    return f"加微信 {wechat} / 电话 {spaced}", frozenset(
        {("wechat", wechat), ("phone", "+86" + phone)}
    )


def _mobile(rng: random.Random) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES.split()) + "".join(rng.choices(string.digits, k=8))
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")):
            return number


def _int(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _json(data: object) -> Page:
    return Page(200, JSON_TYPE, json.dumps(data, ensure_ascii=False).encode("utf-8"))


@lru_cache(maxsize=8)
def _noise_jpeg(width: int, height: int, seed: int) -> bytes:
    """A photo-sized JPEG of noise: expensive to send and to decode, as real banners are."""
    noise = random.Random(seed).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), noise).save(out, "JPEG", quality=85)
    return out.getvalue()


_HEAD = (
    '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
    "<title>{title} - 同城信息港</title>\n"
    '<link rel="stylesheet" href="/static/site.css">\n'
    '<style>@font-face {{ font-family: "AdSans"; src: url("/static/fonts/adsans.woff2") '
    'format("woff2"); }}\nbody {{ font-family: "AdSans", sans-serif; }}\n'
    "a.ad-card {{ display: block; height: 140px; }}</style>\n</head>\n<body>\n"
    '<header><img class="logo" src="/static/banners/logo.jpg" alt="信息港"></header>\n'
)
_FOOT = (
    '<aside><video src="/media/promo.mp4" autoplay muted playsinline></video></aside>\n'
    "{script}</body>\n</html>\n"
)
_LISTING_JS = """<script>
(function () {
  var list = document.getElementById("ad-list");
  var more = document.querySelector("button.load-more");
  var next = 0, loading = false, done = false;
  async function load() {
    if (loading || done) return;
    loading = true;
    try {
      var data = await (await fetch("/api/ads?page=" + next)).json();
      data.ads.forEach(function (ad) {
        var a = document.createElement("a");
        a.className = "ad-card"; a.href = ad.url;
        var img = document.createElement("img"); img.src = ad.thumb; a.appendChild(img);
        var t = document.createElement("span"); t.className = "card-title";
        t.textContent = ad.title + " " + ad.price; a.appendChild(t);
        list.appendChild(a);
      });
      next += 1;
      if (!data.more) { done = true; more.remove(); }
    } finally { loading = false; }
  }
  window.addEventListener("scroll", function () {
    if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 200) load();
  });
  more.addEventListener("click", load);
  load();
})();
</script>
"""
_REVEAL_JS = """<script>
document.querySelectorAll("button.show-contact").forEach(function (button) {
  button.addEventListener("click", async function (event) {
    if (STRICT && !event.isTrusted) return;
    var r = await fetch("/api/contact/" + button.dataset.ad,
                        {headers: {"X-Requested-With": "XMLHttpRequest"}});
    var data = await r.json();
    document.querySelector(".contact").textContent = data.contact;
    button.remove();
  });
});
</script>
"""


def _layout(title: str, content: str, script: str = "") -> str:
    return _HEAD.format(title=esc(title)) + content + "\n" + _FOOT.format(script=script)


def _listing() -> str:
    content = (
        '<h1>最新信息</h1>\n<div id="ad-list"></div>\n'
        '<button class="load-more" type="button">加载更多</button>'
    )
    return _layout("最新信息", content, _LISTING_JS)


def _ad_page(ad: DemoAd, heavy: bool, classic: bool, strict: bool = False) -> str:
    body = "".join(f"<p>{esc(line)}</p>" for line in ad.text.split("\n"))
    images = "".join(f'<img src="{path}" alt="收款码">' for path in ad.images)
    banners = "".join(
        f'<img class="banner" src="/static/banners/{ad.ad_id}-{n}.jpg" alt="">'
        for n in range(1, 4 if heavy else 2)
    )
    if classic:
        contact = f'<span class="contact">{esc(ad.contact)}</span>'
    else:
        contact = (
            f'<button class="show-contact" type="button" data-ad="{ad.ad_id}">查看联系方式'
            '</button> <span class="contact"></span>'
        )
    content = (
        f'<div class="banners">{banners}</div>\n<div class="ad" id="ad-{ad.ad_id}">\n'
        f'<h1 class="ad-title">{esc(ad.title)}</h1>\n'
        f'<div class="ad-meta">发布者 <span class="ad-author">{esc(ad.author)}</span> '
        f'<time class="ad-date" datetime="{ad.posted_at}">'
        f'{ad.posted_at[:16].replace("T", " ")}</time> <span class="ad-price">'
        f"{esc(ad.price)}</span></div>\n"
        f'<div class="ad-body">{body}</div>\n<div class="ad-images">{images}</div>\n'
        f'<div class="ad-contact">联系方式：{contact}</div>\n</div>'
    )
    script = "" if classic else _REVEAL_JS.replace("STRICT", "true" if strict else "false")
    return _layout(ad.title, content, script)
