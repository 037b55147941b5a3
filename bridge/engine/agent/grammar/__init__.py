"""Language models for recognising spoken commands, built from a session's own tools.

A tool list says what can be asked: the tools' names and descriptions, their parameters'
names, enums and examples, and what kind of value each parameter takes (a CSS colour, a CSS
length, a number, a yes/no). From that and the ordinary ways people phrase a command ("change
the X to Y", "make the X bigger", "what is on the page") this package builds either a JSGF
grammar or a trigram ARPA model for pocketsphinx, together with pronunciations for the words
its dictionary lacks ("html" spelled out, "blanched" from "blanch", made-up names by rule) and
the non-rhotic way of saying its words ("dark" without the R) that its American entries miss.

Spoken forms stay spoken: "dark slate gray", "twenty four pixels". Turning those back into
``darkslategray`` or ``24px`` is the intent matcher's job.

    lexicon   pronunciations: the dictionary's, built for words it lacks, accent variants
    terms     what a grammar is written in, rendered as JSGF or sampled into sentences
    values    the rules for numbers, CSS lengths, colour names and hex codes
    rules     commands from the tools' schemas and the ordinary phrasing around them
    model     the LanguageModel a decoder loads: JSGF, or an ARPA trigram sampled from it

It imports only the agent's `words` and `bridge.css`.
"""

from .lexicon import PHONES, Lexicon, accent_variant, default_lexicon, pronounce, spell
from .model import LanguageModel, ModelKind, build_language_model

__all__ = [
    "PHONES",
    "LanguageModel",
    "Lexicon",
    "ModelKind",
    "accent_variant",
    "build_language_model",
    "default_lexicon",
    "pronounce",
    "spell",
]
