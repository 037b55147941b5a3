"""Declared DOM checks: what a user's page's tools should change, read from a checks file or a
scenario (`model`, with `templates` for `{argument}` placeholders and `urlglob` for URL globs),
judged (`verdicts`) and run in the page until they hold (`dom`, reading with `reads` and
`scripts`).

    checks = load_checks("checks.yaml")
    result = await DomChecker(page).verify(checks.get("addTodo").checks, arguments, baseline)

Imports `bridge.css`, `bridge.documents` and `bridge.errors`, nothing else of the bridge.
"""

from .dom import Baseline, CheckResult, DomChecker, count_delta_selectors
from .model import (
    DEFAULT_TIMEOUT_S,
    Check,
    ChecksFile,
    ToolChecks,
    load_checks,
    parse_check_list,
    parse_checks,
)

__all__ = ["DEFAULT_TIMEOUT_S", "Baseline", "Check", "CheckResult", "ChecksFile", "DomChecker",
           "ToolChecks", "count_delta_selectors", "load_checks", "parse_check_list",
           "parse_checks"]
