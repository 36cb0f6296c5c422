"""Ranked full-text search over articles, on PostgreSQL and on SQLite.

Both backends index the same normalised words, made in Python by `search_words()`:
Unicode-normalised, lower-cased, accents dropped from Latin letters, and Japanese (which
has no spaces between words) cut into overlapping two-character pieces, so a query of
any length finds the articles that contain it.

- PostgreSQL: a `search_vector tsvector` column on helpdesk_article with a GIN index
  (migration 0003), filled with the article language's text-search configuration
  (English and French stemming, `simple` for Japanese); title weighted A, summary B,
  body C; ranked with ts_rank. A generated column `search_head` (migration 0005) keeps
  the title and summary part alone, with its own GIN index.
- SQLite: an FTS5 table helpdesk_article_fts (rowid = article id, Porter stemming),
  ranked with bm25 and column weights title 10, summary 4, body 1.

Either way the search runs in stages (`STAGES`): all the words in the title or summary,
any of them there, then all and any in the whole text; a title match outranks a body
match and a later stage only fills what the earlier ones left. The index is kept in step by the
Article post_save/post_delete signals (helpdesk/kb/signals.py); `rebuild_index()`
refills it after bulk loads."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.backends.utils import CursorWrapper

from helpdesk.kb.markdown import markdown_to_text

FTS_TABLE = "helpdesk_article_fts"
PG_CONFIGS = {"en": "english", "fr": "french"}
# A 1,000-character question is searched by its first words only: bounded cost.
MAX_QUERY_WORDS = 24
# A word being typed is matched as a prefix from its third letter: "ca" would match most
# of the vocabulary ("call", "case", "calendar"...) and rank thousands of articles on a
# keystroke that says little. Two letters still match a whole word ("ip", "ux").
MIN_LATIN_PREFIX = 3

# Function words dropped from questions (PostgreSQL's configurations drop them too; FTS5
# would otherwise match almost every article on "how do I").
_STOPWORDS_TEXT = """
a an and are as at be can do does for from how i in is it me my of on or our the to we what
when where which who why will with you your
au aux avec ce ces comment dans de des du elle en est et il je la le les leur ma mes mon ne nos
notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes ton tu un une vos votre vous
"""
QUERY_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_WORD = re.compile(r"[^\W_]+")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005]")


def _script(char: str) -> str:
    if _HAN.match(char):
        return "han"
    if _KATAKANA.match(char):
        return "kata"
    if _HIRAGANA.match(char):
        return "hira"
    return "latin"


def _fold(text: str) -> str:
    """NFKC (full-width letters, half-width kana), lower case, no accents on Latin."""
    text = unicodedata.normalize("NFKC", text).lower()
    out = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and out and out[-1].isascii():
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def _runs(word: str) -> list[tuple[str, str]]:
    runs: list[tuple[str, str]] = []
    for char in word:
        script = _script(char)
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + char)
        else:
            runs.append((script, char))
    return runs


@dataclass(frozen=True)
class SearchWord:
    text: str
    prefix: bool = False


def search_words(text: str, *, for_query: bool = False) -> list[SearchWord]:
    """The index words of a text (or of a question, with `for_query`)."""
    folded = _fold(text or "")
    words: list[SearchWord] = []
    for match in _WORD.finditer(folded):
        for script, run in _runs(match.group()):
            if script == "latin":
                if not (for_query and run in QUERY_STOPWORDS):
                    words.append(SearchWord(run))
            elif script == "hira" and for_query and len(run) <= 2:
                continue  # particles and verb endings: noise in a question
            elif len(run) == 1:
                words.append(SearchWord(run, prefix=for_query))
            else:
                words.extend(SearchWord(run[i : i + 2]) for i in range(len(run) - 1))
    if for_query and words and folded and folded[-1].isalnum():
        # The user is still typing the last word: match it as a prefix.
        last = words[-1]
        latin = _script(last.text[0]) == "latin"
        latin_prefix = latin and last.text.isascii() and len(last.text) >= MIN_LATIN_PREFIX
        kana_or_kanji = not latin and len(last.text) == 1
        if folded.endswith(last.text) and (latin_prefix or kana_or_kanji):
            words[-1] = SearchWord(last.text, prefix=True)
    if for_query:
        unique: dict[str, SearchWord] = {}
        for word in words:
            unique[word.text] = SearchWord(
                word.text, word.prefix or unique.get(word.text, word).prefix
            )
        words = list(unique.values())[:MAX_QUERY_WORDS]
    return words


def _document(text: str) -> str:
    return " ".join(word.text for word in search_words(text))


def _article_documents(article) -> tuple[str, str, str]:
    return (
        _document(article.title),
        _document(article.summary),
        _document(markdown_to_text(article.body)),
    )


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    language: str
    score: float


def index_articles(articles: Iterable) -> None:
    """Write the search index rows of these articles (insert or replace)."""
    rows = [(article.pk, article.language, *_article_documents(article)) for article in articles]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                "UPDATE helpdesk_article SET search_vector = "
                "setweight(to_tsvector(%s::regconfig, %s), 'A') || "
                "setweight(to_tsvector(%s::regconfig, %s), 'B') || "
                "setweight(to_tsvector(%s::regconfig, %s), 'C') WHERE id = %s",
                [
                    (PG_CONFIGS.get(lang, "simple"), t, PG_CONFIGS.get(lang, "simple"), s)
                    + (PG_CONFIGS.get(lang, "simple"), b, pk)
                    for pk, lang, t, s, b in rows
                ],
            )
        elif connection.vendor == "sqlite":
            cursor.executemany(
                f"DELETE FROM {FTS_TABLE} WHERE rowid = %s",  # noqa: S608 - constant name
                [(pk,) for pk, *_ in rows],
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) "  # noqa: S608
                "VALUES (%s, %s, %s, %s)",
                [(pk, t, s, b) for pk, _lang, t, s, b in rows],
            )


def unindex_articles(article_ids: Iterable[int]) -> None:
    ids = [(pk,) for pk in article_ids]
    if ids and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", ids)  # noqa: S608


def rebuild_index(batch_size: int = 500) -> int:
    """Re-index every article (after bulk_create, or to repair). Returns the count."""
    from helpdesk.kb.models import Article

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
    count = 0
    batch = []
    for article in Article.objects.order_by("pk").iterator(chunk_size=batch_size):
        batch.append(article)
        if len(batch) == batch_size:
            index_articles(batch)
            count += len(batch)
            batch = []
    index_articles(batch)
    return count + len(batch)


# Where suggestions come from, best first: the question's words in an article's title or
# summary before its body, and all of the words before any of them. Each stage only runs
# when the ones before it found fewer articles than asked for, so a question that names
# a title stops after one small query, and ranking reads the short title-and-summary
# index rather than every matching article's whole text.
STAGES: tuple[tuple[str, str], ...] = (
    ("head", "all"),
    ("head", "any"),
    ("full", "all"),
    ("full", "any"),
)
# Body-only matches are ranked among at most this many candidates: when more articles
# than that mention a word only in passing, none of them is a good suggestion anyway,
# and ranking them all would cost time on every keystroke.
BODY_CANDIDATES = 1000


def _pg_tsquery(words: list[SearchWord], operator: str) -> str:
    # Words hold only letters and digits, so quoting cannot be broken out of; the
    # string is still passed as a parameter.
    return f" {operator} ".join(f"'{w.text}'" + (":*" if w.prefix else "") for w in words)


def _fts5_query(words: list[SearchWord], operator: str) -> str:
    return f" {operator} ".join(f'"{w.text}"' + ("*" if w.prefix else "") for w in words)


def _pg_stage(
    cursor: CursorWrapper, *, part: str, tsquery: str, language: str, exclude: list[int], limit: int
) -> list[tuple[int, str, float]]:
    config = PG_CONFIGS.get(language, "simple")
    if part == "head":
        cursor.execute(
            "SELECT id, language, ts_rank(search_head, to_tsquery(%s::regconfig, %s)) AS score "
            "FROM helpdesk_article WHERE is_published AND language = %s "
            "AND search_head @@ to_tsquery(%s::regconfig, %s) AND NOT (id = ANY(%s)) "
            "ORDER BY score DESC, id LIMIT %s",
            [config, tsquery, language, config, tsquery, exclude, limit],
        )
    else:
        cursor.execute(
            "SELECT id, language, ts_rank(search_vector, to_tsquery(%s::regconfig, %s)) AS score "
            "FROM (SELECT id, language, search_vector FROM helpdesk_article "
            "WHERE is_published AND language = %s "
            "AND search_vector @@ to_tsquery(%s::regconfig, %s) AND NOT (id = ANY(%s)) "
            "LIMIT %s) AS candidates ORDER BY score DESC, id LIMIT %s",
            [config, tsquery, language, config, tsquery, exclude, BODY_CANDIDATES, limit],
        )
    return cursor.fetchall()


def _sqlite_stage(
    cursor: CursorWrapper, *, part: str, match: str, language: str, exclude: list[int], limit: int
) -> list[tuple[int, str, float]]:
    # "NOT IN (NULL)" would exclude everything: with nothing to exclude, compare with -1.
    not_in = ", ".join(["%s"] * len(exclude)) or "-1"
    # CROSS JOIN keeps the FTS5 match as the outer loop, the article fetched by primary
    # key: left to choose, SQLite may walk the articles of the language and run one
    # full-text lookup per article (seen: 200 ms for a word no article has).
    if part == "head":
        cursor.execute(
            f"SELECT a.id, a.language, -bm25({FTS_TABLE}, 10.0, 4.0, 0.0) AS score "  # noqa: S608
            f"FROM {FTS_TABLE} CROSS JOIN helpdesk_article a ON a.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND a.is_published AND a.language = %s "
            f"AND a.id NOT IN ({not_in}) ORDER BY score DESC, a.id LIMIT %s",
            ["{title summary} : (" + match + ")", language, *exclude, limit],
        )
    else:
        cursor.execute(
            "SELECT id, language, score FROM ("  # noqa: S608 - constant names
            f"SELECT a.id, a.language, -bm25({FTS_TABLE}, 10.0, 4.0, 1.0) AS score "
            f"FROM {FTS_TABLE} CROSS JOIN helpdesk_article a ON a.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND a.is_published AND a.language = %s "
            f"AND a.id NOT IN ({not_in}) LIMIT %s"
            ") ORDER BY score DESC, id LIMIT %s",
            [match, language, *exclude, BODY_CANDIDATES, limit],
        )
    return cursor.fetchall()


def search(*, query: str, language: str, limit: int) -> list[SearchHit]:
    """The best published articles in one language for a question, best first."""
    words = search_words(query, for_query=True)
    if not words or limit <= 0:
        return []
    if connection.vendor not in ("postgresql", "sqlite"):
        return _fallback_search(words=words, language=language, limit=limit)
    hits: list[SearchHit] = []
    with connection.cursor() as cursor:
        for part, mode in STAGES:
            if mode == "any" and len(words) == 1:
                continue  # one word: "any" finds what "all" found
            exclude = [hit.article_id for hit in hits]
            wanted = limit - len(hits)
            if connection.vendor == "postgresql":
                tsquery = _pg_tsquery(words, "&" if mode == "all" else "|")
                rows = _pg_stage(
                    cursor,
                    part=part,
                    tsquery=tsquery,
                    language=language,
                    exclude=exclude,
                    limit=wanted,
                )
            else:
                match = _fts5_query(words, "AND" if mode == "all" else "OR")
                rows = _sqlite_stage(
                    cursor, part=part, match=match, language=language, exclude=exclude, limit=wanted
                )
            hits += [SearchHit(pk, lang, float(score)) for pk, lang, score in rows]
            if len(hits) >= limit:
                break
    return hits


def _fallback_search(*, words: list[SearchWord], language: str, limit: int) -> list[SearchHit]:
    """Other databases: unranked-by-engine substring match, title before summary."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from helpdesk.kb.models import Article

    title_q = Q()
    any_q = Q()
    for word in words:
        title_q |= Q(title__icontains=word.text)
        any_q |= Q(title__icontains=word.text) | Q(summary__icontains=word.text)
    rows = (
        Article.objects.filter(any_q, is_published=True, language=language)
        .annotate(
            score=Case(When(title_q, then=Value(2)), default=Value(1), output_field=IntegerField())
        )
        .order_by("-score", "pk")
        .values_list("pk", "language", "score")[:limit]
    )
    return [SearchHit(pk, lang, float(score)) for pk, lang, score in rows]
