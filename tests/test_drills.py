"""Zero-loss drills: many phones keep acting while connections drop and servers die.

Real `python wsgi.py` processes; the phones are `tests.phones.Phone`, a Python client
that follows docs/protocol.md the way static/js/live.js does (an outbox kept until each
action is settled, resent with the same ids; a view kept by sequence numbers). After
each drill every action a phone queued is applied exactly once, every phone's view
equals the server's snapshot for it, and the tallies equal a count of the intended
dots. `bench/drills.py` runs the same drills with more phones and prints figures.
"""

import pytest

from tests.phones import drill

#: Every async mode wsgi.py supports runs the drills (gevent is its default).
MODES = pytest.mark.parametrize("mode", ["gevent", "eventlet"])

#: Small enough for `make test` on two cores: 16 phones in 4 rooms, 512 actions (30 dots
#: each: more than the rate limit's burst, so some are paced by retry_after).
SIZE = {"phones": 16, "ideas": 2, "votes": 30, "rooms": 4}


def assert_zero_loss(figures) -> None:
    assert figures.problems == []
    assert figures.actions == SIZE["phones"] * (SIZE["ideas"] + SIZE["votes"])
    assert (figures.applied, figures.lost, figures.duplicated) == (figures.actions, 0, 0)
    assert figures.refused == 0


@MODES
def test_connections_dropped_abruptly_lose_nothing(mode):
    figures = drill("drops", **SIZE, drop_every=0.1, async_mode=mode)
    assert_zero_loss(figures)
    assert figures.drops >= 10  # the drill did cut connections mid-stream
    assert figures.reconnects >= figures.drops


@MODES
def test_a_server_killed_mid_vote_loses_nothing(mode):
    """SIGKILL (no clean shutdown) and a restart on the same SQLite database."""
    figures = drill("kill", **SIZE, async_mode=mode)
    assert_zero_loss(figures)
    assert figures.reconnects >= SIZE["phones"]  # every phone lost its connection


@pytest.mark.postgres
@MODES
def test_phones_move_to_the_other_process_when_one_is_killed(mode):
    """Two processes on PostgreSQL and Redis; the first is SIGKILLed and stays down."""
    figures = drill("failover", **SIZE, async_mode=mode)
    assert_zero_loss(figures)
    assert figures.reconnects >= SIZE["phones"] // 2  # the killed process's phones moved
