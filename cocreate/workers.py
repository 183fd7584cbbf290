"""Work that must not hold the server's event loop: computing theme suggestions,
and the synthesis documents when they are made in the server's process
(cocreate/synthesis/maker.py; by default they have a process of their own).

Under gevent (or eventlet) every request shares one loop, so a second of CPU in a handler
is a second in which no phone anywhere gets an answer. `wsgi.py` sets OFF_LOOP_RUNNER to
the library's thread pool (gevent's hub threadpool, or eventlet's `tpool.execute`: a real
OS thread; the numerical libraries release the GIL while they compute); with threading or
in the tests the work simply runs in the caller's thread. Nothing here imports either.

What goes off the loop must never wait for a lock. Once the library has patched
`threading`, its locks are green ones, and a real thread that waits for one may never be
woken (eventlet: "greenlet.error: Cannot switch to a different thread"; it sleeps until
its timeout, or for ever). So the
work gets plain data read on the loop -- no database session: SQLAlchemy's connection
pool is such a lock -- and a lock the work needs is taken by the caller, on the loop,
before going off it (theme_suggestions.ENGINE; maker.py runs one job at a time).
"""

from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def off_loop(work: Callable[..., T], *args) -> T:
    """Run `work(*args)` where it cannot stall other connections; return its result.

    Raises whatever `work` raises.
    """
    runner = current_app.config.get("OFF_LOOP_RUNNER")
    return runner(work, *args) if runner else work(*args)
