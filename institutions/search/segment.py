"""Text → search terms: `segment` for the user's query and the indexed capability alike,
`document_terms` (segment + the user dictionary) for the indexed capability.

Chinese is cut with jieba's `cut_for_search` (a long word also yields its dictionary sub-words:
饮用水 → 饮用, 用水, 饮用水), ASCII is lower-cased, punctuation and a few stop characters are dropped.
Standard numbers are recognised first and normalised, so every spelling of one standard gives the same
tokens: `GB 5009.12-2017`, `GB5009.12` → `gb5009.12` and its family `gb5009`; `GB/T 5750.5—2006`,
`gb/t5750.5` → `gbt5750.5`, `gbt5750`. The year is left out (a search names the standard, not its edition).

jieba is initialised lazily, once per process, with its dictionary cache in the temp dir and its
logging quiet. The user dictionary (`search_dictionary_refresh()`: the capability item names of the
database, bounded, kept in the cache for every process) is NOT added to jieba: a word added there
changes how the text around it is cut (食品中铅 as one word would lose the term 铅), so a query and a
capability cut by processes with different dictionaries would stop matching. Instead a capability's
terms are jieba's terms plus every dictionary word its text contains (热轧带肋钢筋 as one term besides
热轧, 钢筋): the dictionary only ever adds terms, and the query side does not depend on it.
"""

import functools
import itertools
import logging
import re
import tempfile
import threading
from collections.abc import Iterable

import jieba

# Organisations that publish standards (国家、行业、地方、团体、国际); matched case-insensitively.
_ORGS = (
    "GB|HJ|JJG|JJF|JGJ|JG|JC|JTG|JT|SL|SN|NY|QB|HG|YY|YBB|WS|DL|CJJ|CJ|GA|GY|LY|MT|SH|SY|TB|YD|YS|HY|QC|"
    "FZ|AQ|DZ|CB|EJ|NB|SJ|WB|WJ|XB|CECS|ISO|IEC|EN|ASTM|BS|DIN|JIS|ANSI|EPA|T|DB\\s*\\d{2}"
)
STANDARD_RE = re.compile(
    rf"(?<![A-Za-z])(?P<org>{_ORGS})(?:\s*/\s*(?P<kind>[A-Za-z]{{1,5}})|(?P<kind2>[TZ]))?\s*(?P<num>\d+(?:\.\d+)*)"
    r"(?:\s*[-—–]\s*(?P<year>\d{4}|\d{2}))?(?![\d.]*\d)",
    re.IGNORECASE,
)
# Single characters that carry no meaning on their own in a capability schedule.
STOP_CHARS = frozenset("的和与及或等中之其于对在以由为是了用")
DICTIONARY_MAX_WORDS = 20_000
PIECE_MEMO_MAX = 50_000
DICTIONARY_WORD_LENGTH = (3, 16)
PAIR_MAX_LENGTH = 16
_WORD_RE = re.compile(r"[\w.]+")
_CJK_RE = re.compile(r"^[\u4e00-\u9fff]+$")

DICTIONARY_CACHE_KEY = "institutions:search:dictionary"
_lock = threading.Lock()
_ready = False
_user_words: frozenset[str] | None = None


def _jieba() -> None:
    global _ready
    if _ready:
        return
    with _lock:
        if not _ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.dt.tmp_dir = tempfile.gettempdir()
            jieba.initialize()
            _ready = True


def standard_tokens(org: str, kind: str | None, number: str) -> list[str]:
    """`gb`, `t`, `5750.5` → [`gbt5750`, `gbt5750.5`]: the standard and every shorter family."""
    prefix = re.sub(r"\s+", "", org).lower() + (kind or "").lower()
    parts = number.split(".")
    return [prefix + ".".join(parts[:end]) for end in range(1, len(parts) + 1)]


def normalise_standards(text: str) -> tuple[list[str], str]:
    """(the standard tokens found in `text`, `text` with those spans blanked out)."""
    tokens: list[str] = []

    def take(match: re.Match) -> str:
        tokens.extend(standard_tokens(match["org"], match["kind"] or match["kind2"], match["num"]))
        return " "

    return tokens, STANDARD_RE.sub(take, text)


def _keep(word: str) -> str | None:
    word = word.strip().lower()
    if not word or not _WORD_RE.fullmatch(word) or word.strip("._") == "":
        return None
    if len(word) == 1 and (word in STOP_CHARS or word.isascii()):
        return None
    return word.strip(".")


