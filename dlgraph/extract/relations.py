"""Relations from card answers: each mention of a concept, typed by the cues of its clause, joined
to the card's subject; and the new concepts that answers name."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from ..decks import Card
from ..names import normalize
from ..vocabulary import DEFAULT_KIND, TOPICS

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
from .cues import (
    CUE_PHRASES,
    CUES_KEY,
    FALLBACK_TYPE,
    METHOD_KINDS,
    NO_CUE,
    WEAK_CUES,
    _Cue,
    _type_from_parse,
    _type_in_clause,
    cue_phrase,
    typed_by,
)
from .definitions import (
    AFTER_GENUS,
    DISAMBIGUATIONS,
    EXAMPLE_LEADS,
    PREPOSITIONS,
    SETTING_WORDS,
    TASK_CLASS,
    announced_lists,
    domain_lead,
    example_class,
    example_regions,
    first_word,
    genus_at,
    list_class,
    opens_with,
    placed_in,
    setting_end,
)
from .edges import assemble
from .mentions import CONCEPTS_KEY, DISTRIBUTED_KEY, _label_index, singular
from .phrases import (
    NOUN_ING,
    VERBS,
    accept_candidates,
    acronym_expansions,
    candidates,
    link_spans,
    third_person,
)
from .pipeline import make_pipeline
from .questions import (
    _clip,
    _topic,
    card_concepts,
    cloze_term,
    compares,
)
from .tokens import CLAUSE_WORDS, MID_PHRASE, Surface, Words, clause_table

MAX_EVIDENCE = 300
#: A concept loosely linked (related-to) to at least this share of a deck's cards, and to at least
#: HUB_MIN_CARDS concepts, is a hub: see :func:`.edges.assemble`.
HUB_SHARE = 0.03
HUB_MIN_CARDS = 8

#: What typed the alternative-to of a card whose question compares its terms ("BERT vs GPT").
COMPARED = "the question compares them"

#: Words that negate what their clause says of the mentions after them.
NEGATIONS = frozenset({"not", "n't", "never", "no", "without", "cannot", "neither", "nor"})
#: ... within this many tokens before the mention ("don't initialize to zero (causes symmetric
#: gradients)" does not negate the gradients).
NEGATION_REACH = 3


#: What typed a relation when a cue states a loose link itself ("predicts", "compare with"): such a
#: link is stated, not an aside's co-occurrence.
LOOSE_CUE_REASONS = frozenset(typed_by(phrase) for phrase in CUE_PHRASES[FALLBACK_TYPE])

#: Words opening a clause that points from the card to what it names ("see RPN", "cf. LSTM").
POINTERS = frozenset({"see", "cf", "cf.", "compare"})

#: A genus is the answer's first noun phrase: an article and a few modifiers, then the genus.
GENUS_REACH = 5

#: Clause words that stand for a noun before them, and can be their clause's subject.
RELATIVE_WORDS = frozenset({"that", "which", "who"})

#: What ends an answer's opening statement (see the first-clause rule in :func:`extract`).
OPENING_ENDS = frozenset({",", ";"}) | (CLAUSE_WORDS - RELATIVE_WORDS)
#: Verb forms that show a clause has begun after a noun phrase: auxiliaries, and the third person
#: of frequent verbs (:data:`.phrases.VERBS` and a few more that answers use).
AUXILIARIES = frozenset("is are was were has have can cannot will does may must".split())
FINITE_VERBS = frozenset(
    [*AUXILIARIES]
    + [
        third_person(v)
        for v in VERBS
        | frozenset(
            "map fall gather send fit match pull push hide swap pick mix sum stack feed pass turn look keep "
            "work act play grow stay drop skip".split()
        )
    ]
)

#: Words that count a noun rather than name it ("at least one layer").
QUANTIFIERS = frozenset("at least most one two all only some many few more".split())
DETERMINERS = frozenset("a an the this these that those its their our your each every any some".split())

#: A colon this many tokens into the answer or fewer follows a label ("MoE: a layer ..."), and what
#: follows goes on about the card's term. A later one ends the opening statement when a sentence of
#: its own follows ("self-distillation without labels: a student network matches ...", opening with
#: one of :data:`SENTENCE_OPENERS`); a list still goes on ("small network for digits: two conv
#: layers then dense layers").
LABEL_WORDS = 3
SENTENCE_OPENERS = frozenset(
    "a an the this these those its their each every it they we you after before during when once if".split()
)

#: A sentence past an answer's first of at least this many tokens is prose, not a note's fragment.
ASIDE_WORDS = 10


#: Answers longer than this are cut for extraction (a 1 MB answer is a pasted document, not a card).
MAX_ANSWER_CHARS = 20_000


@dataclass
class Extraction:
    """What extraction found: concepts it proposes from answers, relations, and notes for the report."""

    concepts: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: per card, the known concepts its answer names, in text order, whatever became of them (a
    #: mention too loose for a relation of its own may still be one the field graph relates)
    named: list[list[str]] = field(default_factory=list)


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    ref: tuple[str, str]  # ("id", concept id) or ("new", candidate key)


def extract(
    cards: Sequence[Card],
    nlp: Language,
    concepts: Sequence[dict[str, Any]],
    subjects: Sequence[Sequence[str]],
    *,
    batch_size: int = 256,
    min_count: int = 2,
    known: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Extraction:
    """Relations from every card's answer, and concepts proposed from answers.

    ``nlp`` comes from :func:`make_pipeline` over ``concepts``; ``subjects[i]`` are the concept ids
    card ``i`` is about (see :func:`card_concepts`). A phrase that is not a known concept becomes a
    new one when it is an acronym (SVM, RPN) or a run of content words seen in ``min_count`` cards.
    ``known`` are the ids whose topics are real (the graph's and the field's, not concepts the
    deck's questions just proposed): only they let an everyday word count as a mention.
    ``progress(done, total)`` is called before each card and once at the end (for a progress bar).
    """
    from spacy.util import filter_spans

    kinds = {c["id"]: c.get("kind", DEFAULT_KIND) for c in concepts}
    names = {c["id"]: c["name"] for c in concepts}
    real = set(known) if known is not None else {c["id"] for c in concepts}
    topics = {c["id"]: c.get("topic") for c in concepts if c.get("topic") in TOPICS and c["id"] in real}
    index = _label_index(concepts, in_answers=True)
    every_label = _label_index(concepts)  # a link's term may be a short acronym ("#TN")
    notes: list[str] = []
    texts = []
    for card in cards:
        if len(card.answer) > MAX_ANSWER_CHARS:
            notes.append(
                f"{card.source}: answer of {card.question!r} is {len(card.answer):,} characters; "
                f"only the first {MAX_ANSWER_CHARS:,} were read for relations"
            )
            texts.append(card.answer[:MAX_ANSWER_CHARS])
        else:
            texts.append(card.answer)
    if nlp.max_length < MAX_ANSWER_CHARS + 1:
        nlp.max_length = MAX_ANSWER_CHARS + 1

    # (source ref, target ref) -> {type: (evidence, what typed it)}; refs are ("id", cid) or ("new", key)
    found: dict[tuple[tuple[str, str], tuple[str, str]], dict[str, tuple[str, str]]] = {}
    cued: set[tuple[tuple[tuple[str, str], tuple[str, str]], str]] = set()  # typed by a cue somewhere
    candidate_cards: dict[str, set[int]] = {}
    candidate_forms: dict[str, dict[str, int]] = {}  # key -> spelling -> count, in order seen
    candidate_topic: dict[str, str] = {}
    linked_terms: set[str] = set()

    lexicon = Words(nlp)
    spellings: dict[tuple[str, str | None], tuple[str, str, str]] = {}  # (text, term) -> name, keys
    named_by_card: list[list[str]] = []
    for number, doc in enumerate(nlp.pipe(texts, batch_size=batch_size)):
        if progress is not None:
            progress(number, len(cards))
        card = cards[number]
        guessed: set[tuple[tuple[str, str], str]] = set()
        subject_refs = [("id", s) for s in subjects[number]]
        heads = {singular(names[s].split()[-1].lower()) for s in subjects[number] if names.get(s)}
        words = lexicon.of(doc)
        surface = Surface(doc, words, texts[number])
        parsed = doc.has_annotation("DEP")
        covered = [False] * len(doc)
        mentions: list[_Mention] = []
        subject_topics = {topics.get(s) for s in subjects[number]} - {None}
        # Read the spans once as plain tuples: each look at a spaCy span makes a new object.
        spans = doc.user_data.get(CONCEPTS_KEY)  # ConceptMatcher's plain copy of doc.spans
        if spans is None:
            spans = [(span.start, span.end, span.label_) for span in doc.spans[CONCEPTS_KEY]]
        in_span: set[int] | None = None  # every token of a span, made the first time it is asked
        shared_head = doc.user_data.get(DISTRIBUTED_KEY, ())  # "forget" in "forget and input gates"
        named_by_card.append(list(dict.fromkeys(label for _, _, label in spans)))
        linked = {normalize(singular(key)) for link in card.links for key in link} - {""}
        setting = setting_end([w.lower for w in words[: SETTING_WORDS + 8]])
        for start, end, label in spans:
            # the author linked it
            exact = bool(linked) and normalize(singular(surface(start, end))) in linked
            if end - start == 1 and not exact and start not in shared_head:
                word = words[start]
                # "The less common label in a dataset", "An error metric calculated by ...": a
                # definition's genus is the field's sense, and the head of its phrase
                genus = (
                    all(m.end <= setting for m in mentions)
                    and start <= GENUS_REACH + setting
                    and genus_at(
                        [w.lower for w in words[: end + 1]],
                        start,
                        end,
                        first_mention=True,
                        sentence_start=setting,
                    )
                )
                if word.everyday and topics.get(label) not in subject_topics and not genus:
                    continue  # "values" in a Q-learning card is not the attention value
                before = start - 1
                described = before >= 0 and words[before].lower in DESCRIBING_WORDS  # "Popular optimizers"
                if word.text.islower() and before >= 0 and words[before].content and not (genus or described):
                    if in_span is None:
                        in_span = {i for first, last, _ in spans for i in range(first, last)}
                    if before not in in_span:
                        continue  # the head of a name nobody listed: "proposal generator" is no GAN generator
            mentions.append(_Mention(start, end, ("id", label)))
            covered[start:end] = [True] * (end - start)
        by_link = link_spans(doc, texts[number], card.links, covered)
        for start, end, _, _ in by_link:
            covered[start:end] = [True] * (end - start)
        phrases = [(s, e, text, None) for s, e, text in candidates(doc, words, covered, parsed, surface)]
        card_topic = None
        for start, end, text, term in by_link + phrases:
            # A link names its term ("backpropagating" links to backpropagation); else the words do.
            spelled = spellings.get((text, term))
            if spelled is None:
                name = singular(term or text)
                spelled = spellings[(text, term)] = (name, normalize(name), normalize(singular(text)))
            name, key, shown = spelled
            if not key:
                continue
            linked_to = (every_label.get(key) or every_label.get(shown)) if term is not None else None
            if key in index or linked_to is not None:
                # a known concept spelled in a way the ruler missed ("rcnn"), or the term a link names
                mentions.append(_Mention(start, end, ("id", index.get(key) or linked_to)))
                continue
            if term is not None:
                linked_terms.add(key)  # a term by its author's word: no second card needed
            if key in candidate_cards:
                candidate_cards[key].add(number)
                forms = candidate_forms[key]
                forms[name] = forms.get(name, 0) + 1
            else:
                candidate_cards[key] = {number}
                candidate_forms[key] = {name: 1}
                card_topic = _topic(card.tags) if card_topic is None else card_topic
                candidate_topic[key] = card_topic
            mentions.append(_Mention(start, end, ("new", key)))
        compared = len(subject_refs) > 1 and compares(cloze_term(card) or card.question)
        if compared:
            # "BERT vs GPT": the question itself states that the terms are alternatives, whatever
            # the answer names.
            said = (
                f"{card.question}: {_clip(_first_sentence(texts[number]), MAX_EVIDENCE)}",
                COMPARED,
            )
            for one, other in zip(subject_refs, subject_refs[1:], strict=False):
                found.setdefault((one, other), {}).setdefault("alternative-to", said)
                cued.add(((one, other), "alternative-to"))
        if not mentions or not (subject_refs or len(mentions) > 1):
            continue
        mentions.sort(key=lambda m: m.start)
        clause_of, sentence_starts, clause_start = clause_table(doc, words)
        cue_list = sorted(
            (_Cue(s.start, s.end, s.label_, s.id_) for s in filter_spans(doc.spans[CUES_KEY])),
            key=lambda c: c.start,
        )
        cue_at = {c.start: c for c in cue_list}
        by_clause: dict[int, list[_Cue]] = {}
        for cue in cue_list:
            by_clause.setdefault(clause_of[cue.start], []).append(cue)
        clause_subject: dict[int, tuple[str, str]] = {}
        lower = [w.lower for w in words]
        negations = [i for i, w in enumerate(lower) if w in NEGATIONS]
        examples = example_regions(lower, {i for m in mentions for i in range(m.start, m.end)})
        listed = {item: a for a in announced_lists(lower) for item in a.items} if ":" in texts[number] else {}
        named_in: dict[int, list[_Mention]] = {}  # a list's colon -> the mentions of its announcing clause
        starts = [m.start for m in mentions]
        by_end = {m.end - 1: m for m in mentions}  # the mention each token ends, if any
        start_set = set(starts)
        referred: set[int] = set()  # clauses whose reference back was looked for
        first_end = sentence_starts[1] if len(sentence_starts) > 1 else len(doc)
        # What depends only on a mention's sentence is found once per sentence: many share one.
        evidence_at = _Evidence(card.question, surface, sentence_starts)
        opening: dict[int, tuple[bool, bool]] = {}  # sentence -> (tells terms apart, an example)
        first_of: dict[int, _Mention] = {}  # each clause's first mention, found once
        for mention in mentions:
            first_of.setdefault(clause_of[mention.start], mention)
        lead = mentions[0]
        tool_lead = _names_a_tool(lead, kinds)  # "A TensorFlow Operation ...": the tool owns what follows
        # The answer's opening: up to its first comma, ";", line break, clause word other than a
        # relative one, or sentence end ("small network: two conv layers" and "a model that ..." go
        # on with it).
        # "In reinforcement learning, a policy that ...": the scene is set, then the answer opens
        begin = setting or first_word(lower, 0)
        genus_first = next((m for m in mentions if m.start >= begin), None)
        opening_end = next(
            (
                i
                for i in range(begin, first_end)
                if lower[i] in OPENING_ENDS
                or ("\n" in lower[i] and lower[i - 1] not in MID_PHRASE)
                or (lower[i] == ":" and i - begin > LABEL_WORDS and _sentence_after(lower, i, first_end))
            ),
            first_end,
        )
        sentence_opens = set(sentence_starts)  # a clause word there ("That is, ...") opens no relative clause
        own_opening = None
        if not compared and _opens_with_its_own_subject(lower, begin, lead, subject_refs):
            # "scaling laws | test loss falls as a power law in model size": the answer's first
            # clause is about test loss, so what it names is test loss's, not the card term's (and,
            # with no cue, only up to the end of the opening statement, as for the card's term).
            own_opening = clause_of[lead.start]
            clause_subject[own_opening] = lead.ref
        for mention in mentions:
            clause = clause_of[mention.start]
            cues = by_clause.get(clause, [])
            at = bisect_right(sentence_starts, mention.start)
            begins = sentence_starts[at - 1]
            if domain_lead(lower, begins, mention.start, mention.end):
                # "In multi-class classification, accuracy is ...": the field the term is set in, a
                # loose link (a field every card sets the scene in is a hub, and its links go), never
                # the clause's subject nor typed by its cues.
                scene = (evidence_at(at), "the field the sentence is set in")
                for source in subject_refs:
                    if source != mention.ref:
                        found.setdefault((source, mention.ref), {}).setdefault(FALLBACK_TYPE, scene)
                continue
            if at not in opening:
                opening[at] = (
                    opens_with(lower, begins, DISAMBIGUATIONS),
                    opens_with(lower, begins, EXAMPLE_LEADS),
                )
            disambiguation, example_lead = opening[at]
            if disambiguation:
                continue  # "Not to be confused with the bias term": told apart, not related
            announced = listed.get(mention.start) if listed else None
            if announced is not None:
                # "consists of the following layers:" then one a line: each line's item is a part of
                # the subject (or of the clause's own first term); "two types of hierarchical
                # clustering algorithms:" makes each a kind of the class the clause names last.
                if announced.colon not in named_in:  # once per list, not per item
                    low = bisect_left(starts, announced.head_start)
                    named_in[announced.colon] = mentions[low : bisect_left(starts, announced.colon, low)]
                named = named_in[announced.colon]
                if announced.kind == "part-of":
                    wholes = [m.ref for m in named[:1]] or subject_refs
                    why = "an item of the list of parts its card announces"
                else:
                    n = list_class(lower, announced, [(m.start, m.end) for m in named])
                    wholes = [] if n is None else [named[n].ref]
                    why = "an item of the list of kinds its card announces"
                formula = mention.end < len(lower) and lower[mention.end] == "="
                for whole in [] if formula else wholes:
                    if whole != mention.ref:
                        pair = (mention.ref, whole)
                        found.setdefault(pair, {}).setdefault(announced.kind, (evidence_at(at), why))
                        cued.add((pair, announced.kind))
                if wholes and not formula:
                    continue
            # "is not a kind of X": a negation just before the cue that governs the mention counts too.
            governing = (
                next((c.start for c in reversed(cues) if c.end <= mention.start), mention.start)
                if cues
                else mention.start
            )
            near = max(clause_start[clause], min(governing, mention.start) - NEGATION_REACH)
            if negations and bisect_left(negations, near) < bisect_left(negations, mention.start):
                continue  # "does not use X", "works without X": no relation is stated
            if cues and _action_set_aside(lower, cues, clause_start[clause], mention.start):
                continue  # "bootstraps instead of waiting for the full return": what it does not do
            reverse = False
            region = (
                next((start for start, end in examples if start <= mention.start < end), None)
                if examples
                else None
            )
            example_of = example_class(lower, region) if region is not None else None
            ending = by_end.get(example_of) if isinstance(example_of, int) else None
            class_ref = ending.ref if ending is not None else None
            if (
                isinstance(example_of, int)
                and class_ref is None
                and example_of >= sentence_starts[at - 1]
                and singular(lower[example_of]) not in heads
            ):
                # "the function is typically nonlinear, such as ReLU": examples of what the word
                # before them names, which is neither a concept nor the card's term
                region = None
            if example_of == TASK_CLASS:
                kind = "addresses"  # "used in applications such as machine translation"
                reason = "an example of the tasks it is used for"
            elif class_ref is not None and class_ref not in subject_refs:
                # "loss functions such as L2 loss": a kind of the class named, not of the subject
                if class_ref != mention.ref:
                    found.setdefault((mention.ref, class_ref), {}).setdefault(
                        "is-a", (evidence_at(at), "an example of the class named before it")
                    )
                    cued.add(((mention.ref, class_ref), "is-a"))
                continue
            elif region is not None:
                kind, reverse = "is-a", True  # "(for example, ReLU)": ReLU is a kind of the subject
                reason = "an example of the card's term"
            elif mention.start < first_end and (
                genus_at(
                    lower,
                    mention.start,
                    mention.end,
                    first_mention=mention is genus_first,
                    sentence_start=begin,
                )
                or (
                    tool_lead
                    and mention is not lead
                    and lead.end == mention.start
                    and mention.ref[0] == "id"
                    and genus_at(lower, lead.start, mention.end, first_mention=True)
                )
            ):
                kind = "is-a"  # "AdaGrad: A ... gradient descent algorithm that ...": the genus
                reason = "the definition's head noun (its genus)"
                if mention is lead and tool_lead and _noun_after(lower, mention.end):
                    # "queue: A TensorFlow Operation that ...": a thing of that library, not a kind of it
                    kind, reason = "part-of", "the library or tool its definition places it in"
            else:
                kind = _type_from_parse(doc, cue_at, mention, kinds) if parsed else None
                reason = "a cue that governs it in the parse"
                if kind is None:
                    kind, reverse, reason = _type_in_clause(words, cues, mention, kinds)
                if (
                    reason == NO_CUE
                    and mention.start < opening_end
                    and placed_in(lower, begin, mention.start, mention.end)
                ):
                    # "node: A neuron in a hidden layer": where the definition puts the term, a whole
                    kind, reason = "part-of", "the whole its definition places it in"
                if not cues or cues[0].end > mention.start:  # cues do not overlap: ends are in order
                    guessed.add((mention.ref, kind))  # typed by the words after it, not by a cue
            if (
                compared
                and clause not in clause_subject
                and mention.ref in subject_refs
                and first_of[clause] is mention
            ):
                # "BERT vs GPT | BERT reads both sides ...; GPT is autoregressive": each side's clause
                # (and what follows "GAN:") speaks of that side alone.
                clause_subject[clause] = mention.ref
                if mention.end < len(lower) and lower[mention.end] == ":":
                    clause_subject.setdefault(clause + 1, mention.ref)
            if (
                clause not in clause_subject
                and clause not in referred
                and clause_start[clause] >= opening_end
                and not example_lead
            ):
                referred.add(clause)
                inherited = _antecedent(
                    lower, clause_start[clause], by_end, start_set, clause_subject.get(clause - 1)
                )
                if inherited is not None:
                    # "... a teacher network that is an EMA of the student": the relative clause
                    # speaks of the noun before it; "BYOL needs no negatives: it uses ..." goes on
                    # with the clause before's own subject.
                    clause_subject[clause] = inherited
            if clause not in clause_subject and _opens_clause(
                mention,
                cues,
                clause_of,
                first_of,
                parsed,
                doc,
                () if clause_start[clause] in sentence_opens else lower[clause_start[clause] : mention.start],
            ):
                # "Standard DQN uses the max operator": DQN, not the card's subject, does the using,
                # even where DQN itself is too loosely tied to the card to be related to it.
                clause_subject[clause] = mention.ref
            if (
                kind == "is-a"
                and clause not in clause_subject
                and cue_phrase(reason) is not None
                and _own_subject(lower, clause_start[clause], cues, mention.start, spans)
            ):
                # "A neural network in which at least one layer is a convolutional layer": the clause
                # has a subject of its own (the layer), so the card's term is no kind of what follows;
                # the two are still named together.
                kind, reason = FALLBACK_TYPE, f"{reason}, said of the clause's own subject"
            if (
                kind == FALLBACK_TYPE
                and reason not in LOOSE_CUE_REASONS  # "each cell predicts boxes" still states a link
                and at > 1
                and not _points(lower, sentence_starts[at - 1], mention.start)
                and _sentence_end(sentence_starts, at, len(doc)) - sentence_starts[at - 1] >= ASIDE_WORDS
            ):
                # No cue, in a full sentence past the definition: an example or an aside ("For
                # instance, Lilliputians ..."), too weak to be a relation. A note's short fragment
                # ("... binary mask. bilinear interpolation") and "See also X" still link.
                continue
            if (
                reason == NO_CUE
                and mention.start >= opening_end
                and (clause not in clause_subject or clause == own_opening)
                and not _points(lower, clause_start[clause], mention.start)
            ):
                # Named with no cue past the answer's opening ("...; unstructured pruning drops
                # single weights"): the card's term is no longer what the clause is about. "See X"
                # still points from the card to X.
                continue
            sources = subject_refs
            if region is None and example_lead:
                # "For example, linear regression models use mean squared error": what an example
                # says holds of its own subject, never of the card's term.
                sources = []
            past_own = clause == own_opening and mention.start >= opening_end  # "..., and Adam combines"
            if clause in clause_subject and clause_subject[clause] != mention.ref and not past_own:
                sources = [clause_subject[clause]]
            evidence = evidence_at(at)
            for source in sources:
                if source == mention.ref:
                    continue
                pair = (mention.ref, source) if reverse else (source, mention.ref)
                typed, why = kind, reason
                if kind == "alternative-to" and _named_after(pair, names, kinds):
                    typed = "improves-on"  # "Double DQN, unlike DQN, ...": the newer name holds the older
                    why = f"{reason}, between a name and the name it extends"
                slot = found.get(pair)
                if slot is None:
                    found[pair] = {typed: (evidence, why)}
                elif typed not in slot:
                    slot[typed] = (evidence, why)
                if (mention.ref, kind) not in guessed:
                    cued.add((pair, typed))
        if len(subject_refs) == 1 and clause_subject:
            # "NCCL uses it to average gradients": the clause's own subject does to the card's term
            # what its cue says
            said_of = _said_of_the_term(
                lower, by_clause, clause_subject, subject_refs[0], clause_start, sentence_opens, negations
            )
            for source, cue in said_of:
                pair = (source, subject_refs[0])
                said = (
                    evidence_at(bisect_right(sentence_starts, cue.start)),
                    f"{typed_by(cue.phrase)}: 'it' is the card's term",
                )
                found.setdefault(pair, {}).setdefault(cue.type, said)
                cued.add((pair, cue.type))
        if compared:
            for better, worse, at in _comparatives(lower, subject_refs, mentions, clause_of, clause_subject):
                said = (evidence_at(bisect_right(sentence_starts, at)), COMPARATIVE)
                found.setdefault((better, worse), {}).setdefault("improves-on", said)
                cued.add(((better, worse), "improves-on"))

    if progress is not None:
        progress(len(cards), len(cards))
    accepted = accept_candidates(
        candidate_cards, candidate_forms, candidate_topic, concepts, min_count, linked_terms
    )
    expanded = acronym_expansions(accepted, concepts)
    by_id = {c["id"]: c for c in concepts}
    for key, cid in expanded.items():
        acronym = accepted.pop(key)["name"]
        target = by_id[cid]
        if cid not in real and acronym not in target["aliases"]:
            target["aliases"].append(acronym)  # the deck's own concept: the acronym is its other name
        notes.append(f"took {acronym!r} as short for {target['name']!r} (its initials), not a new concept")
    ids = {key: c["id"] for key, c in accepted.items()} | expanded
    for key in sorted(candidate_cards.keys() - ids.keys()):
        # "a standard protocol buffer": the phrase's head is a concept the deck has, when what comes
        # before it only describes ("negative log likelihood" is no log likelihood); a head of two
        # words: one alone may be an everyday word, or an acronym written otherwise ("causal mask")
        heads = {
            normalize(rest)
            for name in candidate_forms[key]
            if name.count(" ") == 2
            for first, _, rest in [name.partition(" ")]
            if first.lower() in DESCRIBING_WORDS
        }
        head = next((ids[h] for h in sorted(heads) if h in ids), None)
        if head is not None:
            ids[key] = head
    relations = assemble(found, ids, hub_at=max(HUB_MIN_CARDS, round(HUB_SHARE * len(cards))), cued=cued)
    return Extraction(list(accepted.values()), relations, notes, named_by_card)


#: What types an improves-on that a comparison card's comparative states.
COMPARATIVE = "a comparative in a card comparing them"
#: Comparatives that say the side they are said of does better ("far fewer steps", "more stable
#: training", "holds up better"), and those that say it does worse.
BETTER_WORDS = frozenset("better faster cheaper fewer stabler".split())
WORSE_WORDS = frozenset("worse slower costlier".split())
#: "more stable", "less stable": the adjective after "more" or "less" that makes it a judgement.
JUDGED_WORDS = frozenset("stable accurate efficient robust expressive scalable reliable".split())


def _comparatives(
    lower: Sequence[str],
    sides: Sequence[tuple[str, str]],
    mentions: Sequence[_Mention],
    clause_of: Sequence[int],
    clause_subject: dict[int, tuple[str, str]],
) -> list[tuple[tuple[str, str], tuple[str, str], int]]:
    """(better, worse, token) for each comparative in a comparison card's answer ("DDIM ... in far
    fewer steps"): the side its clause is about, else the side its clause names last before it, else
    the side the nearest clause before is about, else the last side named. A comparative followed by "than"
    names its own other side and is a cue of its own ("faster than")."""
    out = []
    for at, word in enumerate(lower):
        judged = word in ("more", "less") and at + 1 < len(lower) and lower[at + 1] in JUDGED_WORDS
        if not (word in BETTER_WORDS or word in WORSE_WORDS or judged):
            continue
        after = at + 1 + judged
        if after < len(lower) and lower[after] == "than":
            continue
        clause = clause_of[at]
        before = [m.ref for m in mentions if m.start < at and m.ref in sides]
        in_clause = [
            m.ref for m in mentions if m.start < at and m.ref in sides and clause_of[m.start] == clause
        ]
        earlier = (clause_subject[c] for c in range(clause, -1, -1) if clause_subject.get(c) in sides)
        side = (
            clause_subject.get(clause)
            if clause_subject.get(clause) in sides
            else (in_clause[-1] if in_clause else next(earlier, before[-1] if before else None))
        )
        if side is None:
            continue
        worse_side = word in WORSE_WORDS or word == "less"
        for other in sides:
            if other != side:
                out.append((other, side, at) if worse_side else (side, other, at))
    return out


#: Pronouns that open a clause about what the clause before was about ("it uses ...").
CONTINUING_PRONOUNS = frozenset({"it", "they"})  # not "its": "its target network is ..." is the network's


def _antecedent(
    lower: Sequence[str],
    start: int,
    by_end: dict[int, _Mention],
    starts: set[int],
    before: tuple[str, str] | None,
) -> tuple[str, str] | None:
    """What a clause past the answer's opening speaks of when it says so only by reference: the
    concept just before its relative word ("a teacher network that is ..."), or, for
    a clause opening with "it", the own subject of the clause before (``before``). Not when the
    relative word is the object ("which the agent uses") or the concept is a passive's agent
    ("embeddings generated by matrix factorization that hold ...": the embeddings hold)."""
    while start < len(lower) and not lower[start][:1].isalnum():
        start += 1  # the clause's punctuation: ": it uses ..."
    word = lower[start] if start < len(lower) else ""
    if word in CONTINUING_PRONOUNS:
        return before
    if word not in RELATIVE_WORDS:
        return None
    after = start + 1
    if after < len(lower) and (lower[after] in DETERMINERS or after in starts):
        return None
    found = by_end.get(start - 1)  # not past a comma: "INT8 instead of FP32, which makes models ..."
    if found is None or (found.start >= 1 and lower[found.start - 1] == "by"):
        return None
    return found.ref


def _first_sentence(text: str) -> str:
    """An answer's first sentence, roughly: up to its first full stop or line break."""
    text = text.strip()
    end = re.search(r"[.!?](?:\s|$)|\n", text)
    return text[: end.end()].strip() if end else text


def _own_subject(
    lower: Sequence[str], start: int, cues: Sequence[_Cue], before: int, spans: Sequence[tuple[int, int, str]]
) -> bool:
    """Whether the subordinate clause from ``start`` (a :data:`CLAUSE_WORDS` word) names a subject
    of its own before the last cue ahead of ``before``: a concept is named between the clause word
    and the cue ("in which at least one layer is a ..."), where "that is a ..." and "that at its
    core is a ..." go on about the word before them. ``spans`` are the answer's concept matches.

    >>> cue = _Cue(5, 7, "is a", "is-a")
    >>> _own_subject("a net in which layers is a conv".split(), 3, [cue], 7, [(4, 5, "layer")])
    True
    >>> _own_subject("a net that at its core is a conv".split(), 2, [_Cue(6, 8, "is a", "is-a")], 8, [])
    False
    >>> _own_subject("a net in which one block is a conv".split(), 3, [_Cue(6, 8, "is a", "is-a")], 8, [])
    True
    """
    if lower[start] not in CLAUSE_WORDS:
        return False
    cue = next((c for c in reversed(cues) if c.end <= before), None)
    if cue is None:
        return False
    if any(start < first < cue.start for first, _, _ in spans):
        return True
    words, i = lower[start + 1 : cue.start], 0
    while i < len(words):
        word = words[i]
        if word == "at" and i + 1 < len(words) and words[i + 1] in ("least", "most"):
            i += 2  # "at least one layer"
        elif word in PREPOSITIONS:
            i += 1  # "at its core": a phrase of place or manner, with its own noun
            while i < len(words) and words[i] in DETERMINERS:
                i += 1
            i += 1
        elif word in DETERMINERS or word in QUANTIFIERS or not word.isalpha():
            i += 1
        else:
            return True  # "at least one block is a ...": the block
    return False


def _opens_with_its_own_subject(
    lower: Sequence[str], begin: int, lead: _Mention, subject_refs: Sequence[tuple[str, str]]
) -> bool:
    """Whether the answer opens with a clause whose subject is another term than the card's: its
    first mention comes first (after determiners: "a router sends ...") and a finite verb follows it
    ("encoder maps x ...", "the base model is kept ..."). "LSTM cells ..." is a noun phrase.

    >>> lead = _Mention(1, 3, ("id", "test-loss"))
    >>> _opens_with_its_own_subject("the test loss falls as".split(), 0, lead, [("id", "scaling-laws")])
    True
    >>> _opens_with_its_own_subject("the test loss curves".split(), 0, lead, [("id", "scaling-laws")])
    False
    """
    start = begin
    while start < lead.start and (lower[start] in DETERMINERS or lower[start] in QUANTIFIERS):
        start += 1
    if start != lead.start or lead.ref in subject_refs or lead.end >= len(lower):
        return False
    after = lower[lead.end + 1] if lead.end + 1 < len(lower) else ""
    # "encoder maps are copied ...": a plural noun, not a verb, when a verb follows it
    return lower[lead.end] in FINITE_VERBS and after not in AUXILIARIES


def _sentence_after(lower: Sequence[str], colon: int, end: int) -> bool:
    """Whether a sentence of its own follows the colon at ``colon`` (before ``end``), rather than a
    list or a phrase: its first word is one of :data:`SENTENCE_OPENERS`, and after a determiner a
    finite verb comes before the next punctuation ("the skip connection around each block" is a
    phrase, "a student network matches the teacher" a sentence).

    >>> _sentence_after("x y z w : a student net matches it".split(), 4, 10)
    True
    >>> _sentence_after("x y z w : the skip connection around each block".split(), 4, 11)
    False
    """
    after = first_word(lower, colon + 1)
    if after >= end or lower[after] not in SENTENCE_OPENERS:
        return False
    if lower[after] not in DETERMINERS:
        return True  # "it fits ...", "after many layers ...", "when ..."
    for word in lower[after + 1 : end]:
        if word in FINITE_VERBS:
            return True
        if word in (",", ";", ":", ".", "(", ")") or "\n" in word:
            return False
    return False


def _points(lower: Sequence[str], start: int, end: int) -> bool:
    """Whether the clause at ``start`` opens, past its punctuation, with a pointer word ("; see RPN")."""
    for word in lower[start:end]:
        if word in POINTERS:
            return True
        if word.isalnum():
            return False
    return False


def _names_a_tool(mention: _Mention, kinds: dict[str, str]) -> bool:
    return mention.ref[0] == "id" and kinds.get(mention.ref[1]) == "tool"


def _noun_after(lower: Sequence[str], end: int) -> bool:
    """Whether a word that can continue a noun phrase follows ``end`` ("TensorFlow Operation"), not a
    participle ("hardware accelerator designed to ...")."""
    return (
        end < len(lower)
        and lower[end].isalpha()
        and lower[end] not in AFTER_GENUS
        and not lower[end].endswith("ed")
    )


def _said_of_the_term(
    lower: Sequence[str],
    by_clause: dict[int, list[_Cue]],
    clause_subject: dict[int, tuple[str, str]],
    term: tuple[str, str],
    clause_start: dict[int, int],
    sentence_opens: set[int],
    negations: Sequence[int],
) -> list[tuple[tuple[str, str], _Cue]]:
    """(clause subject, cue) for each cue whose object is "it", the card's term, in a clause with a
    subject of its own: "NCCL uses it", "Swin replaced it" (a weak cue, "with it", states nothing).
    Only a clause that opens a sentence or a line, where "it" can only be the term ("the cell state
    carries memory; the forget gate uses it" may mean the state), and is not negated ("PyTorch never
    uses it")."""

    def opens(begins: int) -> bool:
        return begins in sentence_opens or "\n" in lower[begins] or "\n" in lower[begins - 1]

    return [
        (own, cue)
        for clause, own in clause_subject.items()
        if own != term and opens(clause_start[clause])
        for cue in by_clause.get(clause, ())
        if cue.end < len(lower)
        and lower[cue.end] == "it"
        and cue.phrase not in WEAK_CUES
        and cue.type != FALLBACK_TYPE
        and not any(clause_start[clause] <= n < cue.start for n in negations)
    ]


#: Words that describe a thing without naming a kind of it: "a standard protocol buffer" is one.
DESCRIBING_WORDS = frozenset(
    """standard typical common usual simple basic popular primary main special general single extra
    separate additional small large big tiny huge whole entire plain ordinary classic""".split()
)


#: Contrast cues that, before a gerund, set an action aside rather than a thing.
ACTION_CONTRASTS = frozenset({"instead of", "rather than", "in place of"})


def _action_set_aside(lower: Sequence[str], cues: Sequence[_Cue], since: int, before: int) -> bool:
    """Whether a contrast cue between ``since`` and ``before`` opens on a gerund: "shards the state
    instead of replicating it on every GPU" says what is not done, as "does not replicate" would, so
    the GPU after it is no alternative (nor anything else the clause relates)."""
    return any(
        since <= cue.start and cue.end < before and cue.phrase in ACTION_CONTRASTS and _gerund(lower, cue.end)
        for cue in cues
    )


PRONOUNS = frozenset({"it", "them", "this", "these"})


def _gerund(lower: Sequence[str], at: int) -> bool:
    """Whether the -ing word at ``at`` is a verb: not a noun of the field ("instead of pooling"),
    unless what follows is its object ("instead of computing the full gradient", "sampling from")."""
    word = lower[at]
    if not word.endswith("ing") or len(word) <= 5:
        return False
    after = lower[at + 1] if at + 1 < len(lower) else ""
    takes_object = after in DETERMINERS or after in QUANTIFIERS or after in PREPOSITIONS or after in PRONOUNS
    return word not in NOUN_ING or takes_object


def _named_after(
    pair: tuple[tuple[str, str], tuple[str, str]], names: dict[str, str], kinds: dict[str, str]
) -> bool:
    """Whether the source's name is the target's with words added ("Fast R-CNN" and "R-CNN",
    "Double DQN" and "DQN") and the target is a method: then a comparison between them is lineage.
    A lowercase name inside another ("normalization" in "batch normalization") names a kind, not
    an ancestor, so it does not count.

    >>> kinds = {"dqn": "algorithm", "double-dqn": "algorithm"}
    >>> _named_after((("id", "double-dqn"), ("id", "dqn")), {"dqn": "DQN", "double-dqn": "Double DQN"}, kinds)
    True
    """
    (source_kind, source), (target_kind, target) = pair
    if source_kind != "id" or target_kind != "id" or kinds.get(target) not in METHOD_KINDS:
        return False
    longer, shorter = names.get(source, ""), names.get(target, "")
    if not shorter or shorter.islower() or len(longer) <= len(shorter):
        return False
    return re.search(rf"(?<![\w-]){re.escape(shorter)}(?![\w-])", longer) is not None


class _Evidence:
    """A card's relation evidence by sentence: the question and the ``at``-th sentence (1-based, as
    :func:`bisect_right` gives it), clipped to :data:`MAX_EVIDENCE` characters, made once per
    sentence however many mentions share it."""

    __slots__ = ("made", "question", "starts", "surface")

    def __init__(self, question: str, surface: Surface, starts: list[int]):
        self.question, self.surface, self.starts = question, surface, starts
        self.made: dict[int, str] = {}

    def __call__(self, at: int) -> str:
        made = self.made.get(at)
        if made is None:
            starts = self.starts
            sentence = self.surface(starts[at - 1], _sentence_end(starts, at, len(self.surface.words)))
            made = self.made[at] = f"{self.question}: {_clip(sentence, MAX_EVIDENCE)}"
        return made


def _sentence_end(starts: list[int], at: int, length: int) -> int:
    return starts[at] if at < len(starts) else length


def _opens_clause(
    mention: _Mention,
    cues: list[_Cue],
    clause_of: list[int],
    first_of: dict[int, _Mention],
    parsed: bool,
    doc: Doc,
    before: Sequence[str] = (),
) -> bool:
    """Whether ``mention`` is the clause's own subject: it comes first, right before the clause's
    first cue (within two words), and is not the object of a relative clause's verb (``before``:
    the clause's words before it; in "that destroys a Tensor is an operation" "that" is the
    subject), or, with a parse, it is the subject of a cue verb."""
    if parsed:
        root = doc[mention.start : mention.end].root
        return root.dep_ in ("nsubj", "nsubjpass") and any(c.start == root.head.i for c in cues)
    if not cues or cues[0].start < mention.end:
        return False
    clause = clause_of[mention.start]
    first = first_of[clause]
    if before and before[0] in RELATIVE_WORDS and any(w not in DETERMINERS for w in before[1:]):
        return False  # "that destroys a Tensor is ...": the clause word's antecedent is its subject
    return (
        first is mention
        and mention.ref[0] == "id"  # a known concept; a phrase like "generate regions" is no subject
        and cues[0].start - mention.end <= 2
        and cues[0].phrase not in WEAK_CUES
    )


class DeckExtraction(NamedTuple):
    """Everything extraction learns from a deck."""

    concepts: list[dict[str, Any]]  # new concepts, from questions and answers
    relations: list[dict[str, Any]]
    notes: list[str]
    subjects: list[list[str]]  # the concept ids each card is about
    named: list[list[str]]  # the known concept ids each card's answer names (see Extraction.named)


def extract_deck(
    cards: Sequence[Card],
    concepts: Sequence[dict[str, Any]] = (),
    *,
    model: str | None = None,
    nlp: Language | None = None,
    min_count: int = 2,
    progress: Callable[[int, int], None] | None = None,
    proposed: Iterable[str] = (),
) -> DeckExtraction:
    """The whole of extraction for a deck: new concepts, relations, notes, card subjects and the
    known concepts each card names.

    ``concepts`` is the vocabulary already known (a curated graph's concepts, or none).
    ``proposed`` are those of them an earlier build of this deck proposed itself: their topics came
    from that build, so they count as the deck's own, as they did then, and a rebuild reads the
    cards as the first build did.
    """
    question_new, subjects = card_concepts(cards, concepts)
    # Concepts named by a whole question (no term found) are no vocabulary: "Why?" names nothing.
    subject_ids = {s for card_subjects in subjects for s in card_subjects}
    vocabulary = [*concepts, *(c for c in question_new if c["id"] in subject_ids)]
    notes = []
    unnamed = [c for c, s in zip(cards, subjects, strict=True) if not s]
    if unnamed:
        listed = ", ".join(repr(c.question) for c in unnamed[:3]) + (" ..." if len(unnamed) > 3 else "")
        notes.append(
            f"{len(unnamed)} card(s) ask a question rather than name a term; each is kept as a concept "
            f"named by its question, with no relations of its own: {listed}"
        )
    if nlp is None:
        nlp = make_pipeline(vocabulary, model)
    own = set(proposed)
    known = [c["id"] for c in concepts if c["id"] not in own]
    result = extract(cards, nlp, vocabulary, subjects, min_count=min_count, known=known, progress=progress)
    return DeckExtraction(
        question_new + result.concepts, result.relations, notes + result.notes, subjects, result.named
    )
