"""The document process: builds and renders synthesis documents for its server process.

Started by cocreate.synthesis.maker (`python -m cocreate.synthesis.worker`), which
explains why and speaks the protocol described in maker.Child. It reads its settings
from the first line on stdin, creates the app with them (the same database as the
server, no sockets), answers jobs one at a time, and leaves when stdin closes (its
server is gone) or after SYNTHESIS_PROCESS_IDLE seconds without a job.
"""

import json
import os
import select
import sys
import traceback


def main() -> None:
    """Serve jobs from stdin until it closes or stays silent for the idle time."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # Anything else that prints (a library's notice) goes to the server's log, not into
    # the documents' pipe.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    os.nice(10)  # on a machine with few cores, the live rooms come first
    jobs = sys.stdin.buffer
    settings = json.loads(jobs.readline() or "null")
    if settings is None:
        return

    from cocreate import create_app
    from cocreate.extensions import db
    from cocreate.models._time import utcnow
    from cocreate.services.errors import DomainError
    from cocreate.synthesis import formats
    from cocreate.synthesis.build import build

    app = create_app(settings)

    def reply(message: dict, body: bytes = b"") -> None:
        replies.write(json.dumps(message).encode() + b"\n" + body)
        replies.flush()

    reply({"ready": True})
    idle = app.config["SYNTHESIS_PROCESS_IDLE"]
    while select.select([jobs], [], [], idle)[0]:
        line = jobs.readline()
        if not line:
            return  # the server process is gone
        job = json.loads(line)
        with app.app_context():
            try:
                data = build(job["workshop"], generated_at=utcnow())
                for fmt in job["formats"]:
                    body = formats.render(data, fmt)
                    reply({"format": fmt, "size": len(body)}, body)
            except DomainError as error:
                reply({"error": {"code": error.code, "message": error.message}})
            except Exception:
                traceback.print_exc()
                reply({"error": {"code": "failed", "message": "The document could not be made."}})
            finally:
                db.session.remove()
        reply({"done": True})


if __name__ == "__main__":
    main()
