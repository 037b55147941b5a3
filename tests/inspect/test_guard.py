"""Who may use the inspector: loopback clients for a loopback Host without a token, the token
from anyone with one, and the bridge's own Origin on every action."""

from __future__ import annotations

import pytest

from bridge.errors import Forbidden, Unauthorized
from bridge.inspect.guard import Caller, Guard, host_name

OWN = "http://127.0.0.1:8765"
TOKEN = "a-token-of-some-length"


def caller(client: str = "127.0.0.1", host: str = "127.0.0.1:8765", origin: str | None = None,
           token: str | None = None) -> Caller:
    return Caller(client=client, host=host, scheme="http", origin=origin, token=token)


@pytest.mark.parametrize("client", ["127.0.0.1", "127.0.0.2", "::1"])
def test_without_a_token_loopback_clients_may_watch_and_act(client: str) -> None:
    guard = Guard(token=None, port=8765)
    guard.check(caller(client), action=False)
    guard.check(caller(client, origin=OWN), action=True)


@pytest.mark.parametrize("client", ["10.0.0.7", "192.168.1.20", "2001:db8::1", "<local>"])
def test_without_a_token_other_clients_are_refused_saying_so(client: str) -> None:
    with pytest.raises(Forbidden, match=f"loopback clients only, not {client}"):
        Guard(token=None, port=8765).check(caller(client), action=False)


@pytest.mark.parametrize("host", ["evil.example:8765", "10.0.0.1:8765", ""])
def test_without_a_token_a_host_that_is_not_loopback_is_refused(host: str) -> None:
    # DNS rebinding: the attacker's page reaches 127.0.0.1 under its own name.
    with pytest.raises(Forbidden, match="127.0.0.1 or localhost only"):
        Guard(token=None, port=8765).check(caller(host=host), action=False)


@pytest.mark.parametrize("host", ["localhost:8765", "[::1]:8765", "127.0.0.1"])
def test_loopback_hosts_by_name_and_address(host: str) -> None:
    Guard(token=None, port=8765).check(caller(host=host), action=False)


def test_with_a_token_anyone_who_has_it_may_watch() -> None:
    guard = Guard(token=TOKEN, port=8765)
    guard.check(caller("10.0.0.7", host="bridge.lan:8765", token=TOKEN), action=False)


@pytest.mark.parametrize("client", ["10.0.0.7", "127.0.0.1"])
def test_with_a_token_a_request_without_it_is_refused(client: str) -> None:
    with pytest.raises(Unauthorized, match="needs its token"):
        Guard(token=TOKEN, port=8765).check(caller(client), action=False)


def test_with_a_token_a_wrong_one_is_refused() -> None:
    with pytest.raises(Unauthorized, match="wrong inspector token"):
        Guard(token=TOKEN, port=8765).check(caller("10.0.0.7", token=TOKEN + "x"), action=False)


def test_an_action_needs_an_origin() -> None:
    with pytest.raises(Forbidden, match="needs an Origin header"):
        Guard(token=None, port=8765).check(caller(), action=True)


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:9999",
                                    "https://127.0.0.1:8765"])
def test_an_action_from_another_origin_is_refused(origin: str) -> None:
    with pytest.raises(Forbidden, match="cannot act through"):
        Guard(token=None, port=8765).check(caller(origin=origin), action=True)
    with pytest.raises(Forbidden, match="cannot act through"):
        Guard(token=TOKEN, port=8765).check(caller(origin=origin, token=TOKEN), action=True)


def test_reading_with_a_foreign_origin_is_refused_too() -> None:
    with pytest.raises(Forbidden, match="cannot read"):
        Guard(token=None, port=8765).check(caller(origin="http://evil.example"), action=False)


def test_the_own_origin_is_compared_without_case_or_trailing_slash() -> None:
    Guard(token=None, port=8765).check(caller(origin="HTTP://127.0.0.1:8765/"), action=True)


def test_each_port_has_its_own_cookie() -> None:
    assert Guard(token=TOKEN, port=8765).cookie_name != Guard(token=TOKEN, port=8766).cookie_name


@pytest.mark.parametrize("host, name", [("127.0.0.1:8765", "127.0.0.1"), ("[::1]:80", "::1"),
                                        ("localhost", "localhost"), ("[bad", "")])
def test_host_names(host: str, name: str) -> None:
    assert host_name(host) == name
