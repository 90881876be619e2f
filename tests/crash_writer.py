"""Child process for the crash test: writes numbered records and prints each number once it is durable."""

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.storage import TinyStore


async def main(root: str, start: int) -> None:
    store = TinyStore(Path(root))
    await store.open()
    i = start
    while True:
        shard = store.shard(f"workers/{i % 3:02d}/w{i % 3}")
        await shard.write(
            lambda data, i=i: data.setdefault("records", {}).update({str(i): {"i": i, "pad": "x" * (i % 50)}})
        )
        print(i, flush=True)  # acknowledged: the write returned
        i += 1


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
