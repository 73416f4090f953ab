"""Turns at a pool are taken in the order they were asked for, never more at once than the
pool holds, and a wait that runs out is a TimeoutError (answered 503)."""

import asyncio

import pytest

from persistence.turns import Turns
from tests.closed_loop import served_in_a_closed_loop


async def one_turn(turns: Turns) -> None:
    async with turns:
        await asyncio.sleep(0)  # the turn's work: give the others a chance to queue


async def test_a_caller_who_asks_again_at_once_waits_behind_those_already_waiting() -> None:
    turns = Turns(1, wait_s=5)

    served = await served_in_a_closed_loop(lambda: one_turn(turns), workers=3, rounds=20)

    assert served == [0, 1, 2] * 20


async def test_why_the_pools_alone_are_not_enough() -> None:
    """The queue both pools hand connections out of: the caller who gives one back and asks
    again at once takes it ahead of the waiter it has just woken, every time."""
    connections: asyncio.Queue[str] = asyncio.Queue()
    connections.put_nowait("the only connection")
    served: list[int] = []

    async def worker(n: int) -> None:
        for _ in range(20):
            connection = await connections.get()
            served.append(n)
            await asyncio.sleep(0)
            connections.put_nowait(connection)

    await asyncio.gather(*(worker(n) for n in range(3)))
    assert served[:20] == [0] * 20


async def test_no_more_turns_at_once_than_there_are() -> None:
    turns, inside, most = Turns(2, wait_s=5), 0, 0

    async def caller() -> None:
        nonlocal inside, most
        async with turns:
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.001)
            inside -= 1

    await asyncio.gather(*(caller() for _ in range(10)))
    assert most == 2


async def test_a_wait_that_runs_out_is_a_timeout_and_leaves_the_turns_whole() -> None:
    turns = Turns(1, wait_s=0.05)
    held = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with turns:
            held.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await held.wait()
    with pytest.raises(TimeoutError, match="came free"):
        async with turns:
            pass
    release.set()
    await task
    async with turns:  # the timed-out wait took no turn with it
        pass


async def test_a_turn_ends_with_its_block_even_when_the_block_fails() -> None:
    turns = Turns(1, wait_s=0.05)
    with pytest.raises(ValueError, match="the work failed"):
        async with turns:
            raise ValueError("the work failed")
    async with turns:
        pass
