"""The review queue: its order, filters and resume in the store; every key through Textual's Pilot.

The store is filled through the real ingest (``review_seed``); the app runs headless at 80×24
(``app.run_test``) and the tests read what it drew and what it wrote to ``reviews``/``changes``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from review_seed import RLO, ZWSP, post, seed
from sqlmodel import col, select
from textual.binding import Binding

from watchlist.review.app import QueueScreen, ReviewApp
from watchlist.review.session import ReviewSession
from watchlist.store import Store, open_store, save_posts, set_status
from watchlist.store.allowlist import AllowItem, allow
from watchlist.store.clusters import entry_cluster
from watchlist.store.entry_view import entry_view
from watchlist.store.queue import QueueFilter, band_ids
from watchlist.store.review import undo
from watchlist.store.tables import Change, Entry, Review

Scenario = Callable[["Pilot"], Awaitable[None]]


class Pilot:
    """Keys in, screen text out: a thin layer over Textual's pilot."""

    def __init__(self, app: ReviewApp, pilot: object) -> None:
        self.app, self.pilot = app, pilot

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)  # type: ignore[attr-defined]
        await self.pilot.pause()  # type: ignore[attr-defined]

    def screen(self) -> str:
        """What the terminal shows now, line by line."""
        return "\n".join(strip.text for strip in self.app.screen._compositor.render_strips())


