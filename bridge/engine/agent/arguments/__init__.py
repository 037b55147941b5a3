"""Words, values and tool arguments in an utterance.

An utterance is typed text or a speech transcript (lower case, no punctuation, numbers often
spelled out). `Utterance.parse` finds the values in it once: colours, numbers, CSS lengths, and
the content words it uses as keywords. `ParamSpec.from_schema` reads what kind of value a
parameter takes from its JSON schema, and `extract_arguments` gives each parameter of one tool
the value that belongs to it. Nothing here knows any particular tool.

    vocabulary  the words it knows: stop-words, synonyms, words of values and fillers
    keys        keyword keys, spelling- and synonym-neutral
    mentions    numbers, lengths and colours in words
    utterance   an utterance parsed once
    params      what a parameter takes, from its schema
    extraction  a tool's arguments from an utterance

It imports only the agent's `words` and `bridge.css`.
"""

from .acts import is_statement
from .extraction import Extraction, extract_arguments
from .keys import GENERIC_KEYS, VERB_KEYS, content_keys, word_key
from .mentions import Mention
from .params import Kind, ParamSpec
from .utterance import Token, Utterance
from .vocabulary import ADD_VERBS, READ_VERBS, STOP_WORDS, base_vocabulary, color_words

__all__ = [
    "ADD_VERBS",
    "GENERIC_KEYS",
    "READ_VERBS",
    "STOP_WORDS",
    "VERB_KEYS",
    "Extraction",
    "Kind",
    "Mention",
    "ParamSpec",
    "Token",
    "Utterance",
    "base_vocabulary",
    "color_words",
    "content_keys",
    "extract_arguments",
    "is_statement",
    "word_key",
]
