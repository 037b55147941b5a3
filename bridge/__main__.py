"""`python -m bridge` is the `rtc-bridge` command."""

import sys


def entry() -> int:
    """Run the command; a Ctrl-C before the bridge has set its own handlers (while it is still
    importing, in its first second) stops it without a traceback, with the usual status 130."""
    try:
        from .cli import main

        return main()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130


# Guarded: the speech recogniser's worker processes are spawned, and spawning re-imports the
# main module; unguarded, each worker would start another bridge.
if __name__ == "__main__":
    sys.exit(entry())
