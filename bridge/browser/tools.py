"""The tool registry: `pages/tools.json`, read by Python here and by the page in the browser."""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from ..errors import ToolError

# What a value bound for a CSS property may look like: colours, lengths, keywords and simple
# functions such as rgb(). Anything that could smuggle a declaration or a URL is refused, and
# so are line breaks and other control characters (only plain spaces separate words).
_CSS_VALUE = re.compile(r"[#\w .,%()/+-]{1,64}")
_CSS_FORBIDDEN = re.compile(r"url\(|expression\(|image\(|var\(|attr\(|env\(|\\", re.I)


def pages_dir() -> Path:
    """The voice page's folder, `pages/` of the repository, installed as the package data
    `bridge.pages`."""
    folder = importlib.resources.files("bridge.pages")
    if not isinstance(folder, Path):  # a zipped install: the page must be served from files
        raise FileNotFoundError(f"the voice page is not on the file system ({folder})")
    return folder


@dataclass(frozen=True)
class Tool:
    name: str
    definition: dict[str, Any]  # what goes upstream: type, name, description, parameters
    behaviour: dict[str, Any]  # the `x-bridge` block: how the page applies it and we verify it
    validator: Draft202012Validator

    @property
    def style(self) -> dict[str, str]:
        return dict(self.behaviour.get("style") or {})

    @property
    def relative(self) -> dict[str, dict[str, float]]:
        return dict(self.behaviour.get("relative") or {})


class ToolRegistry:
    """Registered tools by name; validates calls against their JSON schemas."""

    def __init__(self, tools: list[Mapping[str, Any]]) -> None:
        self._tools: dict[str, Tool] = {}
        for raw in tools:
            definition = {k: raw[k] for k in ("type", "name", "description", "parameters")
                          if k in raw}
            schema = definition.get("parameters") or {"type": "object"}
            try:
                Draft202012Validator.check_schema(schema)
            except SchemaError as err:
                raise ToolError(
                    f"tool {raw.get('name')!r} has an invalid schema: {err.message}") from err
            name = str(raw["name"])
            self._tools[name] = Tool(name, definition, dict(raw.get("x-bridge") or {}),
                                     Draft202012Validator(schema))

    @classmethod
    def load(cls, path: Path | None = None) -> ToolRegistry:
        """The tools of `path`, by default the voice page's own `tools.json`."""
        data = json.loads((path or pages_dir() / "tools.json").read_text(encoding="utf-8"))
        return cls(data["tools"])

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    def definitions(self) -> list[dict[str, Any]]:
        return [tool.definition for tool in self._tools.values()]

    def get(self, name: str) -> Tool:
        tool = self._tools.get(name)
        if tool is None:
            raise ToolError(f"unknown tool {name!r}; registered: {', '.join(self._tools)}")
        return tool

    def check_call(self, name: str, arguments: str | Mapping[str, Any]) -> dict[str, Any]:
        """Return the parsed arguments of a valid call, or raise ToolError saying why not."""
        tool = self.get(name)
        if isinstance(arguments, str):
            try:
                parsed = json.loads(arguments or "{}")
            except ValueError as err:
                raise ToolError(f"arguments are not valid JSON: {err}") from err
        else:
            parsed = dict(arguments)
        if not isinstance(parsed, dict):
            raise ToolError("arguments must be a JSON object")
        errors = sorted(tool.validator.iter_errors(parsed), key=lambda e: list(e.path))
        if errors:
            where = "/".join(str(p) for p in errors[0].path) or "arguments"
            raise ToolError(f"invalid arguments ({where}): {errors[0].message}")
        for param in tool.style:
            value = parsed.get(param)
            if value is None or value in tool.relative.get(param, {}):
                continue
            if not isinstance(value, str) or not value.strip() or (
                not _CSS_VALUE.fullmatch(value) or _CSS_FORBIDDEN.search(value)
            ):
                raise ToolError(f"{param} {value!r} is not an allowed CSS value")
        return parsed
