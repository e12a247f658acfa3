"""The tests' local HTTP, SMTP and WSGI servers, served from a thread.

``socketserver``'s ``serve_forever`` looks for a ``shutdown()`` request every
``poll_interval`` seconds, half a second by default: every test that stopped a server
waited up to 0.5 s for it (~70 s of the suite's teardown). Here it looks every 20 ms;
serving requests is unchanged (the loop answers a request as soon as it arrives)."""

from __future__ import annotations

import threading
from typing import Any

SHUTDOWN_POLL_SECONDS = 0.02


def serve_in_thread(server: Any, name: str | None = None) -> threading.Thread:
    """Start ``server.serve_forever`` in a daemon thread (stop it with ``shutdown()``)."""
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
        name=name,
        daemon=True,
    )
    thread.start()
    return thread
