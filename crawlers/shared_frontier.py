"""The state one crawl of one site shares in Redis between its workers (docs/workers.md).

scrapy-redis gives the shared request queue (its ``PriorityQueue``, a sorted set) and the
shared fingerprint set (its ``RFPDupeFilter``). What it lacks, this module adds, each step one
Lua script so that no two workers ever see half of it:

- **one crawl at a time, seeded once**: the first worker to :meth:`Frontier.join` creates the
  crawl (a new crawl id) and seeds it; the others join it. Every key of a crawl carries its id,
  so the fingerprints of one crawl never hide a page from the next (a scheduled re-crawl
  revisits everything) and a finished crawl's keys are deleted by the last worker.
- **leases**: a request is popped and leased to its worker in one step; the worker releases
  the lease once the request, the requests it led to locally (a thread's further pages) and
  their posts are in the store. A worker's heartbeat keeps its leases; survivors requeue the
  leases of a worker not heard of for ``stale`` seconds (SIGKILLed, its machine gone).
- **completion** from the shared state, never from one worker's idleness: the crawl is
  complete when it is seeded, its queue is empty and no lease is held.

Keys, under ``{prefix}:{site}:``: ``crawl`` (a hash: ``id``, ``state`` seeding / running /
done, ``seeder``, ``run_id``), and per crawl ``{id}:queue``, ``{id}:seen``, ``{id}:leases``,
``{id}:lease_seq``, ``{id}:workers`` (heartbeats, a sorted set) and ``{id}:stats`` (each
worker's counters, JSON). All of them expire ``ttl`` seconds after the last heartbeat.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis

CRAWL_KEYS = ("queue", "seen", "leases", "lease_seq", "workers", "stats")

_JOIN = """
local state = redis.call('HGET', KEYS[1], 'state')
if state and state ~= 'done' then
  return {redis.call('HGET', KEYS[1], 'id'), 0}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'state', 'seeding', 'seeder', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {ARGV[1], 1}
"""

_POP = """
local item = redis.call('ZPOPMIN', KEYS[1])
if #item == 0 then return false end
local lease = ARGV[1] .. ':' .. redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], lease, item[2] .. '\\n' .. item[1])
return {lease, item[1]}
"""

# KEYS: crawl, queue, leases, workers, stats, seen, lease_seq; ARGV: worker, now, stale, ttl,
# stats json, leaving (1: requeue this worker's own leases and leave), crawl id
_BEAT = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[7] then return {0, 0, 0} end
local now = tonumber(ARGV[2])
local leaving = ARGV[6] == '1'
redis.call('HSET', KEYS[5], ARGV[1], ARGV[5])
local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[3]))
local gone = {}
for _, w in ipairs(dead) do
  if w ~= ARGV[1] then gone[w] = true; redis.call('ZREM', KEYS[4], w) end
end
if leaving then gone[ARGV[1]] = true; redis.call('ZREM', KEYS[4], ARGV[1])
else redis.call('ZADD', KEYS[4], now, ARGV[1]) end
local requeued = 0
if next(gone) ~= nil then
  local leases = redis.call('HGETALL', KEYS[3])
  for i = 1, #leases, 2 do
    local owner = string.match(leases[i], '^(.*):%d+$')
    if owner and gone[owner] then
      local sep = string.find(leases[i + 1], '\\n', 1, true)
      local score = string.sub(leases[i + 1], 1, sep - 1)
      redis.call('ZADD', KEYS[2], score, string.sub(leases[i + 1], sep + 1))
      redis.call('HDEL', KEYS[3], leases[i])
      requeued = requeued + 1
    end
  end
end
local reseed = 0
local seeder = redis.call('HGET', KEYS[1], 'seeder')
local seeding = redis.call('HGET', KEYS[1], 'state') == 'seeding'
if seeding and seeder and gone[seeder] and not leaving then
  redis.call('HSET', KEYS[1], 'seeder', ARGV[1])
  reseed = 1
end
for i = 1, 7 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return {requeued, #dead, reseed}
"""

_COMPLETE = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 1 end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'done' then return 1 end
if state == 'running' and redis.call('ZCARD', KEYS[2]) == 0
    and redis.call('HLEN', KEYS[3]) == 0 then
  redis.call('HSET', KEYS[1], 'state', 'done')
  return 2
end
return 0
"""

_FINISH = """
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then redis.call('DEL', KEYS[1]) end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
"""


def worker_name() -> str:
    """This worker's name in the shared state: host, pid and a random tail (pids are reused)."""
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class Beat:
    """What a heartbeat did: leases requeued from workers found dead, and whether to re-seed."""

    requeued: int
    dead: int
    reseed: bool


