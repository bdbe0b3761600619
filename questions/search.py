"""Searching the bank: any substring of two or more characters, Chinese included, through an index.

A trigram index (pg_trgm) cannot serve a two-character pattern such as `%梯度%`, and two-character
words are what people type in Chinese. So on PostgreSQL each searched text is indexed by its
character bigrams: the SQL function `question_search_grams` (migration 0007) turns a text into the
array of its overlapping two-character pieces, in C-implemented regular expressions, and a GIN
index over that array finds the questions holding every bigram of a word (`@>`). A `LIKE` on the
same rows then keeps those holding the word itself, so the result is exact. Single characters and
other databases (SQLite in development) fall back to `LIKE` alone.

Two texts are indexed, both lower-cased: `Question.search_text` (the prompt and the choices,
written with them) and the answers (reference answer and explanation, an expression over the
columns). Answers are searched only for who may read them. Skill names match through the skills
table, which is small.

Relevance: questions matching in the prompt, the choices or the skill come first, then those
matching only in the answers; each group in the bank's order. Each group is read a page at a
time in the bank's order (QuestionSearch.tiers), so a word found in half of 100,000 questions
costs a page of rows, and a rare word costs its index entries."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Func, Q, QuerySet, TextField

from .models import Question, Skill

MAX_WORDS = 8
# More skills than this matching a word: they are matched with a subquery, not a list of ids.
MAX_SKILL_IDS = 2000


def search_document(prompt_md: str, choice_texts: Iterable[str]) -> str:
    """What Question.search_text holds for a prompt and its choices' texts."""
    return "\n".join([prompt_md, *choice_texts]).lower()


def search_words(text: str) -> list[str]:
    """The words of a search box's text, lower-cased: each must be found (at most MAX_WORDS)."""
    return [word.lower() for word in text.split()[:MAX_WORDS]]


def bigrams(word: str) -> list[str]:
    """The overlapping two-character pieces of `word`, as the index holds them."""
    return sorted({word[i : i + 2] for i in range(len(word) - 1)})


class SearchGrams(Func):
    function = "question_search_grams"
    output_field = ArrayField(TextField())


class AnswersText(Func):
    """The answers of a question as searched: reference answer and explanation, lower-cased."""

    function = "question_answers_text"
    output_field = TextField()


def _indexed() -> bool:
    return connection.vendor == "postgresql"


def _answers():
    if _indexed():
        return AnswersText("reference_answer_md", "explanation_md")
    return None


# How a condition finds a word in a text (QuestionSearch.conditions):
BOTH = "both"  # bigrams and LIKE: exact, and an index can serve it (the API's filter)
GRAMS = "grams"  # bigrams alone: what the index holds, checked in the index only (candidates)
EXACT = "exact"  # LIKE alone: exact, and cheap to check on a row already read
MODES = (BOTH, GRAMS, EXACT)


def _text_match(field: str, grams_field: str, word: str, mode: str) -> Q:
    grams = bigrams(word)
    like = Q(**{f"{field}__contains": word})
    if not _indexed() or not grams or mode == EXACT:
        return like
    found = Q(**{f"{grams_field}__contains": grams})
    return found if mode == GRAMS else found & like


def _skill_match(word: str, skills: QuerySet[Skill]) -> Q:
    """Questions of the skills whose name holds the word (1 query)."""
    matching = skills.filter(name__icontains=word).values_list("pk", flat=True)
    ids = list(matching[: MAX_SKILL_IDS + 1])
    return Q(skill_id__in=matching if len(ids) > MAX_SKILL_IDS else ids)


# A search first reads the ids of at most this many candidates (questions holding every bigram)
# through the bigram indexes. Fewer: they are checked and ranked exactly, and counted. More:
# the word is common (1 in 100 questions of a 100,000-question bank, or more), and the matches
# are read a page at a time in the bank's order, within a few thousand rows.
PROBE_LIMIT = 1000
# How long a search found to have PROBE_LIMIT candidates or more is read the common way at once.
COMMON_TTL = 3600
# Fewer questions than this are searched row by row, without the indexes.
SMALL_BANK = 300


class IdList:
    """Questions known by id, in order: sliced like a queryset, its rows read per slice."""

    def __init__(self, ids: list[int], queryset: QuerySet[Question]):
        self.ids = ids
        self.queryset = queryset

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[Question]:
        ids = self.ids[index]
        rows = self.queryset.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


