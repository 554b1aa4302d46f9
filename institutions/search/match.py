"""A query resolved against the index: for each piece of the query, which capabilities match it and
how many of them each institution holds.

A piece (institutions.search.query) matches a capability by the first of these rules that matches
any capability at all, the same rule for every capability:

1. the piece itself is one of its terms (a jieba word of the schedule, or a capability name of the
   user dictionary: 大肠菌群, 抗压强度, a standard number);
2. it has every word of the piece: jieba's words of the piece, each without the shorter words it
   contains (食品安全国家标准 → 食品安全, 国家标准);
3. the piece, three characters or more, is a substring of its text (a word cut differently in the
   query and in the schedule, a fragment).

Rules 1 and 2 with a single word are answered by InstitutionSearchTerm alone (institution, count: an
index-only read, however many capabilities match); rule 2 with several words counts the capability
rows of the institutions holding all the words, and rule 3 the rows containing the substring. So a
search costs one query for the terms and, only for those pieces, one more (two when rule 2 finds
nothing and rule 3 is tried): a constant number whatever the data. The rules are the same on
PostgreSQL and SQLite (there, LIKE over `terms` and `text`), so both return the same results.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from sujt.core.expressions import InIds

from ..models import CapabilitySearch, InstitutionSearchTerm
from .query import SUBSTRING_MIN_LENGTH, Piece, highlight_terms, query_pieces, token_condition


def longest_words(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens that are not part of a longer token of the same piece (jieba's cut_for_search adds
    the sub-words of a long word: 大肠, 大肠菌, 大肠菌群 → 大肠菌群)."""
    return tuple(token for token in tokens if not any(token != other and token in other for other in tokens))


@dataclass(frozen=True)
class PieceMatch:
    piece: Piece
    # The terms a matching capability has, all of them; empty when the piece matches as a substring.
    terms: tuple[str, ...] = ()
    substring: bool = False
    # {institution id: how many of its capabilities match the piece}
    counts: dict[int, int] = field(default_factory=dict)

    def condition(self) -> Q:
        """CapabilitySearch rows matching the piece (nothing when it matches nothing)."""
        if self.substring:
            return Q(text__contains=self.piece.text)
        if not self.terms or not self.counts:
            return Q(pk__in=[])
        condition = Q()
        for term in self.terms:
            condition &= token_condition(term)
        return condition


@dataclass(frozen=True)
class CapabilityMatch:
    pieces: tuple[PieceMatch, ...]

    def __bool__(self) -> bool:
        return bool(self.pieces)

    @property
    def highlight(self) -> list[str]:
        return highlight_terms([match.piece for match in self.pieces])

    def relevance(self) -> dict[int, int]:
        """{institution id: matching capabilities summed over the pieces} (a capability matching two
        pieces counts twice: it is the more relevant)."""
        total: dict[int, int] = {}
        for match in self.pieces:
            for pk, count in match.counts.items():
                total[pk] = total.get(pk, 0) + count
        return total

    def holders(self) -> set[int]:
        """Institutions with a capability matching each piece (not necessarily the same one)."""
        sets = [set(match.counts) for match in self.pieces]
        return set.intersection(*sets) if sets else set()

    def any_condition(self) -> Q:
        condition = Q(pk__in=[])
        for match in self.pieces:
            condition |= match.condition()
        return condition

    def every_condition(self) -> Q:
        condition = Q()
        for match in self.pieces:
            condition &= match.condition()
        return condition

    def every_piece_counts(self, *, institution_ids: list[int]) -> dict[int, int]:
        """{institution id: how many of its capabilities match every piece}, for these institutions."""
        if len(self.pieces) == 1:
            counts = self.pieces[0].counts
            return {pk: counts[pk] for pk in institution_ids if counts.get(pk)}
        if not institution_ids:
            return {}
        rows = (
            CapabilitySearch.objects.filter(InIds("institution_id", institution_ids))
            .filter(self.every_condition())
            .order_by()
            .values_list("institution_id")
            .annotate(total=Count("pk"))
        )
        return dict(rows)


def _term_counts(terms: set[str]) -> dict[str, dict[int, int]]:
    found: dict[str, dict[int, int]] = {}
    rows = InstitutionSearchTerm.objects.filter(term__in=sorted(terms)).values_list(
        "term", "institution_id", "capabilities"
    )
    for term, institution_id, count in rows:
        found.setdefault(term, {})[institution_id] = count
    return found


def _whole(piece: Piece) -> str:
    return piece.text or (piece.tokens[0] if piece.tokens else "")


def _row_counts(conditions: dict[int, Q]) -> dict[int, dict[int, int]]:
    """{piece number: {institution id: rows matching its condition}} in one grouped query."""
    if not conditions:
        return {}
    any_condition = Q(pk__in=[])
    for condition in conditions.values():
        any_condition |= condition
    per_piece = {f"piece{number}": Count("pk", filter=condition) for number, condition in conditions.items()}
    rows = (
        CapabilitySearch.objects.filter(any_condition)
        .order_by()
        .values("institution_id")
        .annotate(**per_piece)
    )
    found: dict[int, dict[int, int]] = {number: {} for number in conditions}
    for row in rows:
        for number in conditions:
            if row[f"piece{number}"]:
                found[number][row["institution_id"]] = row[f"piece{number}"]
    return found


def _substring(piece: Piece) -> bool:
    return len(piece.text) >= SUBSTRING_MIN_LENGTH


def capability_match(*, q: str) -> CapabilityMatch:
    """The pieces of `q` (at most query.MAX_PIECES) resolved by the rules above."""
    pieces = query_pieces(q=(q or "").strip())
    if not pieces:
        return CapabilityMatch(())
    words = {number: longest_words(piece.tokens) for number, piece in enumerate(pieces)}
    wanted = {_whole(piece) for piece in pieces} | {word for group in words.values() for word in group}
    terms = _term_counts({term for term in wanted if term})
    resolved: dict[int, PieceMatch] = {}
    by_rows: dict[int, Q] = {}  # pieces counted on the capability rows (several words)
    by_substring: set[int] = set()
    for number, piece in enumerate(pieces):
        whole, group = _whole(piece), words[number]
        if whole in terms:
            resolved[number] = PieceMatch(piece, (whole,), counts=terms[whole])
        elif group and all(word in terms for word in group):
            if len(group) == 1:
                resolved[number] = PieceMatch(piece, group, counts=terms[group[0]])
                continue
            candidates = set.intersection(*(set(terms[word]) for word in group))
            if candidates:
                condition = Q(InIds("institution_id", candidates))
                for word in group:
                    condition &= token_condition(word)
                by_rows[number] = condition
            elif _substring(piece):
                by_substring.add(number)
        elif _substring(piece):
            by_substring.add(number)
    for number, counts in _row_counts(by_rows).items():
        if counts:
            resolved[number] = PieceMatch(pieces[number], words[number], counts=counts)
        elif _substring(pieces[number]):
            by_substring.add(number)
    substring_counts = _row_counts({number: Q(text__contains=pieces[number].text) for number in by_substring})
    for number, counts in substring_counts.items():
        resolved[number] = PieceMatch(pieces[number], substring=True, counts=counts)
    return CapabilityMatch(
        tuple(resolved.get(number, PieceMatch(piece)) for number, piece in enumerate(pieces))
    )
