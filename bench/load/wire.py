"""One Socket.IO v5 connection over Engine.IO v4 WebSocket, spoken by hand.

python-socketio's AsyncClient starts a task for every message it receives and decodes
each packet twice (Engine.IO, then Socket.IO); a thousand phones that each hear every
vote of their room make that per-message cost the generator's main work. The subset
a phone needs is small (docs/protocol.md, section 1): the open packet, a namespace
CONNECT with `auth`, events with and without an ack id, acks, and answering pings.
Each text frame is one Engine.IO packet over WebSocket, so one frame is one message.
"""

import asyncio
import json
from collections.abc import Callable

import aiohttp

NS = "/participant"


class Refused(Exception):
    """The server refused the namespace connection (CONNECT_ERROR) or closed it."""


class Connection:
    """A namespace connection: `call` sends an event and waits for its ack; server events
    go to `on_event(name, data)`; `closed` is set when the connection ends."""

    def __init__(self, on_event: Callable[[str, object], None], namespace: str = NS):
        self.on_event = on_event
        self.namespace = namespace
        self.prefix_event = f"42{namespace},"
        self.prefix_ack = f"43{namespace},"
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.acks: dict[int, asyncio.Future] = {}
        self.next_ack = 0
        self.closed = asyncio.Event()
        self.reader: asyncio.Task | None = None

    async def open(
        self, session: aiohttp.ClientSession, base: str, cookie: str, auth: dict, timeout: float
    ) -> None:
        """Open the WebSocket and connect the namespace; raises Refused or OSError/timeout."""
        url = base.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await session.ws_connect(
            url,
            headers={"Cookie": cookie},
            autoping=False,
            autoclose=False,
            max_msg_size=1 << 22,
            timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=2.0),
        )
        try:
            async with asyncio.timeout(timeout):
                opening = await self.ws.receive()
                if opening.type != aiohttp.WSMsgType.TEXT or not opening.data.startswith("0"):
                    raise Refused(f"no Engine.IO open packet: {opening.data!r}")
                await self.ws.send_str(f"40{self.namespace},{json.dumps(auth)}")
                while True:
                    message = await self.ws.receive()
                    if message.type != aiohttp.WSMsgType.TEXT:
                        raise Refused(f"closed while connecting ({message.type.name})")
                    data = message.data
                    if data == "2":
                        await self.ws.send_str("3")
                    elif data.startswith(f"40{self.namespace},"):
                        break
                    elif data.startswith(f"44{self.namespace},"):
                        raise Refused(data[len(self.namespace) + 3 :])
                    else:
                        self._dispatch(data)  # an event may come before the CONNECT's answer
        except BaseException:
            await self.ws.close()
            raise
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def call(self, event: str, payload: dict, timeout: float) -> dict | None:
        """Send one event and wait for its ack; None when none came (timeout, closed)."""
        if self.ws is None or self.closed.is_set():
            return None
        self.next_ack += 1
        ack_id = self.next_ack
        answer = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = answer
        try:
            await self.ws.send_str(
                f"42{self.namespace},{ack_id}{json.dumps([event, payload], separators=(',', ':'))}"
            )
            async with asyncio.timeout(timeout):
                return await answer
        except (TimeoutError, ConnectionError, aiohttp.ClientError):
            return None
        finally:
            self.acks.pop(ack_id, None)

    async def close(self) -> None:
        """Close from this side (a clean goodbye)."""
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)

    async def _read(self) -> None:
        ws = self.ws
        try:
            while True:
                message = await ws.receive()
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                data = message.data
                if data == "2":
                    await ws.send_str("3")
                elif data == "1" or data.startswith(f"41{self.namespace}"):
                    break
                else:
                    self._dispatch(data)
        except (ConnectionError, aiohttp.ClientError):
            pass
        finally:
            self.closed.set()
            for answer in self.acks.values():
                if not answer.done():
                    answer.set_result(None)
            if not ws.closed:
                await ws.close()

    def _dispatch(self, data: str) -> None:
        if data.startswith(self.prefix_event):
            body = json.loads(data[len(self.prefix_event) :])
            self.on_event(body[0], body[1] if len(body) > 1 else None)
        elif data.startswith(self.prefix_ack):
            rest = data[len(self.prefix_ack) :]
            start = rest.index("[")
            answer = self.acks.get(int(rest[:start]))
            if answer is not None and not answer.done():
                values = json.loads(rest[start:])
                answer.set_result(values[0] if values else None)
