"""The plenary load generator's parts (bench/plenary.py runs them).

- `wire`: one Socket.IO connection spoken by hand over aiohttp's WebSocket, lean enough
  that one asyncio process drives thousands of phones (docs/protocol.md, section 1);
- `crowd`: the phones (join, sync, gaps, actions) and what they measure;
- `servers`: the servers under load (Cocreate's `python wsgi.py`, the bare server) and
  their CPU and memory.
"""
