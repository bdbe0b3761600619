"""Two requests on one set at the same moment, on PostgreSQL with real threads: the set's row
lock makes them take turns, and the second decides on what the first wrote.

`in_turn` fixes who goes first: a third connection holds the set's lock while the requests
queue behind it one by one (PostgreSQL grants a row lock in the order it was asked for), then
lets go. So each order is tested every time, not only when the scheduler happens to pick it.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections, transaction
from django.test import Client
from rest_framework.authtoken.models import Token

from interviews.models import QuestionSet
from interviews.services import question_set_create
from questions.models import Category, Question, QuestionBank, Skill
from tests.locks import waiting_for_a_lock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank():
    """One skill with eight open-ended questions of difficulty 4: any of them can swap in."""
    bank = QuestionBank.objects.create(title="Lock bank", slug="lock-bank")
    category = Category.objects.create(bank=bank, name="并发")
    skill = Skill.objects.create(category=category, name="行锁", anchor="lock", difficulty=4)
    Question.objects.bulk_create(
        Question(
            bank=bank,
            category=category,
            skill=skill,
            kind="open_ended",
            difficulty=4,
            prompt_md=f"问题 {n}",
            source_key=f"q{n}",
        )
        for n in range(8)
    )
    return bank


@pytest.fixture
def question_set(bank, interviewer):
    questions = list(Question.objects.filter(bank=bank).order_by("pk")[:4])
    return question_set_create(
        owner=interviewer, bank=bank, title="Four", items=[(q, None) for q in questions]
    )


def api_headers(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def own_connection(request):
    """`request` for a thread of its own: it closes the thread's connection when done."""

    def run():
        try:
            return request()
        finally:
            connections.close_all()

    return run


def wait_until_waiting(n: int) -> None:
    deadline = time.monotonic() + 20
    while waiting_for_a_lock() < n:
        if time.monotonic() > deadline:
            pytest.fail(f"{n} request(s) should be waiting for the set's lock by now")
        time.sleep(0.01)


def in_turn(question_set, *requests):
    """Run the requests in threads, taking the set's lock in the order given; their results."""
    held, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            QuestionSet.objects.select_for_update().get(pk=question_set.pk)
            held.set()
            release.wait(30)

    with ThreadPoolExecutor(len(requests) + 1) as pool:
        holder = pool.submit(own_connection(hold))
        assert held.wait(20)
        futures = []
        try:
            for n, request in enumerate(requests, 1):
                futures.append(pool.submit(own_connection(request)))
                wait_until_waiting(n)
        finally:
            release.set()
        holder.result(timeout=30)
        return [future.result(timeout=30) for future in futures]


def at_once(*requests):
    """Run the requests in threads released at the same moment; their results."""
    start = threading.Barrier(len(requests))

    def started(request):
        def run():
            start.wait(10)
            return request()

        return run

    with ThreadPoolExecutor(len(requests)) as pool:
        futures = [pool.submit(own_connection(started(request))) for request in requests]
        return [future.result(timeout=30) for future in futures]


# --- settings and archiving: PATCH /api/v1/question-sets/<id>/ ----------------------------------


def patches(question_set, user):
    url = f"/api/v1/question-sets/{question_set.pk}/"
    headers = api_headers(user)

    def patch(body):
        return lambda: Client().patch(url, body, content_type="application/json", **headers)

    return patch({"archived": True}), patch({"title": "renamed"})


@pytest.mark.parametrize("first", ["archive", "rename"])
def test_archiving_and_renaming_in_either_order_both_stay(question_set, interviewer, first):
    archive, rename = patches(question_set, interviewer)
    order = (archive, rename) if first == "archive" else (rename, archive)
    responses = in_turn(question_set, *order)
    assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
    stored = QuestionSet.objects.get(pk=question_set.pk)
    assert (stored.is_archived, stored.title) == (True, "renamed")
    assert responses[-1].json()["archived"] is True and responses[-1].json()["title"] == "renamed"


