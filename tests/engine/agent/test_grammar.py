"""Language models from arbitrary tool schemas, and pronunciations for unknown words."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from bridge.engine.agent.decoder import DecoderHost
from bridge.engine.agent.grammar import (
    PHONES,
    LanguageModel,
    Lexicon,
    ModelKind,
    accent_variant,
    build_language_model,
    default_lexicon,
    pronounce,
    spell,
)

SEED_TOOLS: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[3] / "pages" / "tools.json").read_text()
)["tools"]

# A page nothing in this project knows: enums, integers, booleans, nested and odd schemas.
PLAYER_TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "playTrack",
        "description": "Play a track from the playlist.",
        "parameters": {
            "type": "object",
            "properties": {"genre": {"type": "string", "enum": ["jazz", "hipHop", "lo-fi"]}},
            "required": ["genre"],
        },
    },
    {
        "type": "function",
        "name": "set_volume",
        "description": "Set the volume level.",
        "parameters": {"type": "object", "properties": {"level": {"type": "integer"}}},
    },
    {
        "type": "function",
        "name": "toggleShuffle",
        "parameters": {"type": "object", "properties": {"enabled": {"type": "boolean"}}},
    },
    {
        "type": "function",
        "name": "zorblaxQuux",
        "description": "Frobnicate the widget.",
        "parameters": {
            "type": "object",
            "properties": {
                "mode": {"anyOf": [{"const": "turbo"}, {"enum": [2, 3.5]}]},
                "items": {"type": "array", "items": {"enum": ["alpha", "beta"]}},
            },
        },
    },
    {"type": "function", "description": "no name: skipped"},
    {"type": "function", "name": "weird", "parameters": "not a schema"},
    "not even a mapping",  # type: ignore[list-item]
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return default_lexicon()


def test_known_words_keep_the_dictionary_pronunciation(lexicon: Lexicon) -> None:
    assert pronounce("button", lexicon) == "B AH T AH N"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("rgb", "AA R JH IY B IY"),  # no vowel: spelled
        ("px", "P IY EH K S"),
        ("blanched", "B L AE N CH T"),  # inflection of a known word
        ("whitesmoke", "W AY T S M OW K"),  # compound of known words
        ("fuchsia", "F Y UW SH AH"),  # the CSS colour the dictionary lacks
    ],
)
def test_unknown_words_get_pronunciations(lexicon: Lexicon, word: str, expected: str) -> None:
    assert word not in lexicon
    assert pronounce(word, lexicon) == expected


@pytest.mark.parametrize("word", ["zorblax", "frobnicate", "quuxify", "webrtc", "xyzzy", "aaa"])
def test_any_word_gets_valid_phones(lexicon: Lexicon, word: str) -> None:
    phones = pronounce(word, lexicon).split()
    assert phones
    assert set(phones) <= PHONES


@pytest.mark.parametrize(
    ("american", "non_rhotic"),
    [
        ("D AA R K", "D AA K"),  # no R after a vowel
        ("K AH L ER", "K AH L AH"),  # -er is a schwa
        ("P ER P AH L", "P AH P AH L"),
        ("HH IH R", "HH IH AH"),  # -ear glides to a schwa
        ("AO R AH N JH", None),  # R before a vowel stays
        ("ER TH", None),  # a word-initial ER has nothing to drop
        ("B L AE K", None),
    ],
)
def test_accent_variant_drops_the_r_after_vowels(american: str, non_rhotic: str | None) -> None:
    assert accent_variant(american) == non_rhotic


def test_language_model_carries_accent_variants_under_alternate_names(lexicon: Lexicon) -> None:
    prons = build_language_model(SEED_TOOLS).pronunciations
    names = [word for word, _ in prons]
    assert len(names) == len(set(names))  # each entry under a name of its own
    variants = {word: phones for word, phones in prons if "(" in word}
    assert "P AH P AH L" in {phones for word, phones in variants.items() if word.startswith("purple(")}
    for word, phones in variants.items():
        base = word.split("(", 1)[0]
        assert phones not in lexicon.entries.get(base, ()), word  # never a duplicate
        assert set(phones.split()) <= PHONES


def test_spell_uses_letter_names() -> None:
    assert spell("css") == "S IY EH S EH S"


def test_seed_grammar_covers_colours_sizes_and_questions() -> None:
    model = build_language_model(SEED_TOOLS)
    assert model.kind == "jsgf"
    vocabulary = set(model.vocabulary)
    assert {"background", "text", "button", "page", "html"} <= vocabulary
    assert {"dark", "slate", "gray", "goldenrod", "fuchsia", "rebecca"} <= vocabulary
    assert {"twenty", "pixels", "bigger", "smaller"} <= vocabulary
    assert "what is on the page" in model.text
    assert dict(model.pronunciations)["fuchsia"] == "F Y UW SH AH"


def test_grammar_from_unknown_tools(lexicon: Lexicon) -> None:
    model = build_language_model(PLAYER_TOOLS, extra_words=["Ahoy matey"])
    vocabulary = set(model.vocabulary)
    # names, enum values (split and said), numbers for integers, yes/no for booleans
    assert {"play", "track", "jazz", "hip", "hop", "lo", "fi", "volume", "shuffle"} <= vocabulary
    assert {"ninety", "hundred", "on", "off", "turbo", "alpha", "beta", "ahoy", "matey"} <= vocabulary
    assert {"zorblax", "quux"} <= vocabulary
    assert "weird" in vocabulary  # a tool with a broken schema is still addressable by name
    # every word the decoder cannot look up comes with phones from its phone set
    prons = dict(model.pronunciations)
    for word in model.vocabulary:
        assert word in lexicon or word in prons, word
    for phones in prons.values():
        assert set(phones.split()) <= PHONES


def test_model_is_picklable_hashable_and_keyed_by_content() -> None:
    first = build_language_model(SEED_TOOLS)
    again = build_language_model(SEED_TOOLS)
    other = build_language_model(PLAYER_TOOLS)
    assert first.key == again.key and first == again and hash(first) == hash(again)
    assert first.key != other.key
    restored = pickle.loads(pickle.dumps(first))
    assert isinstance(restored, LanguageModel) and restored.key == first.key


def test_no_tools_still_gives_a_usable_model() -> None:
    model = build_language_model([])
    assert "thank you" in model.text


@pytest.fixture(scope="module")
def host() -> DecoderHost:
    return DecoderHost()


@pytest.mark.parametrize(
    ("tools", "kind"),
    [(SEED_TOOLS, "jsgf"), (PLAYER_TOOLS, "jsgf"), ([], "jsgf"), (PLAYER_TOOLS, "ngram")],
)
def test_pocketsphinx_accepts_the_model(
    host: DecoderHost, tools: list[dict[str, Any]], kind: ModelKind
) -> None:
    model = build_language_model(tools, kind=kind)
    host.activate(model)  # raises RecognitionError if pocketsphinx refuses it
    host.activate(model)  # cached: no second build
