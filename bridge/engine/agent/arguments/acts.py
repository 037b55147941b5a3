"""What kind of thing an utterance is: a statement about the world ("I like blue", "the
server was friendly") asks for nothing, however many of a tool's words it uses."""

from __future__ import annotations

from collections.abc import Sequence


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


__all__ = ["is_statement"]

# Finite verbs that make a clause a statement when a subject comes before them.
_FINITE = _words("""is are was were am has have had like likes love loves hate hates saw went
took got did does do made said thought know knew think feel felt seems seemed looks looked
lives lived works worked needs wants gets keeps kept left brought fell ended started read
""")
_CONTRACTED = frozenset({"it's", "that's", "there's", "he's", "she's", "i'm", "we're", "they're",
                         "i've", "we've", "you're", "its", "thats", "theres", "im"})
# Words that make what follows a request ("the button should be orange", "I want a white
# background", "can you ..."), or a question that may ask to read something.
_REQUEST = _words("""please want wanted would could can should must need let lets i'd we'd
wish make set change turn switch put add show open go play""")
_QUESTION = _words("what how where when who which why whats what's")


_COPULAS = _words("is are was were am")
# What a statement's subject starts with ("I paused", "the server brought our food").
_SUBJECT_WORDS = _words("""i we you he she they it my our your his her their the this that these
those a an there""")
_COMMANDS = _words("set make change turn switch put add show open play")
_SUBJECTS = _words("i we you he she they it")


def is_statement(words: Sequence[str]) -> bool:
    """Whether ``words`` (lower case) state something rather than ask for it: a subject, then
    a finite verb (or a past tense), before any request word, question word or command verb,
    and no command after it ("it's cold, set the heating to twenty")."""
    for i, word in enumerate(words):
        if word in _QUESTION or word in _REQUEST:
            return False
        finite = word in _COPULAS or (words[0] in _SUBJECT_WORDS and (
            word in _FINITE or (len(word) > 4 and word.endswith("ed"))))
        if word in _CONTRACTED or (i > 0 and finite):
            return not any(later in _COMMANDS and words[j - 1] not in _SUBJECTS
                           for j, later in enumerate(words[i + 1 :], start=i + 1))
    return False
