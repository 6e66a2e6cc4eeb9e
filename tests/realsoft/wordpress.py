"""A real WordPress (Debian's ``wordpress`` package) served on a loopback port, for crawl tests.

``serve_wordpress(blog)`` makes a fresh MariaDB database (root, no password, 127.0.0.1:3306),
a docroot in a temporary folder that uses /usr/share/wordpress's code with a wp-config.php of
its own, installs WordPress with ``wp_install()`` and fills it through WordPress's PHP API
(``wordpress_php/build.php``), serves it with ``php -S`` (``wordpress_php/router.php`` does
what Apache's rewrite rules do), and on exit stops PHP and drops the database. WordPress never
reaches the internet: external HTTP is blocked, WP-Cron never spawns, the updater is off, mail
goes nowhere.

Debian's /usr/share/wordpress/wp-config.php reads /etc/wordpress/config-<host>.php; the docroot
avoids it by copying the top-level PHP files (small; PHP resolves symlinks in ``__DIR__``, so
``wp-load.php`` must be a copy to find the copy's wp-config.php) and linking ``wp-admin``,
``wp-includes`` and the themes.

Run ``python -m realsoft.wordpress DIR`` (from tests/) to save rendered pages into DIR.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realsoft.wordpress_blog import TIMEZONE, Blog, build_blog

WORDPRESS = Path("/usr/share/wordpress")
PHP_DIR = Path(__file__).parent / "wordpress_php"
DB_HOST, DB_PORT = "127.0.0.1", 3306
# Stock settings a site owner picks in Settings → Discussion / Reading, with small pages.
OPTIONS: dict[str, object] = {
    "timezone_string": TIMEZONE,
    "gmt_offset": "",
    "posts_per_page": 3,
    "thread_comments": 1,
    "thread_comments_depth": 5,
    "page_comments": 1,
    "comments_per_page": 5,
    "default_comments_page": "oldest",
    "comment_order": "asc",
    "default_pingback_flag": 0,
    "default_ping_status": "closed",
    "ping_sites": "",
}

_CONFIG = """<?php
// Written by tests/realsoft/wordpress.py for one test session.
define('DB_NAME', '{db}');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '{host}:{port}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
foreach (array('AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT',
               'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT') as $key) {{
    define($key, 'test-only ' . $key);
}}
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
// Never the internet: no outgoing HTTP but to this host, no cron spawned by page views,
// no update checks or automatic updates.
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_DEBUG', false);
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""


class Unavailable(Exception):
    """What this machine lacks to run WordPress (php, the package, MariaDB)."""


class WordPressError(RuntimeError):
    """WordPress, or this fixture, failed (a PHP error, a server that would not start)."""


@dataclass
class RunningWordPress:
    """A served, filled WordPress: its URL, and the ids and links WordPress gave the blog."""

    url: str
    docroot: Path
    database: str
    blog: Blog
    made: dict[str, dict[str, dict[str, Any]]]  # {"posts"|"comments": {key: {"id", "url"}}}
    log: Path

    def set_options(self, **options: object) -> None:
        """Change WordPress options (``default_comments_page="newest"``) while it serves."""
        _php("options.php", str(self.docroot), json.dumps(options))

    def get(self, path: str) -> str:
        """A page as WordPress serves it."""
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return str(response.read().decode("utf-8"))

    def comment_id(self, key: str) -> int:
        return int(self.made["comments"][key]["id"])

    def article_url(self, key: str) -> str:
        return str(self.made["posts"][key]["url"])


def missing() -> str | None:
    """Why WordPress cannot run here, or None."""
    if shutil.which("php") is None:
        return "php is not installed (apt-get install php-cli php-mysql)"
    if not (WORDPRESS / "wp-settings.php").exists():
        return f"{WORDPRESS} is missing (apt-get install wordpress)"
    modules = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False).stdout
    if "mysqli" not in modules.split():
        return "PHP has no mysqli (apt-get install php-mysql)"
    try:
        socket.create_connection((DB_HOST, DB_PORT), timeout=2).close()
    except OSError as exc:
        return f"MariaDB is not reachable at {DB_HOST}:{DB_PORT}: {exc}"
    return None


