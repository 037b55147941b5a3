"""The pytest plugin as a user's own suite sees it: a temporary project with nothing but a test
file, run in a fresh pytest process, gets a running bridge and its connected voice page from the
`rtc_bridge` plugin, speaks and types into it, and waits for verified tool calls."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.e2e

USER_TESTS = '''
def test_spoken_command(voice_page):
    said = voice_page.say("change the background color to blue")
    call = voice_page.wait_for_tool("changeBackgroundColor", {"color": "#00f"},
                                    after=said.mark, timeout_s=30)
    assert call.observed["backgroundColor"] == "rgb(0, 0, 255)"
    assert said.latency_ms(call.t) > 0


def test_typed_command_on_a_fresh_page(voice_page):
    assert voice_page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(0, 0, 255)"
    mark = voice_page.type("make the button red")
    call = voice_page.wait_for_tool("changeButtonStyle", {"color": "red"}, after=mark)
    assert call.verified is True

'''


def test_a_users_suite_runs_on_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_voice=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", timeout=240)
    result.assert_outcomes(passed=2)


USER_PAGE_TESTS = '''
from pathlib import Path

import pytest

pytestmark = pytest.mark.rtc_bridge(page="page/", start="#toggle", checks="checks.yaml")


def test_my_page_changes_its_background(voice_page):
    mark = voice_page.type("make the background blue")
    call = voice_page.wait_for_tool("changeBackgroundColor", {"color": "blue"}, after=mark)
    assert call.observed["body background-color"] == "rgb(0, 0, 255)"
'''

CHECKS = '''
tools:
  changeBackgroundColor:
    checks:
      - {selector: body, style: {background-color: "{color}"}}
'''


def test_a_users_suite_points_a_module_at_its_own_page(pytester: pytest.Pytester) -> None:
    seed = Path(__file__).resolve().parent / "user_pages" / "seed"
    page = pytester.mkdir("page")
    for name in ("index.html", "app.js"):
        (page / name).write_text((seed / name).read_text())
    pytester.makefile(".yaml", checks=CHECKS)
    pytester.makepyfile(test_my_page=USER_PAGE_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", timeout=240)
    result.assert_outcomes(passed=1)