@dataclass
class QuestionSearch:
    """One search box's text, for one reader."""

    words: list[str]
    with_answers: bool
    # word -> the condition on skills whose name holds it: one query per word and search
    _skills_matching: dict[str, Q] = field(default_factory=dict, repr=False)

    def _skill_match(self, word: str, skills: QuerySet[Skill]) -> Q:
        if word not in self._skills_matching:
            self._skills_matching[word] = _skill_match(word, skills)
        return self._skills_matching[word]

    def annotate(self, queryset: QuerySet[Question]) -> QuerySet[Question]:
        if not _indexed():
            return queryset
        queryset = queryset.alias(search_grams=SearchGrams("search_text"))
        if self.with_answers:
            queryset = queryset.alias(
                answers_text=_answers(), answers_grams=SearchGrams(_answers())
            )
        return queryset

    def _outside_answers(self, word: str, skills: Q, mode: str) -> Q:
        if _indexed():
            found = _text_match("search_text", "search_grams", word, mode)
        else:  # no search_text column filled by every writer is needed without the index
            found = Q(prompt_md__icontains=word) | Q(choices__text_md__icontains=word)
        return found | skills

    def _in_answers(self, word: str, mode: str) -> Q:
        if _indexed():
            return _text_match("answers_text", "answers_grams", word, mode)
        return Q(reference_answer_md__icontains=word) | Q(explanation_md__icontains=word)

    def conditions(self, skills: QuerySet[Skill], mode: str = BOTH) -> tuple[Q, Q | None]:
        """(found outside the answers, found at all) for every word; the second is None when
        the reader may not search the answers. `mode` says how a word is found in a text."""
        outside = Q()
        anywhere = Q()
        for word in self.words:
            elsewhere = self._outside_answers(word, self._skill_match(word, skills), mode)
            outside &= elsewhere
            if self.with_answers:
                anywhere &= elsewhere | self._in_answers(word, mode)
        return outside, (anywhere if self.with_answers else None)

    def filter(self, queryset: QuerySet[Question], skills: QuerySet[Skill]) -> QuerySet[Question]:
        """Every question the words are found in (the API's list: one queryset, counted)."""
        outside, anywhere = self.conditions(skills)
        queryset = self.annotate(queryset).filter(anywhere if anywhere is not None else outside)
        return queryset if _indexed() else queryset.distinct()

    def ranked(
        self, queryset: QuerySet[Question], skills: QuerySet[Skill], *, size: int | None = None
    ) -> list:
        """The matches in relevance order, as tiers to read one after the other, each a zero-
        argument function (a later tier is worked out only if a page reaches it) returning an
        IdList or a queryset: found outside the answers (prompt, choices, skill name), then,
        for who may read them, found only in the answers; each in the bank's order.

        `size`, the number of questions searched (when known), below SMALL_BANK: each tier is
        checked row by row, which costs less than reading indexes for so few."""
        outside, anywhere = self.conditions(skills, GRAMS)
        exact_outside, exact_anywhere = self.conditions(skills, EXACT)
        queryset = self.annotate(queryset)
        if not _indexed():
            tiers = [lambda: queryset.filter(outside).distinct()]
            if anywhere is not None:
                tiers.append(lambda: queryset.filter(anywhere).exclude(outside).distinct())
            return tiers

        small = size is not None and size < SMALL_BANK

        def first():
            if small:
                return IdList(
                    list(queryset.filter(exact_outside).values_list("pk", flat=True)), queryset
                )
            return self._tier(queryset, queryset.filter(outside), exact_outside)

        def second():
            only_answers = exact_anywhere & ~exact_outside
            if small:
                return IdList(
                    list(queryset.filter(only_answers).values_list("pk", flat=True)), queryset
                )
            return self._tier(queryset, queryset.filter(anywhere), only_answers)

        return [first] if anywhere is None else [first, second]

    def _tier(self, queryset, candidates, exact: Q):
        """The questions of `candidates` (the bigram conditions alone, checked in the indexes)
        for which `exact` holds (LIKE alone, checked on rows), in the bank's order: an IdList
        when there are fewer than PROBE_LIMIT candidates, else a queryset read in the bank's
        order (with the exact conditions alone, cheap on each row it reads).

        That a search has that many candidates is remembered for an hour (COMMON_TTL): reading
        them costs more than the page itself. It only chooses how to read: a word that became
        rare since is still found, row by row."""
        probe = candidates.order_by().values_list("pk", flat=True)[:PROBE_LIMIT]
        common_key = "search-common:" + hashlib.sha256(str(probe.query).encode()).hexdigest()
        if cache.get(common_key):
            return queryset.filter(exact)
        with transaction.atomic(), connection.cursor() as cursor:
            # Through the bigram indexes alone, a bitmap of them, never lossy, in this process:
            # the planner, guessing how common a word is, would otherwise sometimes walk the
            # bank's order through most of the bank for a rare word; and starting parallel
            # workers costs more than the scan.
            cursor.execute(
                "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "
                "SET LOCAL work_mem = '32MB'; SET LOCAL max_parallel_workers_per_gather = 0"
            )
            ids = list(probe)
        if len(ids) == PROBE_LIMIT:
            cache.set(common_key, True, COMMON_TTL)
            return queryset.filter(exact)
        found = queryset.filter(exact, pk__in=ids).values_list("pk", flat=True)
        return IdList(list(found), queryset)
