"""Benchmark: the zero-loss drills of tests/test_drills.py with many more phones.

Each drill starts real `python wsgi.py` processes on a fresh database, joins the
phones over HTTP (`tests.phones.Phone`: an outbox kept until each action is settled,
a view kept by sequence numbers), has every phone post ideas and then give and take
back dots, and meanwhile cuts connections, or SIGKILLs the server and starts it again
on the same database, or SIGKILLs one of two processes (PostgreSQL + Redis) so its
phones move to the other. Prints, per drill: actions sent, applied, lost, duplicated,
retries, and the time to settle after a kill; and any discrepancy the check found.

    .venv/bin/python bench/drills.py                       # every drill, 150 phones
    .venv/bin/python bench/drills.py --drill kill --phones 200 --votes 30
    .venv/bin/python bench/drills.py --postgres            # drops and kill on PostgreSQL too
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from tests.phones import drill

DRILLS = ("drops", "kill", "failover")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drill", choices=(*DRILLS, "all"), default="all")
    parser.add_argument("--phones", type=int, default=150)
    parser.add_argument("--ideas", type=int, default=2, help="ideas each phone posts")
    parser.add_argument("--votes", type=int, default=30, help="dots each phone gives or takes")
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument(
        "--postgres", action="store_true", help="drops and kill on PostgreSQL (failover always is)"
    )
    parser.add_argument("--drop-every", type=float, default=0.05, help="seconds between cuts")
    args = parser.parse_args()

    failed = False
    for kind in DRILLS if args.drill == "all" else (args.drill,):
        figures = drill(
            kind,
            phones=args.phones,
            ideas=args.ideas,
            votes=args.votes,
            rooms=args.rooms,
            postgres=args.postgres,
            drop_every=args.drop_every,
            timeout=900,
        )
        database = (
            "PostgreSQL + Redis, 2 processes"
            if kind == "failover"
            else ("PostgreSQL" if args.postgres else "SQLite (WAL)")
        )
        print(f"[{database}]", "\n".join(figures.lines()), sep=" ", flush=True)
        failed = failed or bool(figures.problems or figures.lost or figures.duplicated)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