@contextmanager
def serve_wordpress(
    blog: Blog, options: dict[str, object] | None = None
) -> Iterator[RunningWordPress]:
    """WordPress with ``blog`` in it, served on a free loopback port until the block ends.

    Raises :class:`Unavailable` when this machine cannot run it, :class:`WordPressError` when
    WordPress or the fixture itself fails.
    """
    reason = missing()
    if reason:
        raise Unavailable(reason)
    database = f"wl_test_{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="wordpress-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        docroot = _make_docroot(folder / "docroot")
        log = folder / "php.log"
        url = stack.enter_context(_php_server(docroot, database, log))
        try:
            _php("database.php", "create", database, DB_HOST, str(DB_PORT))
        except WordPressError as exc:
            raise Unavailable(f"cannot create a MariaDB database: {exc}") from exc
        stack.callback(_php, "database.php", "drop", database, DB_HOST, str(DB_PORT))
        spec = folder / "blog.json"
        spec.write_text(json.dumps(blog.spec({**OPTIONS, **(options or {})})), "utf-8")
        made = json.loads(_php("build.php", str(docroot), str(spec)))
        running = RunningWordPress(url, docroot, database, blog, made, log)
        running.get("/")  # installed and serving
        yield running


def _make_docroot(docroot: Path) -> Path:
    docroot.mkdir()
    for entry in WORDPRESS.iterdir():
        if entry.suffix == ".php" and entry.name != "wp-config.php":
            shutil.copy(entry, docroot / entry.name)
    for name in ("wp-admin", "wp-includes"):
        (docroot / name).symlink_to(WORDPRESS / name)
    content = docroot / "wp-content"
    (content / "plugins").mkdir(parents=True)  # no plugins: a stock blog with Akismet off
    (content / "themes").symlink_to(WORDPRESS / "wp-content" / "themes")
    return docroot


def _php(script: str, *args: str) -> str:
    proc = subprocess.run(
        ["php", str(PHP_DIR / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise WordPressError(f"{script} failed: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    return proc.stdout


@contextmanager
def _php_server(docroot: Path, database: str, log: Path) -> Iterator[str]:
    """``php -S`` on a free port, with wp-config.php naming its URL; yields the URL.

    A few workers: the built-in server is single-threaded otherwise. A port taken between
    choosing and binding it is retried on another.
    """
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
    for _attempt in range(5):
        with socket.socket() as sock:
            sock.bind((DB_HOST, 0))
            port = int(sock.getsockname()[1])
        url = f"http://{DB_HOST}:{port}"
        config = _CONFIG.format(db=database, host=DB_HOST, port=DB_PORT, url=url)
        (docroot / "wp-config.php").write_text(config, encoding="utf-8")
        command = [
            "php",
            "-d", "display_errors=0",
            "-d", "log_errors=1",
            "-d", f"error_log={log}",
            "-S", f"{DB_HOST}:{port}",
            "-t", str(docroot),
            str(PHP_DIR / "router.php"),
        ]  # fmt: skip
        with log.open("ab") as out:
            server = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        try:
            if _listening(port, server):
                yield url
                return
        finally:
            _stop(server)
    raise WordPressError(f"php -S did not start: {log.read_text(errors='replace')[-2000:]}")


def _listening(port: int, server: subprocess.Popen[bytes]) -> bool:
    """Wait until ``server`` accepts connections on ``port``; False if it exited."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            socket.create_connection((DB_HOST, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.02)
    raise WordPressError(f"php -S did not listen on port {port} within 30 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers: the process group it leads (ours alone)."""
    with suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def save_pages(folder: Path) -> None:
    """Save the rendered index and an article's comment pages 1 and 2, for parse tests."""
    folder.mkdir(parents=True, exist_ok=True)
    with serve_wordpress(build_blog()) as wordpress:
        article = wordpress.article_url("a1").removeprefix(wordpress.url)
        pages = {
            "index.html": "/",
            "post-comments-page-1.html": article,
            "post-comments-page-2.html": f"{article}comment-page-2/",
        }
        lines = [
            "# Pages of a stock WordPress",
            "",
            "Rendered by Debian's `wordpress` package (6.1) with its default theme, Twenty",
            "Twenty-Three, filled with the blog of `tests/realsoft/wordpress_blog.py` (site",
            f"time zone {TIMEZONE}; 3 posts per index page, 5 top-level comments per page,",
            "oldest first).",
            "Saved by `cd tests && python -m realsoft.wordpress pages/wordpress`, from:",
            "",
        ]
        for name, path in pages.items():
            (folder / name).write_text(wordpress.get(path), encoding="utf-8")
            lines.append(f"- `{name}`: {wordpress.url}{path}")
        (folder / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    save_pages(Path(sys.argv[1]))
