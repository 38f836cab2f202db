"""Grounding: which retrieved passages support each sentence of the answer.

Citations come from the evidence, not from the model's memory: a sentence is supported
by a passage holding at least `min_support` of its terms (`grounding.min_support` in
guardrails.yaml). A `[n]` marker the model wrote counts for passage n when that passage
supports the sentence at least half as well; a marker to a passage that was not
retrieved is ignored. So a provider
answering in plain prose from the right passage is cited like one that writes markers.
"""

import re
from dataclasses import dataclass

from .citations import citation_for
from .retrieval import Passage
from .schemas import Citation
from .text import content_terms, sentences

_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass(frozen=True)
class Grounding:
    citations: list[Citation]
    # Share of the answer's sentences (those with content terms) that some passage supports.
    supported_share: float
    unsupported: tuple[str, ...]


def ground(answer_text: str, passages: list[Passage], min_support: float) -> Grounding:
    passage_terms = [content_terms(f"{p.chunk.title} {p.chunk.text}") for p in passages]
    cited: dict[int, None] = {}  # passage numbers in order of first support
    counted = supported = 0
    unsupported: list[str] = []
    for sentence in sentences(answer_text):
        terms = content_terms(_MARKER.sub(" ", sentence))
        if not terms:
            continue
        counted += 1
        support = [len(terms & known) / len(terms) for known in passage_terms]
        marked = [int(m) for m in _MARKER.findall(sentence) if 1 <= int(m) <= len(passages)]
        backers = [n for n in marked if support[n - 1] >= min_support / 2]
        best = max(support, default=0.0)
        if best >= min_support:
            backers += [
                number
                for number, share in enumerate(support, start=1)
                if share == best and number not in backers
            ]
        if backers:
            supported += 1
            cited.update(dict.fromkeys(backers))
        else:
            unsupported.append(sentence)
    citations = [citation_for(number, passages[number - 1]) for number in cited]
    share = supported / counted if counted else 0.0
    return Grounding(citations, share, tuple(unsupported))
