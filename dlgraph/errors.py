"""dlgraph's exception hierarchy: every error a user can cause is one of these.

The CLI turns them into a message on stderr and an exit code (``exit_code``): 2 for usage and
not-found errors, 1 for every other failure, as click itself does.
"""

from __future__ import annotations


class DlgraphError(Exception):
    """Base class for every error dlgraph reports to a user."""

    exit_code = 1


class ConceptNotFound(DlgraphError):
    """A name matched no concept; ``suggestions`` holds the closest names, ``mentioned_in`` the
    concepts whose text uses the name (it is a word of the graph, just not a concept of it)."""

    exit_code = 2

    def __init__(self, name: str, suggestions: list[str], mentioned_in: list[str] | None = None):
        self.name = name
        self.suggestions = suggestions
        self.mentioned_in = mentioned_in or []
        message = f"no concept named {name!r}"
        if self.mentioned_in:
            from shlex import quote

            listed = ", ".join(self.mentioned_in)
            message += (
                f"; it is not a concept of this graph, but the text of {listed} mentions it "
                f"(`dlgraph search {quote(name)}`)"
            )
        if suggestions:
            ask = "; or did you mean " if self.mentioned_in else "; did you mean "
            message += ask + ", ".join(repr(s) for s in suggestions) + "?"
        elif not self.mentioned_in:
            message += "; try `dlgraph search` or `dlgraph list`"
        super().__init__(message)


class AmbiguousConcept(DlgraphError):
    """A name matched several concepts equally well; ``candidates`` holds their names."""

    exit_code = 2

    def __init__(self, name: str, candidates: list[str]):
        self.name = name
        self.candidates = candidates
        listed = ", ".join(repr(c) for c in candidates)
        super().__init__(f"{name!r} is ambiguous: it could be {listed}; use the full name or the id")


class UsageError(DlgraphError):
    """A request that cannot be answered as asked (same source and target, bad option value)."""

    exit_code = 2


class InvalidData(DlgraphError):
    """A data file is unreadable or breaks the data model; ``problems`` lists every finding."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or []
        super().__init__(message)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class DeckError(DlgraphError):
    """A deck file cannot be read (unknown format, wrong encoding, no cards)."""


class DecisionRefused(DlgraphError):
    """A review decision that would break the graph (a cycle, a duplicate) or means nothing (reversing a
    symmetric relation); nothing was changed."""

    exit_code = 2
