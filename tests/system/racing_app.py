"""The service with racing writers held at the test's gate (tests/system/gate.py), at the
point `BOOKSHELF_TEST_HOLD` names: `uvicorn tests.system.racing_app:app`.

- "command": every Book and Author command waits before it runs;
- "commit": every Book and Author unit of work waits before it commits, after its reads.

Before a writer waits there on its own, its whole worker waits for its "turn": a worker
stopped so takes no new connection, so the next writer goes to the other worker, and the
test can spread writers over both. Put in by overriding the modules' buses or units of
work, as any test may.
"""

import os

from dependency_injector import providers

from app import create_app
from modules.author.infrastructure.unit_of_work import SqlAlchemyAuthorUnitOfWork
from modules.book.infrastructure.unit_of_work import SqlAlchemyBookUnitOfWork
from modules.container import ApplicationContainer
from tests.system.gate import HeldBus, wait_at_gate, wait_at_gate_with_the_loop

HOLD = os.environ["BOOKSHELF_TEST_HOLD"]


async def held() -> None:
    wait_at_gate_with_the_loop("turn")
    await wait_at_gate(HOLD)


class HeldBookUnitOfWork(SqlAlchemyBookUnitOfWork):
    async def commit(self) -> None:
        await held()
        await super().commit()


class HeldAuthorUnitOfWork(SqlAlchemyAuthorUnitOfWork):
    async def commit(self) -> None:
        await held()
        await super().commit()


container = ApplicationContainer()
for module, held_unit in ((container.book, HeldBookUnitOfWork),
                          (container.author, HeldAuthorUnitOfWork)):
    if HOLD == "commit":
        module.unit_of_work.override(providers.Factory(
            held_unit, session_factory=container.session_factory,
            publication_log=container.publication_log))
    else:
        module.bus.override(providers.Object(HeldBus(module.bus(), held)))

app = create_app(container)
