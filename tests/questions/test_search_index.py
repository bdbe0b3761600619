"""Search through the bigram index (PostgreSQL): any substring of two or more characters of a
prompt, a choice or (for who may read them) an answer is found, matches in the prompt rank
before matches only in the answers, and the queries go through the index."""

import random
from pathlib import Path

import pytest
from django.db import connection, transaction

from questions.importer import bank_import_path
from questions.models import Question, Skill
from questions.search import PROBE_LIMIT, QuestionSearch, bigrams, search_words
from questions.selectors import question_list
from questions.services import ChoiceInput, question_update

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"

pytestmark = pytest.mark.postgres


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


def _found(bank, text: str, *, with_answers: bool, size: int | None = None) -> list[int]:
    """Every match's id in rank order, read through the tiers the bank page reads (through
    the indexes, or row by row when `size` says the bank is small)."""
    search = QuestionSearch(search_words(text), with_answers)
    skills = Skill.objects.filter(category__bank=bank)
    ids = []
    for tier in search.ranked(question_list(bank=bank, with_choices=False), skills, size=size):
        ids += [q.pk for q in tier()[:]]
    return ids


def _filtered(bank, text: str, *, with_answers: bool) -> set[int]:
    """The API's way: one filtered queryset."""
    search = QuestionSearch(search_words(text), with_answers)
    skills = Skill.objects.filter(category__bank=bank)
    found = search.filter(question_list(bank=bank, with_choices=False), skills)
    return set(found.values_list("pk", flat=True))


def _substrings(text: str, rng: random.Random, count: int) -> list[str]:
    """`count` substrings of 2 to 4 characters without spaces (a search splits on them)."""
    pieces = []
    for _ in range(count * 10):
        size = rng.randint(2, 4)
        start = rng.randrange(max(1, len(text) - size))
        piece = text[start : start + size]
        if len(piece) >= 2 and not any(c.isspace() for c in piece):
            pieces.append(piece)
        if len(pieces) == count:
            break
    return pieces


def test_bigrams_are_the_overlapping_pairs():
    assert bigrams("梯度下降") == sorted({"梯度", "度下", "下降"})
    assert bigrams("梯") == []
    assert bigrams("abab") == ["ab", "ba"]


