"""`python -m bridge` is the `rtc-bridge` command."""

import sys

from .cli import main

# Guarded: the speech recogniser's worker processes are spawned, and spawning re-imports the
# main module; unguarded, each worker would start another bridge.
if __name__ == "__main__":
    sys.exit(main())