def drive(session: ReviewSession, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        app = ReviewApp(session)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(Pilot(app, pilot))

    asyncio.run(main())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> str:
    """A fresh database: SQLite, and PostgreSQL where it runs (the store-level tests)."""
    return str(
        request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    )


@pytest.fixture
def store(sqlite_url: str) -> Store:
    seed(sqlite_url)
    return open_store(sqlite_url)


@pytest.fixture
def any_store(any_db: str) -> Store:
    seed(any_db)
    return open_store(any_db)


def ids_of(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {e.value: int(e.id or 0) for e in session.exec(select(Entry))}


def opened(store: Store, reviewer: str = "alice", **filters: object) -> ReviewSession:
    session = ReviewSession(store, reviewer, QueueFilter(**filters))  # type: ignore[arg-type]
    session.open()
    return session


def reviews(store: Store, entry_id: int | None = None) -> list[Review]:
    with store.read() as session:
        query = select(Review).order_by(col(Review.id))
        if entry_id is not None:
            query = query.where(Review.entry_id == entry_id)
        return list(session.exec(query))


def changes(store: Store) -> list[tuple[int, str]]:
    with store.read() as session:
        return [(c.entry_id, c.op) for c in session.exec(select(Change).order_by(col(Change.seq)))]


def status(store: Store, entry_id: int) -> str:
    with store.read() as session:
        entry = session.get(Entry, entry_id)
        assert entry is not None
        return entry.status


def walk(session: ReviewSession) -> list[int]:
    """Every id of the queue, loading each band (as the reviewer would by walking it)."""
    while session._bands:
        session._load_next()
    return list(session.ids)


# --- the store side: order, filters, exclusions, resume -------------------------------------


def test_order_is_score_band_then_role_then_sites_sightings_and_recency(any_db: str) -> None:
    # band 0.5–0.6: reported scores above offered, yet offered comes first, mentioned last;
    # band 0.9: two offered entries, the one on two sites first though it scores less.
    store = open_store(any_db)
    save_posts(
        store,
        [
            post(
                "http://a.test/1",
                "a",
                "U 13800138000",
                0.5,
                [("phone", "+8613800138000", "13800138000", "offered")],
            ),
            post(
                "http://a.test/2",
                "a",
                "U 13900139000",
                0.6,
                [("phone", "+8613900139000", "13900139000", "reported")],
            ),
            post(
                "http://a.test/3",
                "a",
                "U 13700137000",
                1.0,
                [("phone", "+8613700137000", "13700137000", "mentioned")],
            ),
            post(
                "http://a.test/4",
                "a",
                "U 13600136000",
                0.99,
                [("phone", "+8613600136000", "13600136000", "offered")],
            ),
            post(
                "http://a.test/5",
                "a",
                "U 13500135000",
                0.91,
                [("phone", "+8613500135000", "13500135000", "offered")],
            ),
            post(
                "http://b.test/5",
                "b",
                "U 13500135000",
                0.91,
                [("phone", "+8613500135000", "13500135000", "offered")],
            ),
        ],
    )
    ids = ids_of(store)
    order = walk(opened(store))
    expected = [
        "+8613500135000",
        "+8613600136000",
        "+8613800138000",
        "+8613900139000",
        "+8613700137000",
    ]
    assert order == [ids[v] for v in expected]


def test_allowlisted_values_and_decided_entries_never_enter_the_queue(any_store: Store) -> None:
    store = any_store
    ids = ids_of(store)
    allow(store, [AllowItem("wechat", "usdt_king88", "our own merchant")], "admin")
    set_status(store, [ids["12345678"]], "dismissed", "bob", reason="not-otc")
    queue = walk(opened(store))
    assert ids["usdt_king88"] not in queue and ids["12345678"] not in queue
    assert opened(store).total == len(queue) == 7


def test_filters_narrow_the_queue_by_kind_site_score_cluster_and_rereview(any_store: Store) -> None:
    store = any_store
    ids = ids_of(store)
    assert set(walk(opened(store, kinds=("wechat",)))) == {ids["usdt_king88"], ids["evil_seller"]}
    assert set(walk(opened(store, site="forum-a"))) == {
        ids[v]
        for v in (
            "+8613800138000",
            "usdt_king88",
            "2088123412341234",
            "TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq",
        )
    }
    assert all(entry_view(store, i).entry.score >= 0.8 for i in walk(opened(store, min_score=0.8)))
    cluster = entry_cluster(store, ids["+8613800138000"])
    assert cluster is not None
    members = set(walk(opened(store, cluster=cluster)))
    assert {ids["usdtking"], ids["usdt_king88"]} <= members and ids["evil_seller"] not in members
    # a dismissed handle that a new seller's ad shows again is offered for re-review
    set_status(store, [ids["evil_seller"]], "dismissed", "bob", reason="not-otc")
    assert walk(opened(store, rereview=True)) == []
    save_posts(
        store,
        [
            post(
                "http://forum-c.test/t/4#p1",
                "forum-c",
                "出U 微信 evil_seller",
                0.9,
                [("wechat", "evil_seller", "evil_seller", "offered")],
            )
        ],
    )
    assert walk(opened(store, rereview=True)) == [ids["evil_seller"]]
    assert ids["evil_seller"] not in walk(opened(store))


def test_quitting_and_opening_again_resumes_at_the_same_entry_or_the_next(any_store: Store) -> None:
    store = any_store
    first = opened(store)
    first.move(1)
    first.move(1)
    here = first.current
    assert here is not None and here != first.ids[0]
    again = opened(store)
    assert again.current == here
    # someone else decides that entry meanwhile: the queue resumes at the one after it
    after = walk(again)[walk(again).index(here) + 1]
    set_status(store, [here], "dismissed", "bob", reason="test-data")
    assert opened(store).current == after
    # another filter has its own position; --from-top ignores the saved one
    assert opened(store, kinds=("qq",)).current == ids_of(store)["12345678"]
    top = ReviewSession(store, "alice")
    top.open(resume=False)
    assert top.pos == 0


def test_ingest_keeps_each_entry_s_strongest_role(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    save_posts(
        store,
        [
            post(
                "http://a.test/1",
                "a",
                "13800138000?",
                0.9,
                [("phone", "+8613800138000", "13800138000", "mentioned")],
            )
        ],
    )
    assert entry_view(store, 1).entry.best_role == "mentioned"
    save_posts(
        store,
        [
            post(
                "http://a.test/2",
                "a",
                "出U 13800138000",
                0.9,
                [("phone", "+8613800138000", "13800138000", "offered")],
            )
        ],
    )
    assert entry_view(store, 1).entry.best_role == "offered"


# --- the app: every key --------------------------------------------------------------------


def test_the_queue_shows_the_entry_its_evidence_and_the_other_handles_of_its_posts(
    store: Store,
) -> None:
    ids = ids_of(store)
    session = opened(store)

    async def scenario(p: Pilot) -> None:
        screen = p.screen()
        assert "#{} phone +8613800138000".format(ids["+8613800138000"]) in screen
        assert "roles 2 offered · 0 reported · 0 mentioned" in screen
        assert "2 sites: forum-a, forum-b" in screen
        assert "[offered] forum-a · 老王 · 2026-11-30 11:00 · from the text" in screen
        assert "http://forum-a.test/t/1#p1" in screen
        assert "also in these posts (4)" in screen and "usdt_king88 new" in screen
        assert "operator cluster" in screen and "none confirmed" in screen
        assert "1/9" in screen.splitlines()[0]
        while session.current != ids["https://qr.alipay.com/fkx12345abcde"]:
            await p.press("j")
        assert "from a QR image" in p.screen()
        assert "QR image http://forum-c.test/img/qr.png" in p.screen()

    drive(session, scenario)


def test_c_confirms_at_once_with_the_reviewer_and_moves_to_the_next_entry(store: Store) -> None:
    session = opened(store)
    first, second = session.ids[0], session.ids[1]

    async def scenario(p: Pilot) -> None:
        await p.press("c")
        assert f"#{first} new → confirmed" in p.screen()
        assert f"#{second} " in p.screen() and "✓ 1" in p.screen().splitlines()[0]

    drive(session, scenario)
    assert status(store, first) == "confirmed"
    row = reviews(store, first)[-1]
    assert (row.action, row.from_status, row.to_status, row.reviewer) == (
        "confirm",
        "new",
        "confirmed",
        "alice",
    )
    assert changes(store) == [(first, "upsert")]


def test_d_asks_a_reason_code_and_writes_it_with_the_dismissal(store: Store) -> None:
    session = opened(store)
    first = session.ids[0]

    async def scenario(p: Pilot) -> None:
        await p.press("d")
        for code in ("not-otc", "victim-or-warning", "platform-own", "test-data", "other"):
            assert code in p.screen()
        await p.press("2")
        assert f"#{first} new → dismissed" in p.screen()

    drive(session, scenario)
    row = reviews(store, first)[-1]
    assert (row.action, row.to_status, row.reason) == ("dismiss", "dismissed", "victim-or-warning")
    assert changes(store) == []  # never confirmed: nothing for the enforcement side


def test_escape_on_the_reason_screen_dismisses_nothing(store: Store) -> None:
    session = opened(store)

    async def scenario(p: Pilot) -> None:
        await p.press("d", "escape")

    drive(session, scenario)
    assert reviews(store) == []


def test_s_skips_n_notes_and_j_k_and_arrows_move(store: Store) -> None:
    session = opened(store)
    first, second, third = session.ids[:3]

    async def scenario(p: Pilot) -> None:
        await p.press("s")
        assert session.current == second
        await p.press("n")
        await p.pilot.press(*"same seller as #12")  # type: ignore[attr-defined]
        await p.press("enter")
        assert "note: same seller as #12" in p.screen()
        await p.press("j")
        assert session.current == third
        await p.press("k", "up")
        assert session.current == first
        await p.press("down", "down")
        assert session.current == third

    drive(session, scenario)
    assert status(store, first) == "new"
    note = reviews(store, second)[-1]
    assert (note.action, note.note, note.to_status) == ("note", "same seller as #12", "new")


def test_e_shows_every_sighting_and_o_the_operator_cluster(store: Store) -> None:
    session = opened(store)

    async def scenario(p: Pilot) -> None:
        await p.press("e")
        screen = p.screen()
        assert "every sighting (2)" in screen
        assert "http://forum-a.test/t/1#p1" in screen and "http://forum-b.test/t/9#p3" in screen
        await p.press("escape", "o")
        screen = p.screen()
        assert "operator cluster" in screen and "5 entries (5 new)" in screen
        for value in (
            "usdt_king88",
            "2088123412341234",
            "usdtking",
            "TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq",
        ):
            assert value in screen
        await p.press("escape")
        assert isinstance(p.app.screen, QueueScreen)

    drive(session, scenario)


def test_batch_by_site_prompts_with_how_many_and_which_kinds_then_decides_each(
    store: Store,
) -> None:
    ids = ids_of(store)
    session = opened(store)
    forum_a = {
        ids[v]
        for v in (
            "+8613800138000",
            "usdt_king88",
            "2088123412341234",
            "TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq",
        )
    }

    async def scenario(p: Pilot) -> None:
        await p.press("C")
        assert "1 site forum-a" in p.screen() and "2 site forum-b" in p.screen()
        await p.press("1")
        screen = p.screen()
        assert "Confirm every new entry of site forum-a?" in screen
        assert "4 entries: 1 alipay, 1 phone, 1 tron, 1 wechat" in screen
        await p.press("n")  # no: nothing happens
        assert reviews(store) == []
        await p.press("C", "1", "y")

    drive(session, scenario)
    rows = reviews(store)
    assert {r.entry_id for r in rows} == forum_a and len(rows) == 4
    assert len({r.batch for r in rows}) == 1
    assert {status(store, i) for i in forum_a} == {"confirmed"}


def test_batch_dismiss_of_a_cluster_asks_a_reason_and_z_undoes_the_whole_batch(
    store: Store,
) -> None:
    ids = ids_of(store)
    session = opened(store)
    cluster = entry_cluster(store, ids["+8613800138000"])

    async def scenario(p: Pilot) -> None:
        await p.press("o", "D", "4")
        assert "Dismiss every new entry of cluster" in p.screen() and "5 entries" in p.screen()
        assert "reason: test-data" in p.screen()
        await p.press("y")
        assert "5 of 5 entries decided" in p.screen()
        await p.press("z")
        assert "undone: 5 of 5 entries" in p.screen()

    drive(session, scenario)
    assert cluster is not None
    decided = [r for r in reviews(store) if r.action == "dismiss"]
    assert len(decided) == 5 and {r.reason for r in decided} == {"test-data"}
    assert len([r for r in reviews(store) if r.action == "undo"]) == 5
    assert all(status(store, r.entry_id) == "new" for r in decided)


def test_z_undoes_a_confirmation_for_the_enforcement_side_too(store: Store) -> None:
    session = opened(store)
    first = session.ids[0]

    async def scenario(p: Pilot) -> None:
        await p.press("c", "z")
        assert f"undone: #{first} confirmed → new" in p.screen()
        assert session.current == first
        await p.press("z")
        assert "nothing to undo" in p.screen()

    drive(session, scenario)
    assert status(store, first) == "new"
    assert changes(store) == [(first, "upsert"), (first, "remove")]


def test_four_eyes_an_entry_is_confirmed_only_by_a_second_different_reviewer(store: Store) -> None:
    alice = ReviewSession(store, "alice", four_eyes=True)
    alice.open()
    first = alice.ids[0]

    async def alice_confirms(p: Pilot) -> None:
        await p.press("c")
        assert "confirmed once: awaiting a second reviewer" in p.screen()
        await p.press("k")
        assert "awaiting a second review (confirmed by alice)" in p.screen()
        await p.press("c")
        assert "a second, different reviewer must" in p.screen()

    drive(alice, alice_confirms)
    assert status(store, first) == "new" and changes(store) == []
    assert first not in walk(opened(store, "alice"))  # it waits for someone else
    bob = ReviewSession(store, "bob", four_eyes=True)
    bob.open()
    assert bob.current == first

    async def bob_confirms(p: Pilot) -> None:
        assert "awaiting a second review (confirmed by alice)" in p.screen()
        await p.press("c")

    drive(bob, bob_confirms)
    assert status(store, first) == "confirmed" and changes(store) == [(first, "upsert")]
    assert [r.action for r in reviews(store, first)] == ["first-confirm", "confirm"]
    # undoing bob's confirmation leaves it awaiting a second review again
    undo(store, reviews(store, first)[-1].batch or "", "bob")
    assert entry_view(store, first).awaiting and status(store, first) == "new"


def test_hostile_page_text_is_shown_inertly_with_bidi_and_zero_width_made_visible(
    store: Store,
) -> None:
    ids = ids_of(store)
    session = opened(store)

    async def scenario(p: Pilot) -> None:
        while session.current != ids["evil_seller"]:
            await p.press("j")
        screen = p.screen()
        assert "⟨U+202E⟩" in screen and "⟨U+200B⟩" in screen
        assert "[bold red]FAKE[/bold red]" in screen  # markup shown as text, not applied
        assert RLO not in screen and ZWSP not in screen and "\x1b" not in screen
        strips = p.app.screen._compositor.render_strips()
        styled = [seg for strip in strips for seg in strip if "evil_seller" in seg.text]
        assert any(seg.style and seg.style.reverse for seg in styled)  # the exact span

    drive(session, scenario)


def test_at_80_by_24_the_footer_shows_every_key_and_long_text_wraps(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    long = "出U " + "长期承兑白U秒放 " * 30 + "电话 13800138000 " + "量大从优 " * 30
    save_posts(
        store,
        [
            post(
                "http://a.test/1",
                "a",
                long,
                0.9,
                [("phone", "+8613800138000", "13800138000", "offered")],
            )
        ],
    )
    session = opened(store)

    async def scenario(p: Pilot) -> None:
        lines = p.screen().splitlines()
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        footer = lines[-1]
        for key in (
            "c confirm",
            "d dismiss",
            "s skip",
            "n note",
            "e all",
            "o cluster",
            "C/D batch",
            "z undo",
            "? help",
            "q quit",
        ):
            assert key in footer
        await p.press("e")
        text = "".join(line.strip() for line in p.screen().splitlines())
        assert "13800138000" in text  # the full snippet, wrapped over lines
        await p.press("escape", "question_mark")
        assert "undo your last decision" in p.screen()

    drive(session, scenario)


def test_a_move_swaps_the_entry_without_a_layout_and_a_scrolled_entry_s_successor_starts_at_top(
    sqlite_url: str,
) -> None:
    store = open_store(sqlite_url)
    numbers = [str(123450 + n) for n in range(10)]
    text = "出U 白U QQ " + " ".join(numbers)
    handles = [("qq", n, n, "offered") for n in numbers]
    save_posts(store, [post(f"http://a.test/{n}", "a", text, 0.9, handles) for n in (1, 2)])
    session = opened(store)  # ten entries, each with nine others in its posts: taller than 80×24

    async def scenario(p: Pilot) -> None:
        screen = p.app.screen
        layouts: list[bool] = []
        refresh_layout = screen._refresh_layout

        def counted(size: object = None, scroll: bool = False) -> None:
            layouts.append(scroll)
            refresh_layout(size, scroll)  # type: ignore[arg-type]

        screen._refresh_layout = counted  # type: ignore[method-assign]
        for _ in range(3):
            here = session.current
            await p.press("j")
            assert session.current != here and f"#{session.current} qq " in p.screen()
        assert layouts == []  # only the panel's lines and the status lines were redrawn
        await p.press("pagedown")
        assert f"#{session.current} qq " not in p.screen()  # scrolled past the entry's head
        assert "also in these posts (9)" in p.screen()
        await p.press("j")
        assert p.screen().splitlines()[1].startswith(f" #{session.current} qq ")

    drive(session, scenario)
    store.close()


def test_q_quits_and_the_end_of_the_queue_says_so(store: Store) -> None:
    session = opened(store, kinds=("qq",))

    async def scenario(p: Pilot) -> None:
        await p.press("j")
        assert "End of the queue" in p.screen()
        await p.press("q")

    drive(session, scenario)


def test_the_store_refuses_an_unknown_reason_code(store: Store) -> None:
    from watchlist.errors import UsageError

    with pytest.raises(UsageError, match="victim-or-warning"):
        set_status(store, [1], "dismissed", "alice", reason="because")
    assert band_ids(store, QueueFilter(), "alice", 9)


def test_the_review_package_reads_no_store_in_its_widgets() -> None:
    root = Path(__file__).resolve().parent.parent / "watchlist" / "review"
    for name in ("panels.py", "screens.py"):
        source = (root / name).read_text(encoding="utf-8")
        assert "store.read(" not in source and "store.write(" not in source, name


def test_docs_review_shows_the_queue_at_80_by_24_and_documents_every_key() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "review.md").read_text("utf-8")
    capture = doc.split("```\n review · ", 1)[1].split("```", 1)[0].splitlines()
    assert len(capture) == 24 and max(len(line) for line in capture) <= 80
    for binding in QueueScreen.BINDINGS:
        assert isinstance(binding, Binding)
        for key in (binding.key_display or binding.key).replace("question_mark", "?").split(","):
            shown_as = {"down": "↓", "up": "↑", "pageup": "PgUp", "pagedown": "PgDn"}.get(key, key)
            assert f"`{shown_as.split('/')[0]}`" in doc, key