def test_the_database_function_makes_the_same_bigrams(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT question_search_grams(%s)", ["梯度下降 ab"])
        (grams,) = cursor.fetchone()
    assert {"梯度", "度下", "下降", "ab"} <= set(grams)


def test_any_substring_of_a_prompt_finds_its_question(bank):
    """Two to four characters cut at random from 30 prompts (seed printed on failure)."""
    seed = 20261202
    rng = random.Random(seed)
    questions = list(Question.objects.filter(bank=bank, is_active=True).order_by("pk"))
    for question in rng.sample(questions, 30):
        for piece in _substrings(question.prompt_md.lower(), rng, 3):
            found = _found(bank, piece, with_answers=False)
            assert question.pk in found, (seed, question.pk, piece)
            assert question.pk in _filtered(bank, piece, with_answers=False), (seed, piece)


def test_two_chinese_characters_find_every_question_holding_them(bank):
    """梯度 (a two-character word): the index finds exactly what a scan of the text finds."""
    expected = {
        q.pk
        for q in Question.objects.filter(bank=bank, is_active=True)
        if "梯度" in q.prompt_md.lower()
        or "梯度" in q.reference_answer_md.lower()
        or "梯度" in q.explanation_md.lower()
        or any("梯度" in c.text_md for c in q.choices.all())
        or (q.skill is not None and "梯度" in q.skill.name)
    }
    assert expected
    found = _found(bank, "梯度", with_answers=True)
    assert set(found) == expected and len(found) == len(expected)
    assert _filtered(bank, "梯度", with_answers=True) == expected


def test_a_choice_and_a_skill_name_are_searched(bank):
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    choice = question.choices.first().text_md
    piece = next(p for p in _substrings(choice, random.Random(1), 5) if p not in question.prompt_md)
    assert question.pk in _found(bank, piece, with_answers=False)
    assert question.pk in _found(bank, "采集与清洗", with_answers=False)


def test_answers_are_searched_only_for_who_may_read_them(bank):
    question = Question.objects.filter(bank=bank, kind="open_ended").exclude(
        reference_answer_md=""
    )[0]
    word = "独一无二的答案词"
    question_update(
        question=question,
        actor=None,
        prompt_md=question.prompt_md,
        explanation_md=question.explanation_md,
        reference_answer_md=question.reference_answer_md + word,
        difficulty=question.difficulty,
    )
    assert _found(bank, word, with_answers=True) == [question.pk]
    assert _found(bank, word, with_answers=False) == []


def test_prompt_matches_rank_before_answer_only_matches(bank):
    """Relevance: found in the prompt, a choice or the skill, then found only in the answers."""
    found = _found(bank, "梯度", with_answers=True)
    outside = [
        pk
        for pk in found
        if "梯度" in Question.objects.get(pk=pk).search_text
        or "梯度" in (Question.objects.get(pk=pk).skill or Skill(name="")).name
    ]
    assert outside and len(outside) < len(found)
    assert found[: len(outside)] == outside  # every prompt match before any answer-only one
    positions = [Question.objects.get(pk=pk).position for pk in outside]
    assert positions == sorted(positions)  # and within a group, the bank's order


def test_an_edit_is_found_by_its_new_words_and_not_its_old(bank):
    question = Question.objects.filter(bank=bank, kind="single_choice")[0]
    question_update(
        question=question,
        actor=None,
        prompt_md="新的题干：流水线并行气泡",
        explanation_md=question.explanation_md,
        reference_answer_md="",
        difficulty=question.difficulty,
        choices=[ChoiceInput("A", "换了的选项文字", True), ChoiceInput("B", "另一个", False)],
    )
    assert _found(bank, "并行气泡", with_answers=False) == [question.pk]
    assert _found(bank, "换了的选项", with_answers=False) == [question.pk]
    question.refresh_from_db()
    assert question.search_text == "新的题干：流水线并行气泡\n换了的选项文字\n另一个"


def test_one_character_is_found_without_the_index(bank):
    found = _found(bank, "熵", with_answers=True)
    expected = {
        q.pk
        for q in Question.objects.filter(bank=bank, is_active=True)
        if "熵" in q.prompt_md + q.reference_answer_md + q.explanation_md
        or any("熵" in c.text_md for c in q.choices.all())
    }
    assert set(found) == expected


def test_a_search_reads_the_bigram_indexes(bank):
    """The candidates come from a bitmap of the two GIN indexes, not a scan of the table."""
    search = QuestionSearch(["梯度下降"], True)
    skills = Skill.objects.filter(category__bank=bank)
    queryset = search.annotate(Question.objects.filter(is_active=True))
    _outside, anywhere = search.conditions(skills, "grams")
    sql, params = queryset.filter(anywhere).order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # 129 rows are cheaper to filter one by one than to look up; at 100,000 they are not
        # (the planner chooses the GIN indexes itself there): make checking a row cost what it
        # costs with long answers, so that the plan shows the indexes serve the conditions.
        cursor.execute("ANALYZE questions_question")
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "
            "SET LOCAL cpu_operator_cost = 10"
        )
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "question_search_grams_idx" in plan and "question_answers_grams_idx" in plan


def test_a_common_word_is_read_a_page_at_a_time(bank, monkeypatch):
    """More candidates than the probe reads: the tiers are querysets in the bank's order, and
    a page of them matches what ranking every match would give for that tier."""
    monkeypatch.setattr("questions.search.PROBE_LIMIT", 5)
    search = QuestionSearch(["的"], False)
    skills = Skill.objects.filter(category__bank=bank)
    (tier,) = search.ranked(question_list(bank=bank, with_choices=False), skills)
    rows = tier()
    assert hasattr(rows, "query")  # a queryset: nothing counted
    page = [q.pk for q in rows[:25]]
    expected = [
        q.pk
        for q in Question.objects.filter(bank=bank, is_active=True).order_by("position", "id")
        if "的" in q.search_text
    ][:25]
    assert page == expected
    assert PROBE_LIMIT == 1000  # the module's own value is unchanged by the patch above


def test_a_question_leaving_the_file_is_not_found(bank, tmp_path):
    text = BUILTIN.read_text()
    start = text.index("<a id='数据采集与清洗'></a>")
    end = text.index("<a id=", start + 1)
    row = next(line for line in text.split("\n") if line.startswith("| 数据采集与清洗 |"))
    path = tmp_path / "fewer.md"
    path.write_text((text[:start] + text[end:]).replace(row + "\n", ""))
    gone = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    piece = gone.prompt_md[5:9]
    assert gone.pk in _found(bank, piece, with_answers=True)
    bank_import_path(path=path)
    assert gone.pk not in _found(bank, piece, with_answers=True)


@pytest.mark.parametrize("text", ["梯度", "数据并行", "的 训练", "zero", "熵", "采集与清洗"])
def test_a_small_bank_searched_row_by_row_finds_the_same_in_the_same_order(bank, text):
    for with_answers in (True, False):
        indexed = _found(bank, text, with_answers=with_answers)
        assert _found(bank, text, with_answers=with_answers, size=129) == indexed
