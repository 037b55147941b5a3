#!/usr/bin/env bash
# Installs what the bridge needs, idempotently: the Python packages into .venv, a Chromium that
# can capture a (fake) microphone, and espeak-ng for spoken replies and synthesised test speech.
# Usage: scripts/setup.sh [VENV]   (make run / make test call it)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv}
py="$venv/bin/python"
stamp="$venv/.installed"
wheelhouse="$venv/wheelhouse"

say() { printf 'setup: %s\n' "$*"; }
as_root_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
apt_install() {
  if [ ! -f "$venv/.apt-updated" ]; then apt-get update -qq && touch "$venv/.apt-updated"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ! -x "$py" ]; then
  say "creating $venv"
  python3 -m venv "$venv" || { say "python3 -m venv failed: install python3-venv (Debian: apt-get install python3-venv)"; exit 1; }
fi
# Every build, runtime and test dependency goes into a wheelhouse first, and the editable install
# takes them from there: one download, and tests/packaging can install the built wheel into a
# fresh venv offline (--no-index) with exactly these versions.
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ ! -f "$wheelhouse/.complete" ]; then
  say "installing Python packages"
  "$py" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  rm -rf "$wheelhouse"
  "$py" - >"$venv/requirements.txt" <<'PY'
import tomllib
with open("pyproject.toml", "rb") as f:
    config = tomllib.load(f)
project = config["project"]
print(*config["build-system"]["requires"], *project["dependencies"],
      *project["optional-dependencies"]["test"], sep="\n")
PY
  "$py" -m pip wheel -q --disable-pip-version-check -w "$wheelhouse" -r "$venv/requirements.txt"
  touch "$wheelhouse/.complete"
  "$py" -m pip install -q --disable-pip-version-check --no-index --find-links "$wheelhouse" -e '.[test]'
  touch "$stamp"
fi

# espeak-ng speaks the agent's replies and synthesises test utterances.
if ! command -v espeak-ng >/dev/null; then
  if as_root_apt; then say "installing espeak-ng"; apt_install espeak-ng
  else say "espeak-ng is missing: install it (Debian/Ubuntu: sudo apt-get install espeak-ng; macOS: brew install espeak-ng)"; exit 1; fi
fi

# flite is the second synthesiser of the speech accuracy suite (voices unlike espeak-ng's).
if ! command -v flite >/dev/null; then
  if as_root_apt; then say "installing flite"; apt_install flite
  else say "flite is missing: install it (Debian/Ubuntu: sudo apt-get install flite; macOS: brew install flite)"; exit 1; fi
fi

# Debian's festival and three of its English voices are the third synthesiser of the accuracy
# suite (make accuracy); text2wave is how it is called.
festival_voices="festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts"
festival_missing() {
  command -v text2wave >/dev/null || return 0
  [ -d /usr/share/festival/voices/english/kal_diphone ] && [ -d /usr/share/festival/voices/english/ked_diphone ] \
    && [ -d /usr/share/festival/voices/us/cmu_us_slt_arctic_hts ] && return 1
  return 0
}
if festival_missing; then
  if as_root_apt; then say "installing festival and its voices"; apt_install festival $festival_voices
  else say "festival is missing: install it (Debian/Ubuntu: sudo apt-get install festival $festival_voices)"; exit 1; fi
fi

# Playwright's driver is a bundled Node.js that needs libatomic, absent from minimal Debian.
if ! ldconfig -p 2>/dev/null | grep -q 'libatomic\.so\.1'; then
  if as_root_apt; then say "installing libatomic1 (for Playwright's driver)"; apt_install libatomic1
  else say "libatomic.so.1 is missing: Playwright's driver needs it (Debian/Ubuntu: sudo apt-get install libatomic1)"; exit 1; fi
fi

# Chromium: BRIDGE_CHROMIUM, else Playwright's full Chromium, else the system's, else Debian's.
chromium_ok() {
  "$py" - <<'PY'
import os, sys
from bridge.browser.chromium import choose_chromium
from bridge.errors import ChromiumNotFound
from playwright.sync_api import sync_playwright
try:
    with sync_playwright() as p:
        own = p.chromium.executable_path
except Exception:
    own = None
try:
    choice = choose_chromium(os.environ.get("BRIDGE_CHROMIUM"), own)
except ChromiumNotFound:
    sys.exit(1)
print(f"{choice.source} {choice.executable or own}")
PY
}
if ! found=$(chromium_ok); then
  say "trying: playwright install chromium"
  if ! timeout 300 "$py" -m playwright install chromium >/dev/null 2>&1; then
    say "playwright could not download its Chromium (fine: looking for another)"
  fi
  if ! found=$(chromium_ok); then
    if as_root_apt; then say "installing Debian's chromium"; apt_install chromium
    else say "no Chromium: run '$py -m playwright install chromium', or install chromium with your package manager, or set BRIDGE_CHROMIUM=/path/to/chromium"; exit 1; fi
    found=$(chromium_ok) || { say "chromium still not found"; exit 1; }
  fi
fi
# What the tests use from the npm registry (OpenAI's Agents SDK bundle), fetched once, checked.
if ! assets=$("$py" scripts/fetch_test_assets.py 2>&1); then
  say "could not fetch the test assets from the npm registry: $assets"; exit 1
fi
say "ready (chromium: $found)"
