"""`python -m bench`: run every benchmark and print ratios."""
import asyncio
import logging

from . import storage_growth, turns


async def main() -> None:
    logging.disable(logging.INFO)  # per-turn log lines would dominate the figures
    await turns.run()
    await storage_growth.run()


if __name__ == "__main__":
    asyncio.run(main())
