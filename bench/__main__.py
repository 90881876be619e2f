"""`python -m bench`: run every benchmark and print ratios."""

import asyncio
import logging

from . import crisis, fanout, graph_rollout, long_messages, postgres, storage_growth, turns


async def main() -> None:
    logging.disable(logging.WARNING)  # per-turn and retry log lines would drown the figures
    crisis.run()
    await turns.run()
    await long_messages.run()
    await storage_growth.run()
    await fanout.run()
    await graph_rollout.run()
    await postgres.run()


if __name__ == "__main__":
    asyncio.run(main())
