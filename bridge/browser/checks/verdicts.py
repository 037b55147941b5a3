"""Declared checks against what the page showed: each check rendered with the call's arguments,
what to read for it, and whether what was read holds. Pure functions; `dom_reads` does the
reading.

What each kind means when the selector matches several elements:

- `style: {p: v}`: the first match's computed `p` equals `v` as the page resolves it (colours by
  value, lengths by px);
- `text: t`: some match's `innerText` contains `t` (case-sensitive, white space collapsed);
- `attribute: {a: v}`: the first match's attribute `a` is exactly `v` (`null`: it has no `a`);
- `value: v`: the first match's `.value` (an input, select or textarea; a label's control)
  equals `v`, or means the same colour or length;
- `count: n`: exactly `n` elements match; `count_delta: d`: `d` more than before the call;
- `visible: true` / `false`: at least one match is visible / none is (no match is not visible),
  by Playwright's rule;
- `url: glob`: the page's URL matches the glob (`urlglob`).

No match at all fails every kind but `count`, `count_delta` and `visible: false`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...css.colors import parse_css_color, to_css_rgb
from ...css.values import comparable_to_computed, same_computed, same_written
from .model import Check
from .reads import GroupReading
from .templates import Template, as_text
from .urlglob import escape_glob, url_matches

__all__ = ["Finding", "Rendered", "judge", "render"]

_WHOLE = re.compile(r"-?\d+")


@dataclass(frozen=True)
class Rendered:
    """A check with the call's arguments filled in; `problem` says why it cannot hold."""

    check: Check
    selector: str | None = None
    expected: Any = None
    problem: str | None = None


@dataclass(frozen=True)
class Finding:
    """What the DOM showed for one check, under `key`, and why it does not hold (or None)."""

    key: str
    observed: Any
    failure: str | None = None


def render(check: Check, arguments: Mapping[str, Any]) -> Rendered:
    """`check` with `arguments` filled in, or a `problem` (a missing or unusable argument)."""
    missing = [name for t in (check.selector, check.expected) if isinstance(t, Template)
               for name in t.missing(arguments)]
    if missing:
        names = ", ".join(f"`{name}`" for name in dict.fromkeys(missing))
        return Rendered(check, problem=f"{check.where} needs the argument {names}, which the "
                                       "call does not have")
    selector = check.selector.text(arguments) if check.selector is not None else None
    expected: Any = check.expected
    if isinstance(expected, Template):
        expected = _typed(check, expected, arguments)
    if isinstance(expected, _Unusable):
        return Rendered(check, selector, problem=f"{check.where}: {expected.reason}")
    return Rendered(check, selector, expected)


def judge(rendered: Rendered, group: GroupReading | None, *, url: str,
          base_url: str | None = None, before: int | None = None,
          before_problem: str | None = None) -> list[Finding]:
    """Whether `rendered` holds on what was read: `group` for its selector, the page's `url`;
    `before` is the count a `count_delta` starts from (`before_problem`: why there is none)."""
    check, sel = rendered.check, rendered.selector
    key = _key(check, sel or (check.selector.source if check.selector else None))
    if rendered.problem is not None:
        return [Finding(key, None, rendered.problem)]
    if check.kind == "url":
        return [_url(rendered.expected, url, base_url)]
    if group is None or group.error is not None:
        return [Finding(key, None, f"could not read {sel}: "
                                   f"{group.error if group else 'nothing was read'}")]
    if check.kind == "count_delta":
        return _count_delta(key, sel, rendered.expected, group, before, before_problem)
    if check.kind == "count":
        failure = (None if group.count == rendered.expected else
                   f"{sel} matches {_elements(group.count)}, expected {rendered.expected}")
        return [Finding(key, group.count, failure)]
    if check.kind == "visible":
        return [_visible(key, sel, rendered.expected, group)]
    if group.count == 0:
        return [Finding(key, None, f"no element matches {sel}")]
    return [_ELEMENT_KINDS[check.kind](key, sel, check, rendered.expected, group)]


def _key(check: Check, sel: str | None) -> str:
    if check.kind == "url":
        return "url"
    what = {"style": check.name, "attribute": f"attribute {check.name}",
            "count_delta": "count"}.get(check.kind, check.kind)
    return f"{sel} {what}"


def _url(glob: str, url: str, base_url: str | None) -> Finding:
    try:
        matches = url_matches(glob, url, base_url=base_url)
    except ValueError as err:
        return Finding("url", url, str(err))
    return Finding("url", url, None if matches else
                   f"the page is at {url}, expected a URL matching {glob}")


