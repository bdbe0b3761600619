"""Builder pages: draw from a blueprint, refine with htmx actions, print, role limits."""

import re
from pathlib import Path

import pytest

from interviews.assembly import Blueprint
from interviews.models import QuestionSet, QuestionSetItem
from interviews.selectors import question_set_assemble
from interviews.services import question_set_create_from_assembly
from questions.importer import bank_import_path
from questions.models import Category, Question

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
BANDED = {
    "mode": "bands",
    "count": "10",
    "band_0_min": "2",
    "band_0_max": "4",
    "band_0_count": "3",
    "band_1_min": "5",
    "band_1_max": "7",
    "band_1_count": "4",
    "band_2_min": "8",
    "band_2_max": "10",
    "band_2_count": "3",
}


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


@pytest.fixture
def question_set(bank, interviewer):
    assembly = question_set_assemble(
        blueprint=Blueprint.from_data(
            {"bank": bank.pk, "count": 6, "seed": 3, "kinds": {"open_ended": 3, "single_choice": 3}}
        )
    )
    return question_set_create_from_assembly(owner=interviewer, title="Six", assembly=assembly)


def order(question_set):
    return list(question_set.items.order_by("position").values_list("question_id", flat=True))


def test_preview_draws_a_banded_draft_and_save_keeps_it(client, interviewer, bank):
    client.force_login(interviewer)
    category = Category.objects.get(name="分布式训练与系统架构")
    post = {
        **BANDED,
        "bank": bank.pk,
        "categories": [category.pk],
        "kind_open_ended": "7",
        "kind_single_choice": "3",
        "action": "preview",
    }
    response = client.post("/sets/new/", post, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and html.count("data-question=") == 10
    shown = [int(v) for v in __import__("re").findall(r'data-question="(\d+)"', html)]
    seed = __import__("re").search(r'name="draft_seed" value="(\d+)"', html).group(1)
    response = client.post(
        "/sets/new/",
        {
            **post,
            "action": "save",
            "draft_seed": seed,
            "title": "Distributed",
            "time_limit_minutes": "45",
        },
    )
    assert response.status_code == 302
    saved = QuestionSet.objects.get(title="Distributed")
    assert sorted(order(saved)) == sorted(shown)
    assert saved.time_limit_minutes == 45 and saved.blueprint["seed"] == int(seed)
    difficulties = sorted(
        Question.objects.filter(pk__in=shown).values_list("difficulty", flat=True)
    )
    assert sum(2 <= d <= 4 for d in difficulties) == 3
    assert sum(5 <= d <= 7 for d in difficulties) == 4
    assert sum(8 <= d <= 10 for d in difficulties) == 3


def test_save_after_draw_again_keeps_the_draft_shown_not_the_typed_seed(client, interviewer, bank):
    client.force_login(interviewer)
    post = {"bank": bank.pk, "count": "6", "mode": "range", "seed": "11"}
    client.post("/sets/new/", {**post, "action": "preview"}, HTTP_HX_REQUEST="true")
    redrawn = client.post("/sets/new/", {**post, "action": "redraw"}, HTTP_HX_REQUEST="true")
    html = redrawn.content.decode()
    shown = sorted(int(v) for v in re.findall(r'data-question="(\d+)"', html))
    draft_seed = re.search(r'name="draft_seed" value="(\d+)"', html).group(1)
    assert draft_seed != "11"
    response = client.post(
        "/sets/new/", {**post, "action": "save", "draft_seed": draft_seed, "title": "Redrawn"}
    )
    assert response.status_code == 302
    saved = QuestionSet.objects.get(title="Redrawn")
    assert saved.blueprint["seed"] == int(draft_seed)
    assert sorted(order(saved)) == shown


def test_invalid_blueprint_is_explained(client, interviewer, bank):
    client.force_login(interviewer)
    post = {**BANDED, "bank": bank.pk, "count": "5", "action": "preview"}
    response = client.post("/sets/new/", post, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "the bands add up to 10 questions, more than the count of 5" in response.content.decode()
    assert QuestionSet.objects.count() == 0


def test_shortfall_is_shown_in_words(client, interviewer, bank):
    client.force_login(interviewer)
    category = Category.objects.get(name="安全与合规")
    post = {
        "mode": "bands",
        "bank": bank.pk,
        "count": "5",
        "categories": [category.pk],
        "band_0_min": "9",
        "band_0_max": "10",
        "band_0_count": "3",
        "kind_open_ended": "3",
        "action": "preview",
    }
    html = client.post("/sets/new/", post, HTTP_HX_REQUEST="true").content.decode()
    assert (
        "Asked for 3 open-ended questions at difficulty 9-10 in 安全与合规, the bank has 1" in html
    )


def test_editor_actions(client, interviewer, question_set):
    client.force_login(interviewer)
    base = f"/sets/{question_set.pk}"
    items = list(question_set.items.order_by("position"))
    first, second = items[0], items[1]
    hx = {"HTTP_HX_REQUEST": "true"}

    response = client.post(f"{base}/items/{second.pk}/move/up/", **hx)
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert order(question_set)[:2] == [second.question_id, first.question_id]

    ids = list(question_set.items.order_by("position").values_list("pk", flat=True))
    reversed_ids = ",".join(map(str, reversed(ids)))
    client.post(f"{base}/items/reorder/", {"order": reversed_ids}, **hx)
    assert list(question_set.items.order_by("position").values_list("pk", flat=True)) == ids[::-1]
    response = client.post(f"{base}/items/reorder/", {"order": "1,2"}, **hx)
    assert response.status_code == 422

    before = first.question
    response = client.post(f"{base}/items/{first.pk}/swap/", **hx)
    first.refresh_from_db()
    assert response.status_code == 200 and first.question_id != before.pk
    assert first.question.kind == before.kind

    client.post(f"{base}/items/{first.pk}/points/", {"points": "9"}, **hx)
    first.refresh_from_db()
    assert first.points == 9
    response = client.post(f"{base}/items/{first.pk}/points/", {"points": "0"}, **hx)
    assert response.status_code == 422 and "1 to 100" in response.content.decode()
    # The reason is shown in the row of the item it concerns, not far away above the list.
    row = response.content.decode().split(f'data-item="{first.pk}"')[1].split("</li>")[0]
    assert "item-error" in row and "1 to 100" in row

    client.post(f"{base}/items/{first.pk}/remove/", **hx)
    assert question_set.items.count() == 5
    assert list(question_set.items.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]

    extra = Question.objects.exclude(set_items__question_set=question_set).first()
    response = client.get(f"{base}/items/search/?search={extra.prompt_md[:6]}")
    assert f'data-add="{extra.pk}"' in response.content.decode()
    client.post(f"{base}/items/add/", {"question": extra.pk}, **hx)
    assert question_set.items.filter(question=extra).exists()
    response = client.post(f"{base}/items/add/", {"question": extra.pk}, **hx)
    assert response.status_code == 422 and "already in the set" in response.content.decode()


def test_settings_clone_and_archive(client, interviewer, question_set):
    client.force_login(interviewer)
    base = f"/sets/{question_set.pk}"
    client.post(f"{base}/settings/", {"title": "Renamed", "time_limit_minutes": "40"})
    question_set.refresh_from_db()
    assert (question_set.title, question_set.time_limit_minutes) == ("Renamed", 40)
    response = client.post(f"{base}/clone/")
    clone = QuestionSet.objects.exclude(pk=question_set.pk).get()
    assert response["Location"] == f"/sets/{clone.pk}/"
    assert order(clone) == order(question_set) and clone.cloned_from == question_set
    client.post(f"{base}/archive/", {"archived": "1"})
    question_set.refresh_from_db()
    assert question_set.is_archived
    assert ">Renamed</a>" not in client.get("/sets/").content.decode()
    assert ">Renamed</a>" in client.get("/sets/?archived=1").content.decode()
    item = question_set.items.first()
    response = client.post(f"{base}/items/{item.pk}/remove/", HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "archived" in response.content.decode()


def test_editing_a_set_never_changes_another_set(client, interviewer, question_set):
    client.force_login(interviewer)
    client.post(f"/sets/{question_set.pk}/clone/")
    clone = QuestionSet.objects.exclude(pk=question_set.pk).get()
    snapshot = order(clone)
    item = question_set.items.first()
    client.post(f"/sets/{question_set.pk}/items/{item.pk}/remove/", HTTP_HX_REQUEST="true")
    assert order(clone) == snapshot


def test_hiring_manager_reads_only(client, hiring_manager, question_set):
    client.force_login(hiring_manager)
    html = client.get(f"/sets/{question_set.pk}/").content.decode()
    assert "items/" not in html and "Swap" not in html
    # No Clone button for a hiring manager, so no advice to clone either.
    assert "Read only." in html and "clone it" not in html and "/clone/" not in html
    assert client.get("/sets/new/").status_code == 403
    item = question_set.items.first()
    assert client.post(f"/sets/{question_set.pk}/items/{item.pk}/remove/").status_code == 403
    assert client.post(f"/sets/{question_set.pk}/clone/").status_code == 403
    assert client.get(f"/sets/{question_set.pk}/print/preview/").status_code == 200
    assert client.get(f"/sets/{question_set.pk}/print/kit/").status_code == 403


def test_other_interviewer_may_view_and_clone_but_not_edit(client, question_set, db):
    from tests.factories import UserFactory

    other = UserFactory(username="otto", role="interviewer")
    client.force_login(other)
    html = client.get(f"/sets/{question_set.pk}/").content.decode()
    assert "Read only: clone it to make your own version." in html and "/clone/" in html
    item = question_set.items.first()
    assert client.post(f"/sets/{question_set.pk}/items/{item.pk}/swap/").status_code == 403
    assert client.post(f"/sets/{question_set.pk}/settings/", {"title": "x"}).status_code == 403
    assert client.post(f"/sets/{question_set.pk}/clone/").status_code == 302


def test_print_views(client, interviewer, question_set):
    client.force_login(interviewer)
    single = QuestionSetItem.objects.filter(
        question_set=question_set, question__kind="single_choice"
    ).first()
    preview = client.get(f"/sets/{question_set.pk}/print/preview/").content.decode()
    kit = client.get(f"/sets/{question_set.pk}/print/kit/").content.decode()
    assert "choice correct" not in preview and "Reference answer" not in preview
    assert "choice correct" in kit and "Reference answer" in kit and "Rubric" in kit
    assert single.question.choices.filter(is_correct=True).exists()
    assert client.get(f"/sets/{question_set.pk}/print/other/").status_code == 404


def test_set_list_query_count_is_flat(client, interviewer, bank, django_assert_num_queries):
    client.force_login(interviewer)
    question = Question.objects.first()
    from interviews.services import question_set_create

    question_set_create(owner=interviewer, bank=bank, title="one", items=[(question, None)])
    client.get("/sets/")
    # user, groups (role), count of sets, the page of sets with owner, bank and counts (the
    # session is read from the cache)
    with django_assert_num_queries(4):
        assert client.get("/sets/").status_code == 200
    for i in range(49):
        question_set_create(owner=interviewer, bank=bank, title=f"set {i}", items=[(question, 3)])
    with django_assert_num_queries(4):
        response = client.get("/sets/")
    assert response.content.decode().count("data-set=") == 25


def test_dashboard_lists_sets_with_flat_queries(
    client, interviewer, bank, django_assert_num_queries
):
    from interviews.services import question_set_create

    question = Question.objects.first()
    question_set_create(owner=interviewer, bank=bank, title="mine 0", items=[(question, None)])
    client.force_login(interviewer)
    client.get("/")
    # user, groups (role), banks with their kept counts, my sets, the team's sets (the session
    # is read from the cache)
    with django_assert_num_queries(5):
        assert "mine 0" in client.get("/").content.decode()
    for i in range(1, 10):
        question_set_create(owner=interviewer, bank=bank, title=f"mine {i}", items=[(question, 2)])
    with django_assert_num_queries(5):
        html = client.get("/").content.decode()
    assert html.count("mine ") == 5 and "129 questions, 46 skills" in html


def test_builder_shows_the_chosen_bank(client, interviewer, bank):
    from questions.counts import bank_counts_refresh
    from questions.models import Category, QuestionBank, Skill

    other = QuestionBank.objects.create(title="Other bank", slug="other")
    category = Category.objects.create(bank=other, name="其他领域", position=0)
    skill = Skill.objects.create(category=category, name="其他技能", anchor="other", difficulty=4)
    Question.objects.create(
        bank=other,
        category=category,
        skill=skill,
        kind="open_ended",
        difficulty=4,
        prompt_md="其他题目",
        source_key="other-1",
    )
    bank_counts_refresh(bank=other)  # what every writer of questions does
    client.force_login(interviewer)
    html = client.get("/sets/new/").content.decode()
    assert "分布式训练与系统架构" in html and "其他领域" not in html
    html = client.get(f"/sets/new/?bank={other.pk}").content.decode()
    assert "其他领域" in html and "分布式训练与系统架构" not in html
    assert f'<option value="{other.pk}" selected>' in html


def test_swap_options_list_the_slot_and_swap_to_the_chosen_one(client, interviewer, question_set):
    from interviews.selectors import swap_candidates

    client.force_login(interviewer)
    item = question_set.items.order_by("position").first()
    base = f"/sets/{question_set.pk}/items/{item.pk}"
    html = client.get(f"{base}/swap/options/").content.decode()
    expected = list(swap_candidates(item=item).values_list("pk", flat=True))
    assert expected
    offered = [int(v) for v in __import__("re").findall(r'data-use="(\d+)"', html)]
    assert offered and set(offered) <= set(expected)
    assert not set(offered) & set(question_set.items.values_list("question_id", flat=True))
    response = client.post(f"{base}/swap/", {"question": offered[-1]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.question_id == offered[-1]
    # A question that does not fit the slot is refused, and nothing changes.
    misfit = Question.objects.exclude(kind=item.question.kind).first()
    response = client.post(f"{base}/swap/", {"question": misfit.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "does not fit this slot" in response.content.decode()
    item.refresh_from_db()
    assert item.question_id == offered[-1]


def test_malformed_question_ids_are_404_not_errors(client, interviewer, question_set):
    client.force_login(interviewer)
    item = question_set.items.first()
    base = f"/sets/{question_set.pk}/items"
    assert client.post(f"{base}/add/", {"question": "abc"}).status_code == 404
    assert client.post(f"{base}/add/", {}).status_code == 404
    assert client.post(f"{base}/{item.pk}/swap/", {"question": "1;drop"}).status_code == 404


def test_summary_warns_when_the_questions_outrun_the_time_limit(client, interviewer, question_set):
    client.force_login(interviewer)
    html = client.get(f"/sets/{question_set.pk}/").content.decode()
    assert 'data-summary="over-time"' not in html  # no limit set
    client.post(f"/sets/{question_set.pk}/settings/", {"title": "Six", "time_limit_minutes": "5"})
    html = client.get(f"/sets/{question_set.pk}/").content.decode()
    assert 'data-summary="over-time"' in html and "more than the 5-minute time limit" in html
    client.post(f"/sets/{question_set.pk}/settings/", {"title": "Six", "time_limit_minutes": "600"})
    assert (
        'data-summary="over-time"' not in client.get(f"/sets/{question_set.pk}/").content.decode()
    )


def test_draft_notes_say_what_the_blueprint_leaves_open(client, interviewer, bank):
    client.force_login(interviewer)
    post = {
        **BANDED,
        "band_0_count": "1",
        "band_1_count": "1",
        "band_2_count": "1",
        "bank": bank.pk,
        "action": "preview",
    }
    html = client.post("/sets/new/", post, HTTP_HX_REQUEST="true").content.decode()
    assert "The bands ask for 3 of the 10 questions; the other 7 may have any difficulty." in html
    post = {
        "mode": "range",
        "bank": bank.pk,
        "count": "15",
        "difficulty_min": "10",
        "difficulty_max": "10",
        "include_unrated": "on",
        "seed": "1",
        "action": "preview",
    }
    html = client.post("/sets/new/", post, HTTP_HX_REQUEST="true").content.decode()
    assert "questions are unrated long-form questions" in html


def test_kit_carries_the_notes_for_interviewers_and_the_preview_does_not(
    client, interviewer, question_set
):
    client.force_login(interviewer)
    client.post(
        f"/sets/{question_set.pk}/settings/",
        {"title": "Six", "description": "Ask about their last outage first."},
    )
    kit = client.get(f"/sets/{question_set.pk}/print/kit/").content.decode()
    assert "Notes for interviewers" in kit and "Ask about their last outage first." in kit
    preview = client.get(f"/sets/{question_set.pk}/print/preview/").content.decode()
    assert "Ask about their last outage first." not in preview
    # The preview's own explanation stays on screen, off the printed handout.
    assert 'class="muted no-print">Candidate preview: what the candidate sees' in preview


def test_read_only_readers_get_no_advice_to_edit(client, interviewer, hiring_manager, question_set):
    client.force_login(interviewer)
    client.post(f"/sets/{question_set.pk}/settings/", {"title": "Six", "time_limit_minutes": "5"})
    assert (
        "Remove some or raise the limit."
        in client.get(f"/sets/{question_set.pk}/").content.decode()
    )
    client.force_login(hiring_manager)
    html = client.get(f"/sets/{question_set.pk}/").content.decode()
    assert "more than the 5-minute time limit." in html
    assert "Remove some or raise the limit." not in html
    client.force_login(interviewer)
    client.post(f"/sets/{question_set.pk}/archive/", {"archived": "1"})
    html = client.get(f"/sets/{question_set.pk}/").content.decode()
    assert "Archived: restore it to edit it again." in html
    assert "Remove some or raise the limit." not in html


# "²" is a digit to str.isdigit() but not a number to int(); the others are what a hand-made
# request may send. Each gets a 4xx that says what is wrong, never a server error.
NOT_NUMBERS = ["²", "١٢³", "1.5", "-3", "9" * 5000]


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_question_ids_that_are_not_whole_numbers_are_404(client, interviewer, question_set, raw):
    client.force_login(interviewer)
    item = question_set.items.first()
    base = f"/sets/{question_set.pk}/items"
    before = order(question_set)
    hx = {"HTTP_HX_REQUEST": "true"}
    assert client.post(f"{base}/add/", {"question": raw}, **hx).status_code == 404
    assert client.post(f"{base}/{item.pk}/swap/", {"question": raw}, **hx).status_code == 404
    assert order(question_set) == before


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_points_and_order_that_are_not_whole_numbers_are_refused_in_words(
    client, interviewer, question_set, raw
):
    client.force_login(interviewer)
    item = question_set.items.order_by("position").first()
    base = f"/sets/{question_set.pk}/items"
    before = list(question_set.items.order_by("position").values_list("pk", "points"))
    hx = {"HTTP_HX_REQUEST": "true"}
    response = client.post(f"{base}/{item.pk}/points/", {"points": raw}, **hx)
    assert response.status_code == 422
    assert "Points are a whole number from 1 to 100." in response.content.decode()
    others = ",".join(str(pk) for pk, _points in before[1:])
    response = client.post(f"{base}/reorder/", {"order": f"{raw},{others}"}, **hx)
    assert response.status_code == 422
    assert "The new order must list every item of the set exactly once." in (
        response.content.decode()
    )
    assert list(question_set.items.order_by("position").values_list("pk", "points")) == before


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        *((raw, "Enter a whole number.") for raw in NOT_NUMBERS if raw != "-3"),
        ("-3", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_time_limit_that_is_not_a_whole_number_is_refused_when_saving(
    client, interviewer, bank, raw, words
):
    client.force_login(interviewer)
    post = {"mode": "range", "bank": bank.pk, "count": "4", "seed": "5"}
    hx = {"HTTP_HX_REQUEST": "true"}
    # a draft is drawn whatever the time limit says: it is only compared with the draft's time
    preview = client.post("/sets/new/", {**post, "time_limit_minutes": raw}, **hx)
    assert preview.status_code == 200
    assert preview.content.decode().count("data-question=") == 4
    # the over-time warning stays hidden: no limit it could be compared with
    [warning] = re.findall(r'<p [^>]*data-summary="over-time"[^>]*>', preview.content.decode())
    assert warning.endswith(" hidden>")
    save = {**post, "action": "save", "title": "Timed", "time_limit_minutes": raw}
    response = client.post("/sets/new/", save, **hx)
    assert response.status_code == 400
    assert response.context["form"].errors["time_limit_minutes"] == [words]
    assert not QuestionSet.objects.filter(title="Timed").exists()
