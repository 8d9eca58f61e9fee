"""'Did you mean …?' for names that refer to nothing."""

from __future__ import annotations

import difflib

# Fuzzy matching compares a wrong name with every candidate (up to ~15 µs each). An inventory
# with tens of thousands of ids and as many dangling references would make that quadratic
# (80,000 lookups over 20,000 ids ran for minutes), so one check spends at most this many
# comparisons; names reported after that carry no suggestion.
MAX_COMPARISONS = 250_000
# A name this long is not a typo of another: it is neither suggested nor matched.
MAX_NAME_LENGTH = 200


class Suggester:
    """Finds the closest of `candidates`, remembering answers, within MAX_COMPARISONS."""

    def __init__(self, candidates, cutoff: float = 0.5):
        # Compared case-folded ('Stripe' is closest to 'stripe'); the first of names that fold alike.
        self.folded: dict[str, str] = {}
        for name in sorted(candidates):
            if len(name) <= MAX_NAME_LENGTH:
                self.folded.setdefault(name.casefold(), name)
        self.candidates = list(self.folded)
        self.cutoff = cutoff
        self.budget = MAX_COMPARISONS
        self.answers: dict[str, str | None] = {}

    def closest(self, wrong: str) -> str | None:
        if wrong in self.answers:
            return self.answers[wrong]
        answer = None
        if len(wrong) <= MAX_NAME_LENGTH and len(self.candidates) <= self.budget:
            self.budget -= len(self.candidates)
            close = difflib.get_close_matches(wrong.casefold(), self.candidates, n=1, cutoff=self.cutoff)
            answer = self.folded[close[0]] if close else None
        self.answers[wrong] = answer
        return answer

    def __call__(self, wrong: str) -> str:
        """' (did you mean 'x'?)' for the closest candidate, or ''."""
        close = self.closest(wrong)
        return f" (did you mean '{close}'?)" if close else ""
