"""`python -m examples.author_statistics --broker URL [--database FILE] [--schemas DIR]`"""

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from examples.author_statistics.contract import PUBLISHED_SCHEMAS, PublishedContract
from examples.author_statistics.follower import follower
from examples.author_statistics.statistics import AuthorStatistics


async def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--broker", required=True,
                           help="amqp://guest:guest@127.0.0.1:5672/ or nats://127.0.0.1:4222")
    arguments.add_argument("--database", type=Path, default=Path("author_statistics.db"))
    arguments.add_argument("--schemas", type=Path, default=PUBLISHED_SCHEMAS,
                           help="the published JSON schemas (a copy, once moved out)")
    given = arguments.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    statistics = AuthorStatistics(given.database)
    broker = follower(given.broker, statistics, PublishedContract(given.schemas))
    stopping = asyncio.Event()
    for sent in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sent, stopping.set)
    await broker.start()
    logging.getLogger("author_statistics").info("following %s", given.broker)
    await stopping.wait()
    await broker.stop()
    statistics.close()


if __name__ == "__main__":
    asyncio.run(main())