@functools.lru_cache(maxsize=PIECE_MEMO_MAX)
def _cut(piece: str) -> tuple[str, ...]:
    # jieba's dictionary never changes in a process (the user dictionary is not added to it), so a
    # piece always cuts the same: schedules repeat their pieces (检测方法, 食品安全国家标准) endlessly.
    return tuple(word for word in (_keep(w) for w in jieba.cut_for_search(piece)) if word)


def _pieces(text: str) -> tuple[list[str], list[str]]:
    """(the standard tokens of `text`, the rest of it split at spaces and punctuation)."""
    found, rest = normalise_standards(text)
    return found, [piece for piece in re.split(r"[^\w.]+", rest.replace("_", " ")) if piece]


def segment(text: str) -> list[str]:
    """The distinct search terms of `text`, in order of first appearance."""
    if not text:
        return []
    _jieba()
    found, pieces = _pieces(text)
    for piece in pieces:
        found.extend(_cut(piece))
    return list(dict.fromkeys(found))


def _pair_word(word: str) -> bool:
    return bool(_WORD_RE.fullmatch(word)) and not (len(word) == 1 and word in STOP_CHARS)


@functools.lru_cache(maxsize=PIECE_MEMO_MAX)
def _pairs(piece: str) -> tuple[str, ...]:
    # jieba.cut (not cut_for_search): the words as written one after the other.
    words = [word.strip().lower() for word in jieba.cut(piece)]
    return tuple(
        left + right
        for left, right in itertools.pairwise(words)
        if _pair_word(left) and _pair_word(right) and len(left) + len(right) <= PAIR_MAX_LENGTH
    )


def phrase_pairs(text: str) -> list[str]:
    """Every two adjacent words of `text` as one term (生活饮用水标准检验方法 → 生活饮用水, 饮用水标准,
    标准检验, 检验方法), so that two words typed together in a query (生活饮用水, 食品安全国家标准) are a
    single term of the index, not two words each found in a hundred thousand capabilities."""
    if not text:
        return []
    _jieba()
    _, pieces = _pieces(text)
    return [pair for piece in pieces for pair in _pairs(piece)]


def search_dictionary_words(items: Iterable[str]) -> list[str]:
    """The capability names worth a term of their own: Chinese-only, 3–16 characters, most
    frequent first, at most DICTIONARY_MAX_WORDS."""
    counts: dict[str, int] = {}
    low, high = DICTIONARY_WORD_LENGTH
    for item in items:
        for word in re.split(r"[^\u4e00-\u9fff]+", item or ""):
            if low <= len(word) <= high and _CJK_RE.match(word):
                counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda word: (-counts[word], word))[:DICTIONARY_MAX_WORDS]


def _dictionary() -> frozenset[str]:
    """The user dictionary of the last `search_dictionary_refresh()`, read from the cache once per
    process (an empty one when there is none yet or the cache is down)."""
    global _user_words
    if _user_words is None:
        from django.core.cache import cache

        try:
            _user_words = frozenset(cache.get(DICTIONARY_CACHE_KEY) or ())
        except Exception:  # a cache outage costs the extra terms, not the search
            return frozenset()
    return _user_words


def document_terms(text: str) -> list[str]:
    """The search terms of an indexed text: `segment(text)`, its adjacent word pairs (`phrase_pairs`)
    and the dictionary words it contains."""
    terms = segment(text) + phrase_pairs(text)
    words = _dictionary()
    if words:
        low, high = DICTIONARY_WORD_LENGTH
        for run in re.findall(r"[\u4e00-\u9fff]{3,}", text or ""):
            for start in range(len(run)):
                for end in range(start + low, min(start + high, len(run)) + 1):
                    if run[start:end] in words:
                        terms.append(run[start:end])
    return list(dict.fromkeys(terms))


def search_dictionary_refresh() -> int:
    """Rebuilds the user dictionary from the capability item names in the database (bounded) and keeps
    it in the cache for every process; returns how many words. Rows indexed afterwards get its terms."""
    from django.core.cache import cache

    from ..models import Capability

    items = (
        Capability.objects.filter(withdrawn_at__isnull=True)
        .order_by()
        .values_list("item", flat=True)
        .distinct()[: DICTIONARY_MAX_WORDS * 5]
    )
    words = search_dictionary_words(items.iterator(chunk_size=5000))
    cache.set(DICTIONARY_CACHE_KEY, words, timeout=None)
    global _user_words
    _user_words = frozenset(words)
    return len(words)
