"""`python -m bridge` is the `rtc-bridge` command."""

import sys

from .cli import main

sys.exit(main())
