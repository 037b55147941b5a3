"""`python -m bridge` is the `rtc-bridge` command."""

import os
import signal
import sys


def _stop_now(signum: int, frame: object) -> None:
    # Nothing has been started yet that needs stopping. A KeyboardInterrupt raised inside an
    # import can leave the interpreter's own locks held, so that it never finishes exiting.
    os.write(2, b"stopped\n")
    os._exit(130)


def entry() -> int:
    """Run the command; a Ctrl-C before the bridge has set its own handlers (while it is still
    importing, in its first second) stops it without a traceback, with the usual status 130."""
    signal.signal(signal.SIGINT, _stop_now)
    from .cli import main

    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return main()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130


# Guarded: the speech recogniser's worker processes are spawned, and spawning re-imports the
# main module; unguarded, each worker would start another bridge.
if __name__ == "__main__":
    sys.exit(entry())
