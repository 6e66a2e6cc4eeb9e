"""A real Spirit forum (``django-spirit`` from PyPI) served on 127.0.0.1 for end-to-end crawls.

The project is made the way Spirit's docs make one (``startproject`` from Spirit's project
template), with a settings module for a throw-away run: SQLite in the project folder, DEBUG off,
``ALLOWED_HOSTS`` 127.0.0.1, in-memory caches. It is migrated, filled with a
``spirit_world.Plan`` by ``spirit_seed.py`` and served by Django's ``runserver --noreload`` in a
subprocess. Everything lives in the folder it is given.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from realsoft.spirit_world import Plan

PROJECT = "otcforum"
FIXED_BASE = "http://127.0.0.1:8000"  # in saved pages
SETTINGS = f"{PROJECT}.settings.fixture"
SEED_SCRIPT = Path(__file__).with_name("spirit_seed.py")
MAP_SCRIPT = """
import json, django
django.setup()
from spirit.category.models import Category
from spirit.topic.models import Topic
print(json.dumps({
    "categories": {c.title: c.get_absolute_url() for c in Category.objects.all()},
    "topics": {t.title: t.get_absolute_url() for t in Topic.objects.all()},
}))
"""


def missing() -> str | None:
    """Why the forum cannot run here (None when Django and Spirit are installed)."""
    for module, package in (("django", "Django"), ("spirit", "django-spirit")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install -c constraints.txt -e '.[dev]')"
    return None


@dataclass(frozen=True)
class SpiritForum:
    """A running Spirit forum: where it is and what it holds."""

    base_url: str
    plan: Plan
    category_paths: dict[str, str]  # category title → its listing's path
    topic_paths: dict[str, str]  # topic title → its page's path
    folder: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def get(self, path: str) -> str:
        """The HTML the forum serves an anonymous visitor at ``path``."""
        with urllib.request.urlopen(self.url(path), timeout=30) as response:
            body: bytes = response.read()
        return body.decode("utf-8")


@contextmanager
def running_forum(folder: Path, plan: Plan) -> Iterator[SpiritForum]:
    """Create, migrate, fill and serve a Spirit project in ``folder``; stop it on exit."""
    _create_project(folder, plan)
    env = {**os.environ, "PYTHONPATH": str(folder), "DJANGO_SETTINGS_MODULE": SETTINGS}
    _run([sys.executable, "-m", "django", "migrate", "--no-input", "-v", "0"], folder, env)
    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(plan.as_json(), ensure_ascii=False), encoding="utf-8")
    _run([sys.executable, str(SEED_SCRIPT), str(plan_file)], folder, env)
    site_map = json.loads(_run([sys.executable, "-c", MAP_SCRIPT], folder, env))
    server, port = _serve(folder, env)
    try:
        yield SpiritForum(
            f"http://127.0.0.1:{port}", plan, site_map["categories"], site_map["topics"], folder
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _serve(folder: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """``runserver`` on a free port, once it answers; another port if that one was taken."""
    log_path = folder / "server.log"
    for _ in range(3):
        port = _free_port()
        with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
            server = subprocess.Popen(
                [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if _answers(f"http://127.0.0.1:{port}/", server):
            return server, port
        server.kill()
        server.wait()
    raise RuntimeError(f"runserver did not start:\n{log_path.read_text(errors='replace')}")


def _create_project(folder: Path, plan: Plan) -> None:
    import spirit.extra

    template = Path(spirit.extra.__file__).parent / "project_template"
    folder.mkdir(parents=True, exist_ok=True)
    _run(
        [sys.executable, "-m", "django", "startproject", f"--template={template}", PROJECT, "."],
        folder,
        {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    settings = folder / PROJECT / "settings" / "fixture.py"
    settings.write_text(
        f'''"""Throw-away settings for the crawl tests: SQLite here, DEBUG off, no e-mail."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "spirit-fixture-only"
ALLOWED_HOSTS = ["127.0.0.1"]
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(BASE_DIR, "db.sqlite3"),
        # Every page view writes (view counts): let concurrent requests wait, not fail.
        "OPTIONS": {{"timeout": 30, "transaction_mode": "IMMEDIATE"}},
    }}
}}
CACHES = {{
    "default": {{"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    "st_rate_limit": {{
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "spirit_rl_cache",
        "TIMEOUT": None,
    }},
}}
TIME_ZONE = {plan.time_zone!r}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ST_SITE_URL = "http://127.0.0.1/"
LOGGING["loggers"][""]["handlers"] = ["console"]
LOGGING["loggers"]["django"]["handlers"] = ["console"]
''',
        encoding="utf-8",
    )


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str, server: subprocess.Popen[bytes]) -> bool:
    """Whether the server answers ``url`` within 60 s (False as soon as it exits)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=30):
                return True
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    return False


def save_pages(forum: SpiritForum, folder: Path) -> list[Path]:
    """Save pages for parse tests: a middle listing page, a topic's pages 1 and 2.

    The forum's port in absolute links (the share box) is written as 8000 and the CSRF token as
    "fixed", so that the saved pages are the same from one run to the next.
    """
    plan = forum.plan
    listing = forum.category_paths[plan.crawled_category]
    topic = forum.topic_paths[plan.crawled_topics()[0].title]
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for name, path in (
        ("category-2.html", f"{listing}?page=2"),
        ("topic-1.html", topic),
        ("topic-2.html", f"{topic}?page=2"),
    ):
        html = forum.get(path)
        for text, fixed in (
            (forum.base_url, FIXED_BASE),
            (quote(forum.base_url, ""), quote(FIXED_BASE, "")),
        ):
            html = html.replace(text, fixed)
        html = re.sub(r'csrfToken: "[^"]*"', 'csrfToken: "fixed"', html)
        (folder / name).write_text(html, encoding="utf-8")
        saved.append(folder / name)
    return saved


if __name__ == "__main__":  # python -m realsoft.spirit_app PAGES_DIR (from tests/)
    import tempfile

    from realsoft.spirit_world import build

    with tempfile.TemporaryDirectory() as scratch, running_forum(Path(scratch), build()) as forum:
        for page in save_pages(forum, Path(sys.argv[1])):
            print(page)
