"""API v1: /question-sets/ and /question-sets/assemble/."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from interviews.models import QuestionSet
from interviews.services import question_set_clone, question_set_create, question_set_item_swap
from questions.importer import bank_import_path
from questions.models import Category, Question, QuestionBank

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def test_assemble_returns_items_shortfalls_and_summary(client, interviewer, bank):
    category = Category.objects.get(name="分布式训练与系统架构")
    blueprint = {
        "bank": bank.pk,
        "count": 10,
        "categories": [category.pk],
        "seed": 42,
        "bands": [
            {"min": 2, "max": 4, "count": 3},
            {"min": 5, "max": 7, "count": 4},
            {"min": 8, "max": 10, "count": 3},
        ],
        "kinds": {"open_ended": 7, "single_choice": 3},
    }
    response = client.post(
        "/api/v1/question-sets/assemble/",
        blueprint,
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["shortfalls"] == [] and len(body["items"]) == 10
    assert body["notes"] == []  # the bands cover the whole count
    item = body["items"][0]
    assert set(item) == {"question", "points", "position"}
    assert set(item["question"]) >= {"id", "skill", "kind", "difficulty", "prompt_md"}
    assert "reference_answer_md" not in item["question"]
    assert body["summary"]["count"] == 10 and body["summary"]["open"] == 7
    again = client.post(
        "/api/v1/question-sets/assemble/",
        blueprint,
        content_type="application/json",
        **auth(interviewer),
    ).json()
    assert [i["question"]["id"] for i in again["items"]] == [
        i["question"]["id"] for i in body["items"]
    ]
    assert QuestionSet.objects.count() == 0


def test_assemble_notes_what_the_blueprint_leaves_open(client, interviewer, bank):
    response = client.post(
        "/api/v1/question-sets/assemble/",
        {"bank": bank.pk, "count": 6, "seed": 2, "bands": [{"min": 8, "max": 10, "count": 2}]},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.json()["notes"] == [
        "The bands ask for 2 of the 6 questions; the other 4 may have any difficulty."
    ]


def test_assemble_and_save(client, interviewer, bank):
    response = client.post(
        "/api/v1/question-sets/assemble/",
        {"bank": bank.pk, "count": 5, "seed": 1, "save": True, "title": "API set"},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 201
    question_set = QuestionSet.objects.get(pk=response.json()["id"])
    assert question_set.items.count() == 5 and question_set.owner == interviewer
    assert question_set.blueprint == {"bank": bank.pk, "count": 5, "seed": 1}


def test_a_set_saved_without_a_seed_can_be_drawn_again(client, interviewer, bank):
    """The API, like the page, gives every draw a seed: it answers with it, keeps it with the
    saved set, and the stored blueprint draws the same questions again."""
    blueprint = {"bank": bank.pk, "count": 8, "bands": [{"min": 5, "max": 7, "count": 4}]}
    response = client.post(
        "/api/v1/question-sets/assemble/",
        {**blueprint, "save": True, "title": "No seed given"},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    seed = body["blueprint"]["seed"]
    assert isinstance(seed, int) and seed >= 0
    question_set = QuestionSet.objects.get(pk=body["id"])
    assert question_set.blueprint == {**blueprint, "seed": seed} == body["blueprint"]
    saved = list(question_set.items.order_by("position").values_list("question_id", flat=True))
    assert saved == [item["question"]["id"] for item in body["items"]]

    again = client.post(
        "/api/v1/question-sets/assemble/",
        question_set.blueprint,
        content_type="application/json",
        **auth(interviewer),
    ).json()
    assert again["blueprint"] == question_set.blueprint
    assert [item["question"]["id"] for item in again["items"]] == saved


def test_an_unsaved_draw_answers_with_the_seed_it_used(client, interviewer, bank):
    def draw(**extra):
        return client.post(
            "/api/v1/question-sets/assemble/",
            {"bank": bank.pk, "count": 6, **extra},
            content_type="application/json",
            **auth(interviewer),
        ).json()

    first = draw()
    repeat = draw(seed=first["blueprint"]["seed"])
    assert [i["question"]["id"] for i in repeat["items"]] == [
        i["question"]["id"] for i in first["items"]
    ]


def test_assemble_reports_shortfalls(client, interviewer, bank):
    category = Category.objects.get(name="安全与合规")
    body = client.post(
        "/api/v1/question-sets/assemble/",
        {
            "bank": bank.pk,
            "count": 5,
            "categories": [category.pk],
            "bands": [{"min": 9, "max": 10, "count": 3}],
            "kinds": {"open_ended": 3},
        },
        content_type="application/json",
        **auth(interviewer),
    ).json()
    assert len(body["items"]) < 5
    assert (
        "asked for 3 open-ended questions at difficulty 9-10 in 安全与合规, the bank has 1"
        in (body["shortfalls"])
    )


@pytest.mark.parametrize(
    ("blueprint", "field", "words"),
    [
        ({"count": 0}, "count", "between 1 and 200"),
        ({"count": 5, "difficulty_min": 8, "difficulty_max": 3}, "difficulty_max", "swap them"),
        ({"count": 3, "bands": [{"min": 1, "max": 4, "count": 4}]}, "bands", "more than the count"),
        ({"count": 3, "skills": [999999]}, "skills", "unknown skill"),
        ({"count": 3, "kinds": {"essay": 1}}, "kinds", "unknown kind"),
    ],
)
def test_invalid_blueprints_are_400_with_what_to_change(
    client, interviewer, bank, blueprint, field, words
):
    response = client.post(
        "/api/v1/question-sets/assemble/",
        {"bank": bank.pk, **blueprint},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])


def test_hiring_manager_may_not_assemble_or_write(client, hiring_manager, bank):
    response = client.post(
        "/api/v1/question-sets/assemble/",
        {"bank": bank.pk, "count": 3},
        content_type="application/json",
        **auth(hiring_manager),
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/question-sets/",
        {"title": "x", "bank": bank.pk},
        content_type="application/json",
        **auth(hiring_manager),
    )
    assert response.status_code == 403
    assert client.get("/api/v1/question-sets/", **auth(hiring_manager)).status_code == 200


def test_create_and_patch_items(client, interviewer, bank):
    questions = list(Question.objects.filter(kind="single_choice")[:3])
    response = client.post(
        "/api/v1/question-sets/",
        {
            "title": "Hand-made",
            "time_limit_minutes": 20,
            "items": [{"question": q.pk, "position": 3 - i} for i, q in enumerate(questions)],
        },
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["question"] for i in body["items"]] == [q.pk for q in reversed(questions)]
    assert body["items"][0]["points"] == questions[-1].difficulty
    set_id = body["id"]
    response = client.patch(
        f"/api/v1/question-sets/{set_id}/",
        {"title": "Renamed", "items": [{"question": questions[0].pk, "points": 9}]},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert [(i["question"], i["points"]) for i in response.json()["items"]] == [
        (questions[0].pk, 9)
    ]
    response = client.patch(
        f"/api/v1/question-sets/{set_id}/",
        {"items": [{"question": questions[0].pk}, {"question": questions[0].pk}]},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 400 and "appears twice" in str(response.json())
    assert QuestionSet.objects.get(pk=set_id).items.count() == 1  # nothing changed


def test_other_interviewer_may_not_patch(client, interviewer, bank):
    from tests.factories import UserFactory

    question_set = question_set_create(owner=interviewer, bank=bank, title="Mine")
    other = UserFactory(username="otto", role="interviewer")
    response = client.patch(
        f"/api/v1/question-sets/{question_set.pk}/",
        {"title": "Theirs"},
        content_type="application/json",
        **auth(other),
    )
    assert response.status_code == 403
    assert "owner or an administrator" in response.json()["detail"]
    question_set.refresh_from_db()
    assert question_set.title == "Mine"


def test_refusals_say_what_to_change_in_the_callers_language(client, interviewer, bank):
    """Each refusal names the field and the fix, in English or Chinese as the caller asks."""
    response = client.post(
        "/api/v1/question-sets/",
        {"title": "Nothing in it"},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 400
    assert response.json() == {"bank": ["Give the bank, or at least one item."]}
    response = client.post(
        "/api/v1/question-sets/",
        {"title": "Nothing in it"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **auth(interviewer),
    )
    assert response.json() == {"bank": ["请指定题库，或至少提供一道题。"]}
    assert QuestionSet.objects.count() == 0

    question_set = question_set_create(owner=interviewer, bank=bank, title="Kept")
    other_bank = QuestionBank.objects.create(title="Other", slug="other")
    response = client.patch(
        f"/api/v1/question-sets/{question_set.pk}/",
        {"bank": other_bank.pk, "title": "Moved"},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 400
    assert "clone it instead" in response.json()["bank"][0]
    question_set.refresh_from_db()
    assert (question_set.bank, question_set.title) == (bank, "Kept")

    response = client.post(
        "/api/v1/question-sets/assemble/",
        {"bank": 999999, "count": 3, "save": True, "title": "Ghost"},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 400 and response.json()["bank"]
    assert QuestionSet.objects.filter(title="Ghost").count() == 0


def test_list_query_count_is_flat(client, interviewer, bank, django_assert_num_queries):
    question = Question.objects.first()
    headers = auth(interviewer)
    question_set_create(owner=interviewer, bank=bank, title="one", items=[(question, None)])
    # user by token, groups (role), count, the page of sets, their items with questions
    with django_assert_num_queries(5):
        assert client.get("/api/v1/question-sets/", **headers).json()["count"] == 1
    for i in range(49):
        question_set_create(owner=interviewer, bank=bank, title=f"s{i}", items=[(question, 2)])
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/question-sets/", **headers).json()["results"]) == 50


def test_one_patch_may_archive_a_set_and_edit_it(client, interviewer, bank):
    """Its edits are made first, then it is archived; restoring comes before the edits."""
    questions = list(Question.objects.filter(bank=bank).order_by("pk")[:2])
    question_set = question_set_create(owner=interviewer, bank=bank, title="Q3")
    url = f"/api/v1/question-sets/{question_set.pk}/"
    response = client.patch(
        url,
        {"archived": True, "title": "Q3 (old)", "items": [{"question": questions[0].pk}]},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["archived"], body["title"], len(body["items"])) == (True, "Q3 (old)", 1)
    response = client.patch(
        url,
        {"items": [{"question": questions[1].pk}]},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 400
    assert response.json() == {"detail": ["This set is archived; restore it before changing it."]}
    response = client.patch(
        url,
        {"archived": False, "items": [{"question": questions[1].pk}]},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 200, response.content
    assert [i["question"] for i in response.json()["items"]] == [questions[1].pk]
    assert response.json()["archived"] is False


def test_saving_a_draw_from_an_unknown_bank_is_refused_by_the_assembly(client, interviewer):
    """The assembly's scope check names the missing bank before anything is saved (so the API
    needs no second bank check after it)."""
    response = client.post(
        "/api/v1/question-sets/assemble/",
        {"bank": 424242, "count": 3, "save": True, "title": "Ghost"},
        content_type="application/json",
        **auth(interviewer),
    )
    assert response.status_code == 400
    assert response.json() == {"bank": ["there is no bank with id 424242"]}
    assert not QuestionSet.objects.exists()


def test_a_set_saved_without_a_seed_swaps_the_same_way_each_time(client, interviewer, bank):
    """Its seed also decides the random swaps: two copies of the set, swapped item by item,
    stay the same set."""
    response = client.post(
        "/api/v1/question-sets/assemble/",
        {"bank": bank.pk, "count": 12, "save": True, "title": "Swapped"},
        content_type="application/json",
        **auth(interviewer),
    )
    saved = QuestionSet.objects.get(pk=response.json()["id"])
    copy = question_set_clone(question_set=saved, actor=interviewer)

    def swap_each(question_set) -> list[int]:
        for item in question_set.items.order_by("position"):
            try:
                question_set_item_swap(
                    question_set=question_set, item_id=item.pk, actor=interviewer
                )
            except ValidationError:  # earlier swaps took this slot's last other question
                continue
        return list(question_set.items.order_by("position").values_list("question_id", flat=True))

    before = list(saved.items.order_by("position").values_list("question_id", flat=True))
    swapped = swap_each(saved)
    assert swapped != before
    assert swap_each(copy) == swapped
