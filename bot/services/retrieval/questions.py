"""What a question asks for, and which passages are lists of it: the patterns retrieval reads.

A "what is X?" question asks to define a term (:func:`definition_term`); a "which X …?" question
asks for a list of X (:data:`FOCUS`), and a passage labelled with X is that list
(:func:`list_stems`) unless it is an optional sub-list (:data:`OPTIONAL_HEADING`,
:data:`OPTIONAL_TEXT`) and the question does not ask for optional things (:data:`WANTS_OPTIONAL`).
"""

from __future__ import annotations

import functools
import re

from bot.domain.chunks import word_set, words
from bot.services.retrieval.english import key_of

#: What a "which/what X …" question asks for: the words between the wh-word and the verb or
#: pronoun after them ("Which *tools* will I use", "What *KPIs* am I measured on"). A passage whose
#: label or heading names X is a list of X; one that mentions X in passing is not.
FOCUS = re.compile(
    r"\b(?:which|what)\s+(?:(?:kinds?|sorts?|types?)\s+of\s+)?"
    r"(?P<focus>(?:(?!(?:is|are|was|were|do|does|did|will|would|should|can|could|must|might|"
    r"shall|am|i|we|you|they|it|my|the|a|an|of|to|in|on|for|and|or|happens|if|else|kind|sort|"
    r"type)\b)[a-z0-9][\w'-]*\s+){1,3}?)"
    r"(?=(?:is|are|was|were|do|does|did|will|would|should|can|could|must|might|shall|am|i|we|"
    r"you|they|it|my|the|a|an|of|to|in|on|for|matter|matters|count|counts|go|come|get|make|"
    r"need|show|help)\b)",
    re.IGNORECASE,
)
#: "What is X?", "what does X mean?", "define X": a request for the meaning of a short term. X
#: opening with "the", "my", "your" … ("what are the 60-day goals?") asks about the role instead.
_DEFINITION = re.compile(
    r"^\s*(?:(?:so|ok|and|but|hi|hey),?\s+)?(?:"
    r"what\s+is\s+meant\s+by\s+(?:an?\s+)?(?P<e>[^?.!,;:]{1,40}?)|"
    r"what(?:'s|’s|\s+is|\s+are)\s+(?:an?\s+)?(?P<a>[^?.!,;:]{1,40}?)|"
    r"what\s+(?:does|do)\s+(?:an?\s+)?(?P<b>[^?.!,;:]{1,40}?)\s+(?:mean|stand\s+for)|"
    r"(?:please\s+)?define\s+(?:an?\s+)?(?P<c>[^?.!,;:]{1,40}?)|"
    r"(?:what\s+is\s+)?(?:the\s+)?(?:meaning|definition)\s+of\s+(?:an?\s+)?"
    r"(?P<d>[^?.!,;:]{1,40}?))"
    r"(?:\s+(?:exactly|actually|again|here|in this role|in the blueprint))?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_NOT_A_TERM = word_set(
    """the my your our their this that these those it its he she they i you we who what which
    how why when where there here left next new"""
)


def definition_term(question: str) -> str | None:
    """The term a "what is X?" question asks to define ("RAG", "an eval harness"), or None."""
    match = _DEFINITION.match(question)
    if match is None:
        return None
    term = next(g for g in match.groups() if g).strip()
    found = words(term)
    if not found or len(found) > 4 or found[0] in _NOT_A_TERM:
        return None
    return term


#: Words a label may add to X and still be the list of X ("Top 10 KPIs", "Main deliverables").
_LIST_WORDS = word_set("top main key core common primary typical 5 10 summary list")
#: Marks of a section's optional sub-list: a heading "Good-to-have …", "(not required …)",
#: "(generally optional)", an item "(Optional; context-specific)", a table cell "Optional".
OPTIONAL_HEADING = re.compile(
    r"\b(optional|context-specific|context-dependent|good-to-have|nice-to-have|not required)\b",
    re.IGNORECASE,
)
OPTIONAL_TEXT = re.compile(
    r"\((?:generally\s+)?(?:optional|context-specific|context-dependent)\b|"
    r":\s*(?:Optional|Context-specific)\b",
)
#: Words by which a question asks for the optional part itself ("nice to have", "bonus").
WANTS_OPTIONAL = word_set(
    """optional nice good-to-have nice-to-have bonus plus extra extras advanced context
    context-specific depends depend depending sometimes situational beyond"""
)


@functools.cache
def list_stems() -> frozenset[str]:
    """The stems of :data:`_LIST_WORDS` (computed once)."""
    return frozenset(key_of(w) for w in _LIST_WORDS)
