"""Where records live: one file per worker, and a few files of the bot's own."""

from __future__ import annotations


def worker_shard(pid: str) -> str:
    """The file a worker's records live in; a two-character folder keeps directories small."""
    return f"workers/{pid[1:3]}/{pid}"


WORKERS = "workers"
INSTANCE = "system/instance"
EXPORTS = "system/exports"
ERASURES = "system/erasures"
ROLLOUTS = "system/rollouts"