class Frontier:
    """One worker's handle on the shared state of one site's crawl (see the module docstring)."""

    def __init__(
        self,
        server: redis.Redis,
        prefix: str,
        site: str,
        worker: str,
        stale: float = 10.0,
        ttl: int = 7 * 86400,
    ) -> None:
        self.server = server
        self.base = f"{prefix}:{site}:"
        self.site = site
        self.worker = worker
        self.stale = stale
        self.ttl = ttl
        self.crawl_id = ""
        self.seeder = False
        self._join = server.register_script(_JOIN)
        self._pop = server.register_script(_POP)
        self._beat = server.register_script(_BEAT)
        self._complete = server.register_script(_COMPLETE)
        self._finish = server.register_script(_FINISH)

    def key(self, name: str) -> str:
        """The Redis key ``name`` (one of :data:`CRAWL_KEYS`, or ``crawl``) of this crawl."""
        return self.base + "crawl" if name == "crawl" else f"{self.base}{self.crawl_id}:{name}"

    def join(self) -> bool:
        """Join the site's crawl under way, or start one; True when this worker must seed it."""
        new_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        crawl_id, seeds = self._join(keys=[self.key("crawl")], args=[new_id, self.worker, self.ttl])
        self.crawl_id = _text(crawl_id)
        self.seeder = bool(int(seeds))
        self.heartbeat({})
        return self.seeder

    def set_run(self, run_id: int, started_at: datetime) -> None:
        """Name the ``crawl_runs`` row of this crawl (the seeder opened it) and its start."""
        fields = ["run_id", str(run_id), "started_at", started_at.isoformat()]
        self.server.hset(self.key("crawl"), items=fields)

    def started_at(self) -> datetime | None:
        """When the seeder started this crawl."""
        value = self.server.hget(self.key("crawl"), "started_at")
        return datetime.fromisoformat(_text(value)) if value else None

    def run_id(self) -> int | None:
        """The ``crawl_runs`` row of this crawl, once its seeder has opened it."""
        value = self.server.hget(self.key("crawl"), "run_id")
        return int(value) if value else None

    def seeded(self) -> None:
        """The start requests are all in the queue: the crawl may now complete."""
        self.server.hset(self.key("crawl"), "state", "running")

    def pop(self) -> tuple[str, bytes] | None:
        """The next request's (lease, serialized request), leased to this worker; None if none."""
        found = self._pop(
            keys=[self.key("queue"), self.key("leases"), self.key("lease_seq")],
            args=[self.worker],
        )
        if not found:
            return None
        return _text(found[0]), bytes(found[1])

    def release(self, leases: Iterable[str]) -> None:
        """Drop leases whose requests are done and stored."""
        done = list(leases)
        if done:
            self.server.hdel(self.key("leases"), *done)

    def heartbeat(self, stats: Mapping[str, Any], leaving: bool = False) -> Beat:
        """Say this worker is alive (or leaving) with its counters; requeue the dead's leases."""
        found = self._beat(
            keys=[
                self.key(n)
                for n in ("crawl", "queue", "leases", "workers", "stats", "seen", "lease_seq")
            ],
            args=[
                self.worker,
                time.time(),
                self.stale,
                self.ttl,
                json.dumps(dict(stats), default=str),
                "1" if leaving else "0",
                self.crawl_id,
            ],
        )
        requeued, dead, reseed = (int(x) for x in found)
        return Beat(requeued, dead, bool(reseed))

    def complete(self) -> int:
        """0 while the crawl goes on; 2 when this call found it complete; 1 when it was already."""
        return int(
            self._complete(
                keys=[self.key("crawl"), self.key("queue"), self.key("leases")],
                args=[self.crawl_id],
            )
        )

    def workers(self) -> list[str]:
        """The workers heard of within ``stale`` seconds, this one included."""
        since = time.time() - self.stale
        return [_text(w) for w in self.server.zrangebyscore(self.key("workers"), since, "+inf")]

    def totals(self) -> dict[str, dict[str, Any]]:
        """Every worker's last counters, by worker."""
        raw = self.server.hgetall(self.key("stats"))
        return {_text(k): json.loads(v) for k, v in raw.items()}

    def finish(self) -> None:
        """Delete the crawl's keys (the crawl is complete and recorded)."""
        self._finish(
            keys=[self.key("crawl"), *(self.key(n) for n in CRAWL_KEYS)], args=[self.crawl_id]
        )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RequestJSON:
    """scrapy-redis's serializer (``loads``/``dumps``) writing requests as JSON, not pickle.

    A request's dict holds bytes (headers, body) and bytes-keyed dicts: written as
    ``{"$b": base64}`` and ``{"$d": [[key, value], …]}``.
    """

    @staticmethod
    def dumps(obj: Any) -> bytes:
        return json.dumps(_to_json(obj), separators=(",", ":"), sort_keys=True).encode()

    @staticmethod
    def loads(data: bytes | str) -> Any:
        return _from_json(json.loads(data))


def _to_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _to_json(v) for k, v in value.items()}
        return {"$d": [[_to_json(k), _to_json(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$b"}:
            return base64.b64decode(value["$b"])
        if set(value) == {"$d"}:
            return {_hashable(_from_json(k)): _from_json(v) for k, v in value["$d"]}
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
