"""Imports racing each other or an edit, on PostgreSQL with two threads: one bank, no lost edit,
no server error.

Each race is made deterministic: the first party runs inside a transaction held open until the
second party is seen waiting for a lock in pg_stat_activity; only then does the first commit.
"""

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connections, transaction

from questions.importer import bank_import
from questions.models import Question, QuestionBank, QuestionRevision
from questions.services import question_update
from tests.locks import waiting_for_a_lock

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
ORIGINAL = "在进行大模型训练的数据准备过程中，以下哪一项是数据清洗的常见步骤？"
CHANGED = "在准备大模型训练数据时，以下哪一项是数据清洗的常见步骤？"
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(first: Callable, second: Callable) -> dict[str, object]:
    """Run `first` in a transaction that stays open until `second` (started once `first` has
    done its work) waits for a lock; then commit `first` and let `second` finish.
    Returns each party's result or the exception it raised."""
    outcome: dict[str, object] = {}
    first_done, release = threading.Event(), threading.Event()

    def run(name: str, work: Callable, hold: bool) -> None:
        try:
            if hold:
                with transaction.atomic():
                    outcome[name] = work()
                    first_done.set()
                    assert release.wait(30), "the second party never waited for a lock"
            else:
                assert first_done.wait(30), "the first party never finished its work"
                outcome[name] = work()
        except Exception as exc:  # reported to the test, which names it
            outcome[name] = exc
        finally:
            first_done.set()
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("first", first, True)),
        threading.Thread(target=run, args=("second", second, False)),
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while waiting_for_a_lock() < 1 and time.monotonic() < deadline and threads[1].is_alive():
        time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(60)
    return outcome


def test_two_first_imports_of_one_title_make_one_bank():
    """The loser waits for the winner's commit, then updates that bank in place."""
    original = BUILTIN.read_bytes()
    changed = BUILTIN.read_text().replace(ORIGINAL, CHANGED, 1).encode()
    outcome = race(
        lambda: bank_import(data=original, source_name="first.md"),
        lambda: bank_import(data=changed, source_name="second.md"),
    )
    first, second = outcome["first"], outcome["second"]
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert QuestionBank.objects.count() == 1
    assert Question.objects.count() == 129  # no duplicate of any question
    assert first.summary().endswith("created 129, updated 0, unchanged 0, deactivated 0")
    assert second.summary().endswith("created 0, updated 1, unchanged 128, deactivated 0")
    question = Question.objects.get(prompt_md__startswith=CHANGED)
    assert question.version == 2
    assert QuestionBank.objects.get().source_name == "second.md"


def test_two_new_banks_racing_for_one_slug_both_import():
    """Different titles from files with the same name want the same slug: the second takes
    the next free one instead of failing."""
    text = BUILTIN.read_text()
    other = text.replace("# 面试题集: AI-大模型训练", "# 面试题集: AI-大模型训练（第二版）", 1)
    outcome = race(
        lambda: bank_import(data=text.encode(), source_name="bank.md"),
        lambda: bank_import(data=other.encode(), source_name="bank.md"),
    )
    assert not isinstance(outcome["first"], Exception), outcome["first"]
    assert not isinstance(outcome["second"], Exception), outcome["second"]
    assert sorted(QuestionBank.objects.values_list("title", "slug")) == [
        ("AI-大模型训练", "bank"),
        ("AI-大模型训练（第二版）", "bank-2"),
    ]
    assert Question.objects.count() == 2 * 129


def test_an_edit_made_while_a_reimport_runs_survives_as_a_conflict(interviewer):
    """The import locks the questions it reads: it waits for the edit, sees it, keeps it."""
    bank_import(data=BUILTIN.read_bytes(), source_name="bank.md")
    question = Question.objects.get(prompt_md__startswith=ORIGINAL)
    changed = BUILTIN.read_text().replace(ORIGINAL, CHANGED, 1).encode()
    outcome = race(
        lambda: question_update(
            question=question,
            actor=interviewer,
            prompt_md="（面试官改写）" + question.prompt_md,
            explanation_md=question.explanation_md,
            reference_answer_md=question.reference_answer_md,
            difficulty=question.difficulty,
        ),
        lambda: bank_import(data=changed, source_name="bank.md"),
    )
    assert not isinstance(outcome["first"], Exception), outcome["first"]
    result = outcome["second"]
    assert not isinstance(result, Exception), result
    assert result.summary().endswith(
        "created 0, updated 0, unchanged 128, deactivated 0, conflicts 1 (nothing changed)"
    )
    assert result.conflicts == [
        f"bank.md:{question.source_line}: question {question.source_key} changed in the file "
        "but was edited in the app (version 2); kept the app's version"
    ]
    question.refresh_from_db()
    assert question.prompt_md == "（面试官改写）" + ORIGINAL
    assert (question.version, question.edited_in_app) == (2, True)
    assert list(question.revisions.values_list("version", "source")) == [
        (1, QuestionRevision.Source.IMPORT)
    ]
