"""Fetches what the tests use from the npm registry, once, checked against npm's own digest:
OpenAI's Agents SDK for the browser (`@openai/agents-realtime`), its `dist/bundle/*.mjs`.

Set-up runs it (`scripts/setup.sh`); tests only read what it left in the environment
(`<venv>/test-assets/`), so that no test reaches a registry. Usage: python scripts/fetch_test_assets.py
"""

from __future__ import annotations

import base64
import hashlib
import io
import ssl
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class NpmBundle:
    package: str
    version: str
    sha512: str  # npm's `dist.integrity`, base64
    members: str  # the files to keep: a prefix inside the tarball
    suffix: str

    @property
    def tarball(self) -> str:
        name = self.package.rsplit("/", 1)[-1]
        return f"https://registry.npmjs.org/{self.package}/-/{name}-{self.version}.tgz"

    @property
    def folder_name(self) -> str:
        return f"{self.package.strip('@').replace('/', '-')}-{self.version}"


AGENTS_REALTIME = NpmBundle(
    package="@openai/agents-realtime", version="0.20.0",
    sha512="KK3w9k9rkqv5mC25vykWTe/1IIcOMsqwJs9mB0aX9Z2Us487xGduZgqr+ENEzthjZbQvTi/+qUv/tfoZeN/p/w==",
    members="package/dist/bundle/", suffix=".mjs")


def assets_dir() -> Path:
    return Path(sys.prefix) / "test-assets"


def bundle_dir(bundle: NpmBundle = AGENTS_REALTIME) -> Path:
    return assets_dir() / bundle.folder_name


def fetch(bundle: NpmBundle) -> Path:
    folder = bundle_dir(bundle)
    if folder.exists():
        return folder
    # The system's certificate store, as pip and apt use, rather than httpx's own: where the
    # registry is reached through a proxy whose CA is installed system-wide, it trusts it.
    data = httpx.get(bundle.tarball, timeout=120, follow_redirects=True,
                     verify=ssl.create_default_context()).raise_for_status().content
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != bundle.sha512:
        raise SystemExit(f"{bundle.tarball} does not match npm's published sha512")
    folder.parent.mkdir(parents=True, exist_ok=True)
    unpacked = Path(tempfile.mkdtemp(prefix=folder.name, dir=folder.parent))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if member.name.startswith(bundle.members) and member.name.endswith(bundle.suffix):
                source = tar.extractfile(member)
                if source is not None:
                    (unpacked / Path(member.name).name).write_bytes(source.read())
    unpacked.rename(folder)  # whole or not at all: an interrupted download is not kept
    return folder


if __name__ == "__main__":
    print(fetch(AGENTS_REALTIME))
