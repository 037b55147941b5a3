"""What the wheel is built from: pyproject's package list against the source tree, the voice
page's files against the package data, and the Makefile's declared targets.

setuptools cannot combine package discovery (`packages.find`) with the mapping that ships
`pages/` as `bridge.pages`: the found list silently leaves the mapped package out. So the list is
explicit, and these tests make a sub-package or a page file that would be left out of the wheel
fail here instead."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        config: dict[str, Any] = tomllib.load(f)["tool"]["setuptools"]
    return config


def _source_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def test_every_package_under_bridge_is_listed() -> None:
    config = _setuptools()
    on_disk = {".".join(init.parent.relative_to(ROOT).parts)
               for init in (ROOT / "bridge").rglob("__init__.py")
               if "__pycache__" not in init.parts}
    mapped = set(config.get("package-dir", {}))
    assert set(config["packages"]) == on_disk | mapped, (
        "pyproject.toml [tool.setuptools] packages must name every folder with an __init__.py "
        "under bridge/ (and the mapped bridge.pages), else the wheel leaves it out")


def test_every_folder_with_modules_is_a_regular_package() -> None:
    # A folder of modules without __init__.py imports as a namespace package from the source
    # tree but is in no package list, so an installed wheel would lack it.
    folders = {p.parent for p in (ROOT / "bridge").rglob("*.py") if "__pycache__" not in p.parts}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert not missing, f"add an __init__.py to: {', '.join(missing)}"


def test_every_non_python_file_ships_as_package_data() -> None:
    config = _setuptools()
    package_dirs = {ROOT / path: name for name, path in config.get("package-dir", {}).items()}
    package_dirs[ROOT / "bridge"] = "bridge"
    left_out = []
    for folder, package in package_dirs.items():
        for path in _source_files(folder):
            if path.suffix == ".py":
                continue
            owner = ".".join([package, *path.parent.relative_to(folder).parts])
            patterns = config.get("package-data", {}).get(owner, [])
            if not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns):
                left_out.append(str(path.relative_to(ROOT)))
    assert not left_out, f"not in [tool.setuptools.package-data], so not in the wheel: {left_out}"


def test_the_makefile_defines_every_target_it_declares_phony() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    declared = {name for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.M)
                for name in line.split()}
    defined = set(re.findall(r"^([A-Za-z][\w-]*):", makefile, re.M))
    assert declared, "the Makefile declares no .PHONY targets"
    assert declared <= defined, f"declared .PHONY but not defined: {sorted(declared - defined)}"


def test_build_output_is_ignored_by_git() -> None:
    # An install from the tree leaves build/lib/bridge/…, a second copy of the package that
    # tools searching the tree would read.
    try:
        result = subprocess.run(["git", "check-ignore", "-q", "build/lib/bridge/__init__.py"],
                                cwd=ROOT, capture_output=True, timeout=30)
    except FileNotFoundError:
        pytest.skip("git is not installed")
    if result.returncode == 128:
        pytest.skip("not a git checkout")
    assert result.returncode == 0, "build/ must be listed in .gitignore"
