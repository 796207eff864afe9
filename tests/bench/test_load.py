"""The load generator keeps going when the server closes an idle keep-alive connection (as
uvicorn does after 5 s): the open loop at a low rate leaves its connections idle that long."""

import asyncio

from tests.bench.load import LoadPlan, _run

ANSWER = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"


async def _server_closing_after_each_answer() -> tuple[asyncio.Server, int]:
    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        writer.write(ANSWER)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer_once, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_a_connection_the_server_closed_is_opened_again_and_every_request_answered() -> None:
    async def scenario() -> tuple[int, int, dict[int, int]]:
        server, port = await _server_closing_after_each_answer()
        plan = LoadPlan(port=port, path="/", headers=(), body_for=lambda _p, _n: b"{}",
                        seconds=0.5, connections=2, rate=20)
        async with server:
            result = await _run(plan, 0, 1)
        return result.completed, result.errors, result.statuses

    completed, errors, statuses = asyncio.run(scenario())

    assert completed >= 8
    assert (errors, set(statuses)) == (0, {201})
