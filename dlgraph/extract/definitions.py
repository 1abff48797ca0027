"""Definitional answers: a glossary-style card says what its subject is a kind of, and gives examples.

"AdaGrad: A sophisticated gradient descent algorithm that rescales ..." names the subject's genus
right after the article: AdaGrad is a kind of gradient descent. "A function (for example, ReLU or
sigmoid) that ..." names kinds of the subject: ReLU and sigmoid are activation functions. Both
patterns are read from tokens alone, so they work on the blank pipeline.

Examples
--------
>>> words = "A sophisticated gradient descent algorithm that rescales gradients".split()
>>> genus_at([w.lower() for w in words], 2, 4, first_mention=True)
True
>>> genus_at("the fraction of predictions that".split(), 3, 4, first_mention=True)
False
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import NamedTuple

#: Prepositions: they end a genus phrase, none sits inside one, and each opens a phrase of place, time
#: or manner inside a clause ("that at its core is").
PREPOSITIONS = frozenset(
    """in of for with to by on from into over as via at under within inside during after before through
    between among across without""".split()
)
#: What a definition starts with before its genus.
LEADS = frozenset({"a", "an", "the", "any", "one"})
#: At most this many modifiers between the article and the genus ("a sophisticated gradient ...").
MAX_MODIFIERS = 3
#: Words that end a genus phrase: what follows the genus in "an X that/which/of/used for ...".
AFTER_GENUS = PREPOSITIONS | frozenset("that which who whose where when using used , . ; : ( )".split())
#: Head nouns a genus may be followed by ("a gradient descent algorithm"): the genus is still the mention.
GENERIC_HEADS = frozenset(
    """algorithm algorithms method methods technique techniques model models approach function functions
    layer layers network networks architecture architectures metric metrics loss procedure process
    system framework operation mechanism unit type kind form variant version family class strategy
    optimizer regularizer estimator classifier""".split()
)
#: Words that may sit between the article and the genus without being part of a name: any word but
#: these (a preposition or a verb-like cue means the phrase is not "article + modifiers + genus").
BREAKS = PREPOSITIONS | frozenset("that which who whose where when while is are was be and or not".split())
#: Phrases after which the mentions up to the end of the clause or bracket are examples (kinds).
EXAMPLE_CUES: tuple[tuple[str, ...], ...] = (
    ("such", "as"),
    ("for", "example"),
    ("for", "instance"),
    ("e.g.",),
    ("e.g",),
    ("eg",),
    ("including",),
)
_CUE_STARTS = frozenset(cue[0] for cue in EXAMPLE_CUES)
_REGION_ENDS = frozenset({")", "]", ";", ":", ".", "!", "?"})
_SENTENCE_ENDS = frozenset({".", "!", "?", "\n"})
_VERBS_AFTER_LIST = frozenset("is are was were has have can may might will would could should must".split())
_LIST_WORDS = frozenset({",", "and", "or", "the", "a", "an", "&"})


#: What may follow a bare plural genus ("Features represented as ...", "Values that ...").
PLURAL_GENUS_AFTER = frozenset({"that", "which", "who", "whose", "used"})
#: What may follow a genus written without its article: a label's colon, or what it is for.
BARE_GENUS_AFTER = frozenset({":", "for", "that", "which", "used", "trained"})
#: Words that, first in an answer, make what follows no genus: verbs in the imperative, and words
#: that count or compare ("more memory for ...", "only CNNs for ...").
BARE_NOT_MODIFIERS = frozenset(
    """use uses apply applies add adds replace replaces combine combines train trains compute computes
    predict predicts learn learns split splits stack stacks keep keeps pick make take give find see
    not no only more less fewer also just each every all some many most other same""".split()
)


NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten several".split())


def _modifier(word: str) -> bool:
    """Whether a word before a genus written without its article can modify it: not a verb, an
    article, a preposition, a number, a plural or a long -ed/-ing word ("creating a model",
    "problem of deep GNNs", "two RNNs", "stacked layers")."""
    return not (
        word in BARE_NOT_MODIFIERS
        or word in LEADS
        or word in BREAKS
        or word in NUMBER_WORDS
        or _plural(word)
        or (word.endswith(("ing", "ed")) and len(word) > 5)
    )


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


#: What, after a name that opens a note, says the name is described: "CNN that ...", "which".
DESCRIBED_BY = frozenset({"that", "which", "whose"})


def _describes(lower: Sequence[str], end: int) -> bool:
    """Whether what follows a name at ``end`` describes it: a relative word, a generic head noun
    ("policy gradient method"), or a participle ("trained on", "pre-trained with").

    >>> _describes("cnn that sees".split(), 1), _describes("x pre - trained with".split(), 1)
    (True, True)
    >>> _describes("momentum for each".split(), 1)
    False
    """
    after = lower[end]
    if after in DESCRIBED_BY or after in GENERIC_HEADS:
        return True
    at = end
    if end + 2 < len(lower) and lower[end + 1] == "-":
        at = end + 2  # "pre-trained"
    after = lower[at]
    # a participle before its preposition ("trained on"), not a past tense ("RNN replaced gates")
    participle = after.isalpha() and after.endswith("ed") and len(after) > 4 and after != "based"
    return participle and at + 1 < len(lower) and lower[at + 1] in PREPOSITIONS


def genus_at(
    lower: Sequence[str], start: int, end: int, *, first_mention: bool, sentence_start: int = 0
) -> bool:
    """Whether the mention at ``[start, end)`` is the genus of a definition that begins at
    ``sentence_start``: the first mention, right after an article and a few modifiers (a hyphen
    joins two words of one), and followed by the end of the phrase or a generic head noun. A note
    may drop the article when a hyphenated modifier marks the genus ("max-margin classifier: ...")."""
    sentence_start = first_word(lower, sentence_start)
    if first_mention and start == sentence_start and end - start == 1 and _plural(lower[start]):
        # "Features represented as integers ...", "Neurons that ...": a bare plural genus, said of
        # the card's term when a participle or relative word follows it
        return end >= len(lower) or lower[end] in PLURAL_GENUS_AFTER or lower[end].endswith("ed")
    if first_mention and start == sentence_start and end < len(lower) and lower[start] not in LEADS:
        # "GPT: decoder-only transformer that predicts ...", "PPO: policy gradient method with ...": a
        # note that opens with a known name said to do something names its genus. "momentum for
        # each parameter", "skip connections; ..." or a name with "with"/"of" after it may be a part.
        return not _plural(lower[end - 1]) and _describes(lower, end)
    bare = first_mention and sentence_start <= start and end < len(lower) and lower[end] in BARE_GENUS_AFTER
    if bare and lower[sentence_start] not in LEADS:
        # "max-margin classifier: finds ...", "encoder-decoder CNN for image segmentation": a note's
        # genus without its article, marked by a hyphenated modifier (no verb among its modifiers);
        # without one, "momentum for each parameter" or "MoE: a layer ..." name no kind.
        before = lower[sentence_start:start]
        return (
            "-" in before
            and sum(w.isalpha() for w in before) <= MAX_MODIFIERS
            and all(w == "-" or (w.isalpha() and _modifier(w)) for w in before)
        )
    if not first_mention or start <= sentence_start or lower[sentence_start] not in LEADS:
        return False
    between = lower[sentence_start + 1 : start]
    # "a high-level TensorFlow API": a hyphen joins two words of one modifier
    words = [w for w in between if w != "-"]
    if len(words) > MAX_MODIFIERS or any(w in BREAKS or not w.isalpha() for w in words):
        return False
    if end >= len(lower):
        return True
    after = lower[end]
    return after in AFTER_GENUS or after in GENERIC_HEADS or after.endswith(("ed", "ing"))


def example_regions(lower: Sequence[str], named: Container[int] | None = None) -> list[tuple[int, int]]:
    """``[start, end)`` token ranges whose mentions are examples: after an example cue, a list of
    names (tokens in ``named``, joined by commas, "and", "or", articles) up to the end of its clause
    or bracket. "For example, in a binary classification model that ..." is prose, not a list: its
    region ends at "in".

    >>> example_regions("a function ( for example , relu or sigmoid ) that".split())
    [(5, 9)]
    >>> example_regions("for example , in a spam model".split(), named={4, 5})
    []
    >>> example_regions("for example , a machine learning algorithm training".split(), named={4, 5})
    []
    >>> example_regions("for example , learning rate is a hyperparameter".split(), named={3, 4})
    [(2, 5)]
    """
    regions = []
    after = 0  # a cue inside the last region found is part of that region
    for i in [i for i, word in enumerate(lower) if word in _CUE_STARTS]:  # most words start no cue
        if i < after:
            continue
        cue = next((c for c in EXAMPLE_CUES if tuple(lower[i : i + len(c)]) == c), None)
        if cue is None:
            continue
        start = i + len(cue)
        end = start
        while end < len(lower) and lower[end] not in _REGION_ENDS:
            if named is not None and end not in named and lower[end] not in _LIST_WORDS:
                break
            end += 1
        # "For example, a machine learning algorithm training on ..." opens a sentence of prose: the
        # name is a modifier inside a longer noun phrase. A list there ends its clause, or is the
        # subject of a verb ("For example, learning rate is a hyperparameter").
        opens_sentence = i == 0 or lower[i - 1] in _SENTENCE_ENDS
        closed = end >= len(lower) or not lower[end].isalpha() or lower[end] in _VERBS_AFTER_LIST
        listed = end > start and (named is None or any(k in named for k in range(start, end)))
        if listed and (closed or not opens_sentence):
            regions.append((start, end))
        after = max(end, i + 1)
    return regions


#: Nouns naming uses rather than kinds: "applications such as machine translation" are tasks the
#: subject addresses, not kinds of it.
TASK_NOUNS = frozenset(
    "application applications task tasks problem problems domain domains area areas use uses".split()
)
TASK_CLASS = "task"
_CUE_TOKENS = frozenset({w for cue in EXAMPLE_CUES for w in cue} | {",", "("})


#: A list announced by a clause with one of these phrases lists the subject's parts ...
LIST_PART_CUES: tuple[tuple[str, ...], ...] = (
    ("consists", "of"),
    ("consist", "of"),
    ("composed", "of"),
    ("made", "of"),
    ("made", "up", "of"),
    ("combination", "of"),
    ("contains",),
    ("parts",),
    ("components",),
)
#: ... with one of these words, kinds of the class it names beside them (see :func:`list_class`).
LIST_KIND_WORDS = frozenset("types kinds forms sorts classes categories variants following".split())
INCLUDE_WORDS = frozenset({"include", "includes", "including"})
#: What may open a list line before its item.
BULLETS = frozenset({"-", "*", "•", "·", "–", "+", "o"})
#: How far back from its colon a list's announcing clause is read, and how many lines a list has.
LIST_HEAD_REACH = 30
LIST_MAX_ITEMS = 40


class AnnouncedList(NamedTuple):
    """A clause ending in a colon and a line break, and the lines that follow it up to a blank line."""

    head_start: int  # the announcing clause: [head_start, colon)
    colon: int
    kind: str  # "part-of" (the subject's parts) or "is-a" (kinds of a class)
    items: list[int]  # the first token of each line's item (after any bullet)


def announced_lists(lower: Sequence[str]) -> list[AnnouncedList]:
    """The lists a card announces ("consists of the following layers:", "There are two types of
    hierarchical clustering algorithms:"), one item a line, as flashcards lay lists out.

    >>> nl, blank = chr(10), chr(10) * 2
    >>> words = ["it", "consists", "of", "the", "following", "layers", ":", blank, "conv", "layers", nl]
    >>> announced_lists(words + ["-", "pooling", "layers", blank, "done", "."])
    [AnnouncedList(head_start=0, colon=6, kind='part-of', items=[8, 12])]
    """
    out = []
    for colon, word in enumerate(lower):
        if word != ":" or colon + 1 >= len(lower) or "\n" not in lower[colon + 1]:
            continue
        start = colon
        while start > max(0, colon - LIST_HEAD_REACH) and not _breaks_line(lower[start - 1]):
            start -= 1
        head = lower[start:colon]
        if any(tuple(head[k : k + len(cue)]) == cue for cue in LIST_PART_CUES for k in range(len(head))):
            kind = "part-of"
        elif any(w in LIST_KIND_WORDS or w in INCLUDE_WORDS for w in head):
            kind = "is-a"
        else:
            continue
        items: list[int] = []
        line = colon + 1
        while line < len(lower) and lower[line].isspace():
            line += 1
        while line < len(lower) and len(items) < LIST_MAX_ITEMS:
            first = line
            while first < len(lower) and lower[first] in BULLETS:
                first += 1
            items.append(first)
            while line < len(lower) and "\n" not in lower[line]:
                line += 1
            if line >= len(lower) or lower[line].count("\n") > 1:
                break  # a blank line (or the end) closes the list
            line += 1
        out.append(AnnouncedList(start, colon, kind, items))
    return out


def list_class(
    lower: Sequence[str], announced: AnnouncedList, spans: Sequence[tuple[int, int]]
) -> int | None:
    """Which of ``spans`` (mentions in the announcing clause) names the class a list of kinds is of:
    the one right after a kind word ("types of hierarchical clustering algorithms", "the following
    layers"), right before "include" ("Popular optimizers include:"), or after "are" at the colon
    ("..., are convex functions:"). None when the clause names no class ("the following concepts").

    >>> words = "there are two types of hierarchical clustering algorithms :".split()
    >>> list_class(words, AnnouncedList(0, 8, "is-a", []), [(5, 7)])
    0
    """
    for n, (start, end) in enumerate(spans):
        before = lower[start - 1] if start > 0 else ""
        if before in LIST_KIND_WORDS or (
            before == "of" and start > 1 and lower[start - 2] in LIST_KIND_WORDS
        ):
            return n
        if end < len(lower) and lower[end] in INCLUDE_WORDS:
            return n
        if end == announced.colon and before in ("are", "is"):
            return n
    return None


def _breaks_line(word: str) -> bool:
    return word in (".", "!", "?", ":", ";") or "\n" in word


def example_class(lower: Sequence[str], region_start: int) -> int | str | None:
    """What the examples starting at ``region_start`` are examples of: :data:`TASK_CLASS` after a
    noun like "applications", else the index of the word right before the example cue (the class
    noun: "loss functions such as ..."), or ``None`` at the start of the text.

    >>> example_class("applications such as translation".split(), 3)
    'task'
    >>> example_class("a loss function , such as l2".split(), 6)
    2
    """
    i = region_start - 1
    while i >= 0 and lower[i] in _CUE_TOKENS:
        i -= 1
    if i < 0:
        return None
    return TASK_CLASS if lower[i] in TASK_NOUNS else i


#: Sentence openings that tell two terms apart rather than relate them ("Not to be confused with the
#: bias term").
DISAMBIGUATIONS: tuple[tuple[str, ...], ...] = (
    ("not", "to", "be", "confused", "with"),
    ("not", "the", "same", "as"),
    ("do", "not", "confuse"),
    ("don't", "confuse"),
    ("distinct", "from"),
)
#: Sentence openings of an example: what it says holds inside the example, not of the card's term.
EXAMPLE_LEADS: tuple[tuple[str, ...], ...] = (
    ("for", "example"),
    ("for", "instance"),
    ("e.g.",),
    ("consider",),
)


def opens_with(lower: Sequence[str], start: int, leads: tuple[tuple[str, ...], ...]) -> bool:
    """Whether the sentence at ``start`` opens with one of ``leads``.

    >>> opens_with("not to be confused with bias".split(), 0, DISAMBIGUATIONS)
    True
    >>> opens_with(["  ", "not", "to", "be", "confused", "with"], 0, DISAMBIGUATIONS)
    True
    """
    start = first_word(lower, start)
    return any(tuple(lower[start : start + len(lead)]) == lead for lead in leads)


#: "A neuron in a hidden layer", "The subsystem within a GAN": where a definition puts its genus.
PLACING_WORDS = frozenset({"in", "within"})
#: ... only before a determiner: "a technique in machine learning" sets a field, not a whole.
PLACED_DETERMINERS = frozenset({"a", "an", "the", "each", "every"})
#: At most this many words from the article to the genus before the place ("One unrolled cell").
MAX_PLACED_GENUS = 4


def placed_in(lower: Sequence[str], begin: int, start: int, end: int) -> bool:
    """Whether the mention at ``[start, end)`` is where the definition opening at ``begin`` puts
    the term: "A neuron in a hidden layer", "One unrolled cell within a recurrent neural network",
    "The subsystem within a generative adversarial network" (the term is a part of it).

    >>> placed_in("a neuron in a hidden layer".split(), 0, 4, 6)
    True
    >>> placed_in("a technique in machine learning".split(), 0, 3, 5)
    False
    >>> placed_in("a model trained in a data center".split(), 0, 5, 7)
    False
    >>> placed_in("a node in the tensorflow graph".split(), 0, 4, 5)  # the place is the graph
    False
    """
    begin = first_word(lower, begin)
    if end < len(lower) and (
        (lower[end].isalpha() and lower[end] not in AFTER_GENUS) or lower[end] in ("'s", "’s")
    ):
        return False  # the mention only modifies the noun after it ("an LSTM's cell state")
    if start < 2 or lower[start - 1] not in PLACED_DETERMINERS or lower[start - 2] not in PLACING_WORDS:
        return False
    genus = [w for w in lower[begin : start - 2] if w.isalnum() or "-" in w]
    if not genus or genus[0] not in LEADS or not 2 <= len(genus) <= MAX_PLACED_GENUS:
        return False
    quoted = [w for w in lower[begin : start - 2] if not (w.isalnum() or "-" in w)]
    if any(q not in QUOTES for q in quoted):
        return False  # a comma or a bracket: the place belongs to something else
    # the word before the place is the genus noun, not a participle ("a model trained in a ...")
    return not (any(w in BREAKS for w in genus[1:]) or genus[-1].endswith(("ed", "ing")))


#: Quotation marks a genus may wear ("One 'unrolled' cell").
QUOTES = frozenset({'"', "'", "“", "”", "‘", "’"})


def first_word(lower: Sequence[str], start: int) -> int:
    """The first token at or after ``start`` that is not whitespace: a sentence after a blank line
    begins with the blank line's token."""
    while start < len(lower) and lower[start].isspace():
        start += 1
    return start


#: How many words a scene-setting lead ("In reinforcement learning,") may have before its comma.
SETTING_WORDS = 5


def setting_end(lower: Sequence[str]) -> int:
    """Where an answer's definition begins, past a lead that sets the scene ("In reinforcement
    learning, a policy that ..." begins at "a"); 0 when it has none.

    >>> setting_end("in reinforcement learning , a policy".split()), setting_end("a policy".split())
    (4, 0)
    """
    start = first_word(lower, 0)
    if start >= len(lower) or lower[start] != "in":
        return 0
    for i in range(start + 1, min(len(lower), start + SETTING_WORDS + 2)):
        if lower[i] == ",":
            return first_word(lower, i + 1) if i > start + 1 else 0
        if not lower[i].isalnum() and lower[i] != "-":
            return 0
    return 0


def domain_lead(lower: Sequence[str], sentence_start: int, start: int, end: int) -> bool:
    """Whether the mention at ``[start, end)`` only sets the scene: "In reinforcement learning, a
    ..." says where the term lives, not how it relates, and would make the field a hub of every map.

    >>> domain_lead("in reinforcement learning , a sequence".split(), 0, 1, 3)
    True
    """
    sentence_start = first_word(lower, sentence_start)
    if sentence_start >= len(lower) or lower[sentence_start] != "in":
        return False
    if end >= len(lower) or lower[end] != ",":
        return False
    return start == sentence_start + 1 or (start == sentence_start + 2 and lower[start - 1] in LEADS)