def test_archiving_and_renaming_at_the_same_moment_both_stay(question_set, interviewer):
    archive, rename = patches(question_set, interviewer)
    for trial in range(20):
        QuestionSet.objects.filter(pk=question_set.pk).update(archived_at=None, title="Four")
        responses = at_once(archive, rename)
        assert [r.status_code for r in responses] == [200, 200], (trial, responses)
        stored = QuestionSet.objects.get(pk=question_set.pk)
        assert (stored.is_archived, stored.title) == (True, "renamed"), trial


# --- an item removed in one tab while another tab acts on it ------------------------------------

GONE = "That question is no longer in the set: it was removed, perhaps in another tab."


def editor(question_set, user):
    """Page requests of the set editor, as htmx sends them, each with a client of its own."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    base = f"/sets/{question_set.pk}/items"

    def post(path, data=None):
        def run():
            tab = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true")
            tab.cookies = client.cookies
            return tab.post(f"{base}/{path}", data or {})

        return run

    return post


def items_of(question_set) -> list[tuple[int, int, int]]:
    """(item id, question id, position) of each item, in order."""
    return list(
        question_set.items.order_by("position").values_list("pk", "question_id", "position")
    )


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("move/up", None),
        ("move/bottom", None),
        ("points", {"points": "9"}),
        ("swap", None),
        ("remove", None),
    ],
)
def test_an_action_on_an_item_removed_first_says_it_is_gone(
    question_set, interviewer, action, data
):
    post = editor(question_set, interviewer)
    before = items_of(question_set)
    victim = before[1][0]
    removed, late = in_turn(
        question_set, post(f"{victim}/remove/"), post(f"{victim}/{action}/", data)
    )
    assert removed.status_code == 200, removed.content
    assert late.status_code == 409, late.content
    assert GONE in late.content.decode()
    # the late tab is shown the set as it is now: three questions, the removed one not among them
    assert late.content.decode().count("data-item=") == 3
    assert f'data-item="{victim}"' not in late.content.decode()
    after = items_of(question_set)
    assert [(pk, q) for pk, q, _p in after] == [(pk, q) for pk, q, _p in before if pk != victim]
    assert [p for _pk, _q, p in after] == [1, 2, 3]


def test_removing_an_item_after_the_api_replaced_the_items_removes_it(question_set, interviewer):
    """PATCH items (the same questions, another order and points) goes first: the remove that
    waited behind it removes the question it named, and says so."""
    before = items_of(question_set)
    victim, victim_question = before[0][0], before[0][1]
    body = {"items": [{"question": q, "points": 7} for _pk, q, _p in reversed(before)]}
    patch = lambda: Client().patch(  # noqa: E731
        f"/api/v1/question-sets/{question_set.pk}/",
        body,
        content_type="application/json",
        **api_headers(interviewer),
    )
    patched, removed = in_turn(
        question_set, patch, editor(question_set, interviewer)(f"{victim}/remove/")
    )
    assert patched.status_code == 200, patched.content
    assert removed.status_code == 200, removed.content
    after = items_of(question_set)
    assert victim_question not in [q for _pk, q, _p in after]
    assert [q for _pk, q, _p in after] == [q for _pk, q, _p in reversed(before[1:])]
    assert set(question_set.items.values_list("points", flat=True)) == {7}


def test_replacing_the_items_after_a_removal_puts_the_question_back(question_set, interviewer):
    """The other order: the remove goes first, then the PATCH lists every question again."""
    before = items_of(question_set)
    victim = before[0][0]
    body = {"items": [{"question": q} for _pk, q, _p in before]}
    patch = lambda: Client().patch(  # noqa: E731
        f"/api/v1/question-sets/{question_set.pk}/",
        body,
        content_type="application/json",
        **api_headers(interviewer),
    )
    removed, patched = in_turn(
        question_set, editor(question_set, interviewer)(f"{victim}/remove/"), patch
    )
    assert (removed.status_code, patched.status_code) == (200, 200)
    assert [q for _pk, q, _p in items_of(question_set)] == [q for _pk, q, _p in before]
    assert [i["question"] for i in patched.json()["items"]] == [q for _pk, q, _p in before]
