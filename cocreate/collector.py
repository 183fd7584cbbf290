"""Python's cycle collector, set for a server whose screens must follow within 100 ms.

Python's default collector stopped a 2,000-phone server's loop for 200 to 330 ms about
every four seconds (bench/plenary.py --phones 2000 --rooms 20 --votes-per-s 200): each
full collection walked every object the process held, about 470,000, and found a
thousand to free. Those pauses were the slowest tenth of every screen's wait. Two things
made them:

- the start's own objects (the code of Flask, SQLAlchemy and the rest: about 200,000)
  were walked again in every full collection, though they live as long as the process;
- objects that live a tenth of a second (an action's transaction, a batch on its way to
  a hundred phones) outlived the youngest generation's collections, which ran every 700
  new objects, and reached the oldest one, so full collections came every few seconds.

`settle` fixes both when the server starts: it sets the start's objects aside for good
(gc.freeze) and lets more objects pass before each young collection, and many more young
collections pass before a full one (THRESHOLDS). Reference counting frees almost
everything as before; the cycles that reach the oldest generation wait longer to go.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: gc.set_threshold's three numbers (Python's are 700, 10, 10): new objects before a
#: collection of the youngest generation, young collections before a middle one, middle
#: collections before a full one (which Python also holds back until the oldest
#: generation has grown by a quarter since the last).
THRESHOLDS = (5_000, 20, 1_000)


def settle() -> None:
    """Collect what the start left behind, keep every object alive now out of later
    collections, and make collections rarer (the module's docstring). Call once, in a
    server process, just before it serves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


@contextmanager
def held() -> Iterator[None]:
    """Hold the cycle collector while a large, long-lived structure is built or laid out
    (the synthesis's data, its documents): each full collection would walk every object
    it keeps alive again. Reference counting still frees what dies meanwhile; the
    collector runs again afterwards, if it ran before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
