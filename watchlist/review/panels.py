"""What the queue's panels say, as Rich ``Text`` built from the data they are handed.

Every string that came from a crawled page (values, authors, titles, URLs, snippets, site
names) and every note goes through :func:`shown`: Rich ``Text`` is never parsed for markup,
and controls, bidi overrides and zero-width characters are replaced by a visible name such as
``⟨U+202E⟩`` — so nothing a page holds can restyle, reorder or hide what the reviewer reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from watchlist.inert import UNSAFE
from watchlist.store.entry_sql import EntryFacts, EntryView, Evidence
from watchlist.store.queue_sql import REASONS, BatchPreview

if TYPE_CHECKING:
    from watchlist.store.tables import Entry

CONTEXT = 60  # characters of snippet shown each side of the handle in the queue's view
STATUS_STYLE = {"new": "bold", "confirmed": "bold green", "dismissed": "bold red"}
HANDLE_STYLE = "bold reverse"
REASON_HELP = {
    "not-otc": "not an OTC seller or payee",
    "victim-or-warning": "a victim's handle, or quoted in a warning",
    "platform-own": "the platform's own account or domain",
    "test-data": "test or demo data",
    "other": "anything else (add a note with n)",
}


def shown(text: str | None) -> str:
    """Scraped ``text`` on one line, each unsafe character shown as ``⟨U+XXXX⟩``."""
    out = UNSAFE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text or "")
    return out.replace("\r\n", "\n").replace("\n", " ⏎ ").replace("\t", " ")


def _join(*parts: Text | str) -> Text:
    out = Text()
    for part in parts:
        out.append(part if isinstance(part, Text) else Text(part))
    return out


def status_text(entry: EntryFacts | Entry, *, rereview: bool = False) -> Text:
    """The entry's status, with four-eyes and re-review marks."""
    out = Text(entry.status, style=STATUS_STYLE.get(entry.status, ""))
    if entry.first_confirmed_by is not None and entry.status != "confirmed":
        out.append(f" · awaiting a second review (confirmed by {shown(entry.first_confirmed_by)})")
    if rereview:
        out.append(" · ⚑ flagged for re-review: seen again in a seller's post", style="yellow")
    return out


def entry_text(view: EntryView) -> Group:
    """The whole per-entry panel: facts, best evidence, other handles in the same posts."""
    entry = view.entry
    out = Text()
    out.append(f"#{entry.id} ", style="dim")
    out.append(f"{entry.kind} ", style="bold")
    out.append(shown(entry.value), style="bold cyan")
    out.append("\n")
    out.append(_join("status ", status_text(entry, rereview=view.rereview)))
    out.append(f" · score {entry.score:.2f}\n")
    roles = " · ".join(f"{view.roles.get(r, 0)} {r}" for r in ("offered", "reported", "mentioned"))
    out.append(f"roles {roles} · provider {shown(', '.join(view.providers)) or '-'}\n")
    sites = [s for s in entry.sites.split(",") if s]
    out.append(
        f"seen {str(entry.first_seen)[:10]} → {str(entry.last_seen)[:10]} · "
        f"{entry.sightings} sighting{'' if entry.sightings == 1 else 's'} · "
        f"{len(sites)} site{'' if len(sites) == 1 else 's'}: {shown(', '.join(sites)) or '-'}\n"
    )
    if view.cluster is not None:
        c = view.cluster
        kinds = ", ".join(f"{n} {k}" for k, n in c.kinds.items())
        confirmed = c.statuses.get("confirmed", 0)
        out.append(f"operator cluster {c.id}: {c.size} entries ({kinds})")
        out.append(
            f" · {confirmed} confirmed" if confirmed else " · none confirmed",
            style="bold green" if confirmed else "",
        )
        out.append("\n")
    if view.enforcement:
        said = " · ".join(f"{shown(e.target)}: {e.result}" for e in view.enforcement)
        out.append(f"enforcement {said}\n", style="magenta")
    if entry.note:
        out.append(f"note: {shown(entry.note)}\n", style="italic")
    out.append(
        f"\nevidence: best {len(view.evidence)} of {view.evidence_total} (e: all)",
        style="underline",
    )
    parts: list[RenderableType] = [out]
    for evidence in view.evidence:
        parts.extend(evidence_parts(evidence, CONTEXT))
    parts.append(neighbours_text(view))
    return Group(*parts)


