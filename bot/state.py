"""botbuilder `Storage` for dialog and conversation state, on the crash-safe store.

Each state key gets its own small file (named by a hash of the key), so saving one conversation's
dialog never rewrites another's. Values are flattened with jsonpickle, as the SDK's own Azure storages
do, because dialog state holds SDK objects (DialogState, DialogInstance) rather than plain dicts.
"""
from __future__ import annotations

import hashlib
from typing import Dict, List

from botbuilder.core import Storage, StoreItem
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from .storage import Store, first, put_single

TABLE = "state"


def state_shard(key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"state/{digest[:2]}/s{digest[:40]}"


class StoreBotStorage(Storage):
    """Dialog state in per-key files, with optimistic concurrency by e_tag like MemoryStorage."""

    def __init__(self, store: Store):
        super().__init__()
        self._store = store

    async def read(self, keys: List[str]) -> Dict[str, object]:
        found = {}
        for key in keys or []:
            doc = await self._store.shard(state_shard(key)).read(lambda db: first(db, TABLE))
            if doc is not None:
                found[key] = Unpickler().restore(doc["value"])
        return found

    async def write(self, changes: Dict[str, StoreItem]) -> None:
        if changes is None:
            raise TypeError("changes are required when writing")
        for key, value in changes.items():
            await self._store.shard(state_shard(key)).write(lambda db, v=value: self._write_one(db, v))

    @staticmethod
    def _write_one(db, value) -> None:
        old = first(db, TABLE)
        new_tag = value.get("e_tag") if isinstance(value, dict) else getattr(value, "e_tag", None)
        old_tag = old["e_tag"] if old else None
        if new_tag == "":
            raise ValueError("state write with an empty e_tag")
        if old_tag is not None and new_tag not in (None, "*") and new_tag != old_tag:
            raise KeyError("state e_tag conflict: the conversation was changed by another turn")
        tag = str(int(old_tag) + 1) if old_tag is not None else "1"
        flat = Pickler().flatten(value)
        if isinstance(flat, dict) and "e_tag" in flat:
            flat["e_tag"] = tag
        put_single(db, TABLE, {"e_tag": tag, "value": flat})

    async def delete(self, keys: List[str]) -> None:
        for key in keys or []:
            await self._store.shard(state_shard(key)).delete_file()
