"""Resident memory of the app with and without the suggestions model loaded.

python bench/clustering/rss.py
"""

import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def rss_mb() -> float:
    """Current resident set size of this process, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    """Print RSS after creating the app, after loading the model, after a 60-idea room."""
    from cocreate import create_app

    create_app()
    base = rss_mb()
    print(f"app created:                 {base:6.1f} MB")
    from cocreate.services import suggestions

    suggestions.warm_up(background=False)
    loaded = rss_mb()
    print(f"model loaded:                {loaded:6.1f} MB  (+{loaded - base:.1f})")
    ideas = [(i, f"Proposal {i}: more trees and benches in park number {i}") for i in range(60)]
    suggestions.suggest(ideas)
    used = rss_mb()
    print(f"after a 60-idea room:        {used:6.1f} MB  (+{used - base:.1f})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process:    {peak:6.1f} MB")


if __name__ == "__main__":
    main()
