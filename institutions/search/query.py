"""The query side: the user's words → pieces, conditions on CapabilitySearch, highlighting of matches.

The query is cut into pieces: each standard number (`GB/T 5750.5` → the token `gbt5750.5`) and each
word between spaces or punctuation (`热轧带肋钢筋` → its jieba tokens). Which capabilities match a
piece is decided in institutions.search.match; a term is looked up on PostgreSQL in the tsvector with
its GIN index, on SQLite with LIKE '% token %' over `terms`, a substring in `text` (PostgreSQL: the
trigram index).
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Expression, F, Q, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .segment import STANDARD_RE, segment, standard_tokens

MAX_PIECES = 6
MAX_TOKENS_PER_PIECE = 8
SUBSTRING_MIN_LENGTH = 3  # shorter substrings cannot use a trigram index


@dataclass(frozen=True)
class Piece:
    text: str  # the piece as typed, lower-cased ("" for a standard number)
    tokens: tuple[str, ...]


def query_pieces(*, q: str) -> list[Piece]:
    """The pieces of the user's query, every one of which must match (at most MAX_PIECES)."""
    pieces: list[Piece] = []

    def take(match: re.Match) -> str:
        pieces.append(
            Piece("", (standard_tokens(match["org"], match["kind"] or match["kind2"], match["num"])[-1],))
        )
        return " "

    rest = STANDARD_RE.sub(take, q or "")
    for word in re.split(r"[^\w.]+", rest.replace("_", " ")):
        tokens = tuple(segment(word)[:MAX_TOKENS_PER_PIECE])
        text = word.lower().strip(".")
        if tokens or len(text) >= SUBSTRING_MIN_LENGTH:
            pieces.append(Piece(text, tokens))
    unique = list(dict.fromkeys(pieces))
    return unique[:MAX_PIECES]


def highlight_terms(pieces: list[Piece]) -> list[str]:
    return list(dict.fromkeys([*(p.text for p in pieces if p.text), *(t for p in pieces for t in p.tokens)]))


class _HasLexeme(Expression):
    """PostgreSQL: `vector @@ 'token'::tsquery`, the token taken as one lexeme (no parsing)."""

    output_field = BooleanField()

    def __init__(self, token: str) -> None:
        super().__init__()
        escaped = token.replace("\\", "\\\\").replace("'", "\\'")
        self.source = F("vector")
        self.lexeme = Value(f"'{escaped}'")

    def get_source_expressions(self) -> list:
        return [self.source, self.lexeme]

    def set_source_expressions(self, exprs: list) -> None:
        self.source, self.lexeme = exprs

    def as_sql(self, compiler, connection, **extra):
        vector, vector_params = compiler.compile(self.source)
        lexeme, lexeme_params = compiler.compile(self.lexeme)
        return f"({vector} @@ CAST({lexeme} AS tsquery))", [*vector_params, *lexeme_params]


def token_condition(token: str) -> Q:
    """CapabilitySearch rows having `token` among their terms."""
    if connection.vendor == "postgresql":
        return Q(_HasLexeme(token))
    return Q(terms__contains=f" {token} ")


def _pattern(token: str) -> str:
    # Standard numbers are tokens without their spaces and slash (gbt5750): let them match "GB/T 5750".
    return r"[\s/]*".join(re.escape(char) for char in token)


def highlight(text: str, tokens: list[str]) -> SafeString:
    """`text` escaped, with the parts matching the tokens wrapped in <mark>."""
    if not text:
        return mark_safe("")
    spans: list[tuple[int, int]] = []
    for token in sorted(tokens, key=len, reverse=True):
        matches = re.finditer(_pattern(token), text, re.IGNORECASE)
        spans.extend(match.span() for match in matches if match.end() > match.start())
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, cursor = [], 0
    for start, end in merged:
        out.append(escape(text[cursor:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # every piece of the text is escaped above