def evidence_parts(evidence: Evidence, context: int | None) -> list[RenderableType]:
    """One sighting: where, who, when, role and source, then the snippet, handle highlighted."""
    sighting, post = evidence.sighting, evidence.post
    head = Text()
    head.append(f"[{sighting.role}] ", style="bold magenta")
    posted = str(post.posted_at)[:16] if post.posted_at else "time unknown"
    source = "the text" if sighting.source == "text" else "a QR image"
    head.append(f"{shown(post.site)} · {shown(post.author) or '?'} · {posted} · from {source}")
    body = Text(shown(post.url), style="cyan")
    if sighting.source != "text":
        body.append(f"\nQR image {shown(sighting.source)}", style="cyan")
    if post.title:
        body.append(f"\n{shown(post.title)}", style="dim")
    body.append("\n")
    body.append(snippet_text(sighting.snippet, *evidence.highlight, context))
    return [head, Padding(body, (0, 0, 0, 2))]


def snippet_text(snippet: str, start: int, end: int, context: int | None) -> Text:
    """``snippet`` with ``snippet[start:end]`` highlighted, ``context`` characters each side."""
    start, end = max(0, min(start, len(snippet))), max(0, min(end, len(snippet)))
    before, handle, after = snippet[:start], snippet[start:end], snippet[end:]
    if context is not None:
        before = ("…" + before[-context:]) if len(before) > context else before
        after = (after[:context] + "…") if len(after) > context else after
    return _join(shown(before), Text(shown(handle), style=HANDLE_STYLE), shown(after))


def neighbours_text(view: EntryView) -> Text:
    """The other handles seen in the same posts, with their statuses."""
    out = Text()
    if not view.others:
        out.append("\nno other handle in these posts", style="dim")
        return out
    out.append(f"\nalso in these posts ({view.others_total}):\n", style="underline")
    for other in view.others:
        out.append(f"  #{other.id} {other.kind} ", style="dim")
        out.append(shown(other.value))
        out.append(" ")
        out.append(other.status, style=STATUS_STYLE.get(other.status, ""))
        if other.awaiting:
            out.append(" (awaiting 2nd)")
        out.append(f" · {other.shared_posts} post{'' if other.shared_posts == 1 else 's'}\n")
    if view.others_total > len(view.others):
        out.append(f"  … and {view.others_total - len(view.others)} more\n", style="dim")
    return out


def sightings_text(view: EntryView) -> Group:
    """Every sighting of an entry, in full (the ``e`` screen)."""
    entry = view.entry
    head = _join(
        Text(f"#{entry.id} {entry.kind} ", style="bold"),
        Text(shown(entry.value), style="bold cyan"),
        f" · every sighting ({view.evidence_total}) · esc: back\n",
    )
    parts: list[RenderableType] = [head]
    for evidence in view.evidence:
        parts.extend(evidence_parts(evidence, None))
        parts.append(Text(""))
    return Group(*parts)


def members_text(cluster_id: int, members: Sequence[Entry]) -> Text:
    """An operator cluster's members with their statuses (the ``o`` screen)."""
    statuses: dict[str, int] = {}
    for m in members:
        statuses[m.status] = statuses.get(m.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    out = Text(f"operator cluster {cluster_id}: {len(members)} entries ({summary})\n\n", "bold")
    for m in members:
        out.append(f"#{m.id} {m.kind} ", style="dim")
        out.append(shown(m.value))
        out.append(" ")
        out.append(m.status, style=STATUS_STYLE.get(m.status, ""))
        if m.first_confirmed_by is not None and m.status != "confirmed":
            out.append(" (awaiting 2nd)")
        sites = shown(m.sites.replace(",", ", "))
        out.append(f" · {m.score:.2f} · {m.sightings} seen · {sites}\n")
    return out


def preview_text(preview: BatchPreview, status: str, reason: str | None) -> Text:
    """The batch prompt: how many entries, which kinds, what will happen."""
    verb = "Confirm" if status == "confirmed" else "Dismiss"
    kinds = ", ".join(f"{n} {k}" for k, n in preview.kinds.items()) or "none"
    out = Text(f"{verb} every new entry of {shown(preview.scope)}?\n\n", style="bold")
    out.append(f"{preview.size} entr{'y' if preview.size == 1 else 'ies'}: {kinds}\n")
    if reason:
        out.append(f"reason: {reason}\n")
    out.append("\none audited decision per entry; z undoes the whole batch\n", style="dim")
    out.append("\ny: yes, do it    n / esc: no")
    return out


def reasons_text(reasons: Iterable[str] = REASONS) -> Text:
    """The dismissal reasons, numbered."""
    out = Text("Dismiss: why?\n\n", style="bold")
    for number, code in enumerate(reasons, 1):
        out.append(f"{number} ", style="bold")
        out.append(f"{code:<18} {REASON_HELP.get(code, '')}\n")
    out.append("\nesc: cancel")
    return out
