"""'Did you mean …?' for names that refer to nothing."""

from __future__ import annotations

import difflib
from collections import Counter
from functools import cached_property

# Fuzzy matching compares a wrong name with every candidate. Cheap length-and-letter bounds
# rule most out; a full comparison costs ~600 ns per pair of equal characters of the two names
# (names of one repeated letter are the worst). Tens of thousands of ids and as many dangling
# references would make it quadratic (80,000 lookups over 20,000 ids ran for minutes), so a
# matcher spends at most this many units: a character for the quick bounds, MATCH_COST per
# pair of equal characters for a full comparison. Names reported after that carry no
# suggestion. A unit takes about 120 ns on short names, so a budget is spent in about 1.2 s.
# The matchers of one rule share one budget: PL002's (ids and vendor keys) and PL004's (three
# kinds of key) each had their own, and five spent budgets took 6 s of a 12 s check (five of
# 50,000,000 units each took 25 s).
MAX_WORK = 10_000_000
MATCH_COST = 10
# A name this long is not a typo of another: it is neither suggested nor matched.
MAX_TYPO_LENGTH = 64


class Budget:
    """The units left to the matchers that share it (at first MAX_WORK)."""

    __slots__ = ("left",)

    def __init__(self):
        self.left = MAX_WORK


class Suggester:
    """Finds the closest of `candidates`, remembering answers, within `budget` (shared with
    the rule's other matchers; by default its own)."""

    def __init__(self, candidates, cutoff: float = 0.5, budget: Budget | None = None):
        self.names = candidates  # indexed on the first lookup: most checks make none
        self.cutoff = cutoff
        self.budget = budget or Budget()
        self.answers: dict[str, str | None] = {}
        self.letters: dict[str, Counter] = {}  # per candidate, once it is compared in full

    @cached_property
    def folded(self) -> dict[str, str]:
        """Names case-folded ('Stripe' is closest to 'stripe'); the first of names that fold alike."""
        folded: dict[str, str] = {}
        for name in sorted(self.names):
            if len(name) <= MAX_TYPO_LENGTH:
                folded.setdefault(name.casefold(), name)
        return folded

    @cached_property
    def candidates(self) -> list[str]:
        return list(self.folded)

    def closest(self, wrong: str) -> str | None:
        """difflib.get_close_matches(wrong, candidates, n=1) case-folded, charging the budget
        for each comparison: the sum of the lengths for the quick bounds, MATCH_COST per pair of
        equal characters for a full ratio. A lookup the budget cannot finish suggests nothing."""
        if wrong in self.answers:
            return self.answers[wrong]
        answer = None
        if len(wrong) <= MAX_TYPO_LENGTH and self.budget.left >= 0:  # a spent budget compares nothing
            folded = wrong.casefold()
            matcher = difflib.SequenceMatcher()
            matcher.set_seq2(folded)
            letters = Counter(folded)
            best: tuple[float, str] | None = None
            for candidate in self.candidates:
                matcher.set_seq1(candidate)
                self.budget.left -= len(candidate) + len(wrong)
                if matcher.real_quick_ratio() >= self.cutoff and matcher.quick_ratio() >= self.cutoff:
                    counts = self.letters.get(candidate) or self.letters.setdefault(candidate, Counter(candidate))
                    pairs = sum(count * letters[letter] for letter, count in counts.items())
                    self.budget.left -= MATCH_COST * pairs
                    if self.budget.left < 0:
                        break
                    score = matcher.ratio()
                    if score >= self.cutoff and (best is None or (score, candidate) > best):
                        best = (score, candidate)
                if self.budget.left < 0:
                    break
            else:
                answer = self.folded[best[1]] if best else None
        self.answers[wrong] = answer
        return answer

    def __call__(self, wrong: str) -> str:
        """' (did you mean 'x'?)' for the closest candidate, or ''."""
        close = self.closest(wrong)
        return f" (did you mean '{close}'?)" if close else ""