def _count_delta(key: str, sel: str | None, delta: int, group: GroupReading,
                 before: int | None, before_problem: str | None) -> list[Finding]:
    if before is None:
        return [Finding(key, group.count, before_problem or f"no count of {sel} from before "
                                                           "the call (no baseline)")]
    want = before + delta
    failure = None if group.count == want else (
        f"{sel} matches {_elements(group.count)}, expected {want} ({before} before the call, "
        f"{delta:+d})")
    return [Finding(key, group.count, failure), Finding(f"{key} before", before)]


def _visible(key: str, sel: str | None, wanted: bool, group: GroupReading) -> Finding:
    shown, count = group.visible or 0, group.count
    if wanted:
        failure = None if shown else (
            f"no element matches {sel}, expected a visible one" if not count else
            f"{sel} matches {_elements(count)}, none visible, expected a visible one")
    else:
        failure = None if not shown else (
            f"{shown} of the {_elements(count)} matching {sel} "
            f"{'is' if shown == 1 else 'are'} visible, expected none")
    return Finding(key, shown > 0, failure)


def _style(key: str, sel: str | None, check: Check, value: str, group: GroupReading) -> Finding:
    prop = str(check.name)
    actual, resolved = group.styles.get((prop, value), ("", None))
    if comparable_to_computed(value):
        holds, shown = same_computed(actual, value), _as_computed(value)
    elif resolved is None:
        holds = same_computed(actual, value)
        shown = value if holds else f"{value}, which is not a value Chromium takes for {prop}"
    else:
        holds = same_computed(actual, resolved)
        shown = value if resolved == value else f"{value} ({resolved})"
    return Finding(key, actual, None if holds else
                   f"{prop} of {sel} is {actual or '(not set)'}, expected {shown}")


def _as_computed(value: str) -> str:
    color = parse_css_color(value)
    computed = to_css_rgb(color) if color is not None else value
    return value if computed == value else f"{value} ({computed})"


def _text(key: str, sel: str | None, check: Check, want: str, group: GroupReading) -> Finding:
    found = group.texts.get(want)
    if found is not None:
        return Finding(key, found)
    first = group.first_text or ""
    failure = (f'text of {sel} is "{first}", expected it to contain "{want}"' if group.count == 1
               else f'none of the {group.count} elements matching {sel} contains "{want}" '
                    f'(the first: "{first}")')
    return Finding(key, first, failure)


def _attribute(key: str, sel: str | None, check: Check, want: str | None,
               group: GroupReading) -> Finding:
    name, actual = check.name, group.attrs.get(str(check.name))
    if actual == want:
        return Finding(key, actual)
    if want is None:
        return Finding(key, actual, f'{sel} has {name}="{actual}", expected no {name} attribute')
    if actual is None:
        return Finding(key, None, f'{sel} has no attribute {name}, expected {name}="{want}"')
    return Finding(key, actual, f'attribute {name} of {sel} is "{actual}", expected "{want}"')


def _value(key: str, sel: str | None, check: Check, want: str, group: GroupReading) -> Finding:
    if group.value is None:
        return Finding(key, None, f"{sel} is a <{group.value_tag}>, which has no value (a value "
                                  "check reads an input, select or textarea)")
    if same_written(group.value, want):
        return Finding(key, group.value)
    return Finding(key, group.value, f'value of {sel} is "{group.value}", expected "{want}"')


def _elements(count: int) -> str:
    return f"{count} element{'' if count == 1 else 's'}"


_ELEMENT_KINDS = {"style": _style, "text": _text, "attribute": _attribute, "value": _value}


@dataclass(frozen=True)
class _Unusable:
    reason: str


def _typed(check: Check, template: Template, arguments: Mapping[str, Any]) -> Any:
    if check.kind == "url":
        return template.text(arguments, escape=escape_glob)
    if check.kind not in ("count", "count_delta", "visible"):
        raw = template.value(arguments)
        return None if check.kind == "attribute" and raw is None else as_text(raw)
    raw = template.value(arguments)
    if check.kind == "visible":
        if isinstance(raw, bool) or raw in ("true", "false"):
            return raw in (True, "true")
        return _Unusable(f"argument `{template.whole}` is {raw!r}, not true or false")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and _WHOLE.fullmatch(raw.strip()):
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or (check.kind == "count" and raw < 0):
        return _Unusable(f"argument `{template.whole}` is {raw!r}, not a whole number"
                         + (" of 0 or more" if check.kind == "count" else ""))
    return raw
