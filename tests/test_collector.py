"""The cycle collector's setting for server processes (cocreate/collector.py)."""

import gc
import json
import subprocess
import sys

import pytest

from cocreate import collector
from cocreate.config import from_environment

SETTLE_AND_SAY = """
import gc, json
from cocreate import collector
before = gc.get_threshold()
collector.settle()
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def test_settle_freezes_the_start_and_makes_collections_rarer():
    # In a process of its own: the test run's own collector stays as Python set it.
    out = subprocess.run(
        [sys.executable, "-c", SETTLE_AND_SAY], capture_output=True, text=True, check=True
    ).stdout
    state = json.loads(out)
    assert state["before"] == [700, 10, 10]  # Python's defaults, for the comparison
    assert state["after"] == list(collector.THRESHOLDS)
    assert all(new > old for new, old in zip(state["after"], state["before"], strict=True))
    # Everything the imports made (Flask, SQLAlchemy, the app's modules) is set aside.
    assert state["frozen"] > 10_000


def test_the_setting_is_on_unless_turned_off(monkeypatch):
    monkeypatch.delenv("COCREATE_GC_SETTLE", raising=False)
    assert from_environment()["GC_SETTLE"] is True
    monkeypatch.setenv("COCREATE_GC_SETTLE", "0")
    assert from_environment()["GC_SETTLE"] is False


def test_held_stops_the_collector_and_gives_back_what_was_before():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.held():
        assert not gc.isenabled()
        raise RuntimeError("a failed build")
    assert gc.isenabled()  # on again, after a failure too
    gc.disable()
    try:
        with collector.held():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
