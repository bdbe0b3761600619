"""API v1 for the bank (banks, categories, skills, questions) against the real built-in bank."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from questions.counts import bank_counts_refresh
from questions.importer import bank_import_path
from questions.models import (
    Category,
    Choice,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionRevision,
    Skill,
)

BANK_FILE = Path(settings.BASE_DIR) / "data" / "banks" / "ai-llm-training.md"
BANK_TITLE = "AI-大模型训练"
KEY_FIELDS = ("explanation_md", "reference_answer_md")

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(db):
    """The built-in bank, imported inside each test's transaction (about 0.1 s).

    Not module-scoped on purpose: rows committed outside the test transaction would be seen
    by, and flushed under, other sessions sharing the test database.
    """
    result = bank_import_path(path=BANK_FILE)
    assert result.created == 129, result.summary()
    return result.bank


def _client(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def as_interviewer(interviewer):
    return _client(interviewer)


@pytest.fixture
def as_admin(admin_user):
    return _client(admin_user)


@pytest.fixture
def as_manager(hiring_manager):
    return _client(hiring_manager)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"]), "widen page_size: the filter matched more"
    return {row["id"] for row in body["results"]}


def _skill(bank, name: str) -> Skill:
    return Skill.objects.get(category__bank=bank, name=name)


# --- banks ---------------------------------------------------------------------------------------


def test_banks_list_counts_and_envelope(bank, as_interviewer):
    response = as_interviewer.get("/api/v1/banks/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    [row] = body["results"]
    assert row["id"] == bank.pk and row["title"] == BANK_TITLE and row["slug"] == bank.slug
    assert row["counts"] == {"categories": 7, "skills": 46, "questions": 129}


def test_bank_detail_counts_only_active_questions(bank, as_interviewer):
    Question.objects.filter(pk=Question.objects.filter(bank=bank).first().pk).update(
        is_active=False
    )
    bank_counts_refresh(bank=bank)  # what every writer of questions does in its transaction
    body = as_interviewer.get(f"/api/v1/banks/{bank.pk}/").json()
    assert body["counts"] == {"categories": 7, "skills": 46, "questions": 128}


def _bank_without(text: str, *, skill: str, category: str) -> str:
    """The bank file with one skill and one whole category taken out (overview and details)."""
    start = text.index(f"<a id='{skill}'></a>")
    text = text[:start] + text[text.index("<a id=", start + 1) :]
    text = "".join(line for line in text.splitlines(True) if not line.startswith(f"| {skill} |"))
    overview = text.index(f"### {category}\n")
    text = text[:overview] + text[text.index("\n---\n", overview) + 1 :]
    details = text.index(f"### {category}\n")
    return text[:details] + text[text.index("## 旧的问题列表", details) :]


def _tree_counts(html: str) -> dict[str, int]:
    tree = html.split('id="bank-tree"')[1].split("</aside>")[0]
    return {
        name: int(n)
        for name, n in re.findall(
            r'>([^<>]+)</a>\s*(?:<span class="tree-facts"><span class="badge[^>]*>'
            r"difficulty \d+</span>\s*)?"
            r'<span class="count">(\d+) questions?</span>',
            tree,
        )
    }


def test_counts_agree_across_the_api_and_the_bank_page_after_a_reimport(
    bank, as_interviewer, client, interviewer, tmp_path
):
    """A skill and a whole category left the file: banks, categories, skills and the bank page
    all count what is left (6 categories, 46 - 1 - 7 = 38 skills, 129 - 2 - 14 = 113 questions)."""
    changed = tmp_path / BANK_FILE.name
    changed.write_text(
        _bank_without(BANK_FILE.read_text("utf-8"), skill="数据采集与清洗", category="安全与合规"),
        "utf-8",
    )
    assert bank_import_path(path=changed).deactivated == 16
    banks = as_interviewer.get("/api/v1/banks/").json()["results"]
    categories = as_interviewer.get("/api/v1/categories/", {"bank": bank.pk}).json()
    skills = as_interviewer.get("/api/v1/skills/", {"bank": bank.pk, "page_size": 100}).json()
    assert banks[0]["counts"] == {"categories": 6, "skills": 38, "questions": 113}
    assert categories["count"] == 6 and skills["count"] == 38
    assert sum(c["skill_count"] for c in categories["results"]) == 38
    assert sum(c["question_count"] for c in categories["results"]) == 113 - 37  # no long-form
    assert sum(s["question_count"] for s in skills["results"]) == 113 - 37
    assert "安全与合规" not in {c["name"] for c in categories["results"]}
    assert "数据采集与清洗" not in {s["name"] for s in skills["results"]}

    client.force_login(interviewer)
    page = client.get("/bank/").content.decode()
    assert "113 active questions in 6 categories and 38 skills" in page
    tree = _tree_counts(page)
    assert {n: tree[n] for n in tree if n not in ("All questions", "Long-form questions")} == {
        c["name"]: c["question_count"] for c in categories["results"]
    }
    page_skills = {}
    for category in categories["results"]:
        html = client.get("/bank/", {"bank": bank.pk, "category": category["id"]}).content.decode()
        opened = _tree_counts(html)
        page_skills |= {n: opened[n] for n in opened if n not in tree}
    assert page_skills == {s["name"]: s["question_count"] for s in skills["results"]}


# --- categories ----------------------------------------------------------------------------------


def test_categories_of_the_bank_in_file_order(bank, as_interviewer):
    body = as_interviewer.get("/api/v1/categories/", {"bank": bank.pk}).json()
    assert body["count"] == 7
    assert [c["name"] for c in body["results"]][:2] == ["数据准备与处理", "模型架构设计"]
    assert sum(c["skill_count"] for c in body["results"]) == 46
    assert all(c["bank"] == bank.pk for c in body["results"])
    assert as_interviewer.get("/api/v1/categories/", {"bank": bank.pk + 999}).json()["count"] == 0


def test_categories_filter_by_category(bank, as_interviewer):
    category = Category.objects.get(bank=bank, name="训练算法与优化")
    body = as_interviewer.get("/api/v1/categories/", {"category": category.pk}).json()
    assert [(c["id"], c["skill_count"]) for c in body["results"]] == [(category.pk, 8)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"difficulty_min": 8}, 6),  # all but 数据准备与处理 (its hardest skill is 6)
        ({"difficulty_max": 2}, 5),  # the five categories with a difficulty-2 skill
        ({"difficulty_min": 10}, 1),  # 安全与合规: 企业级安全治理体系构建
    ],
)
def test_categories_filter_by_difficulty(bank, as_interviewer, params, expected):
    lookups = {
        "difficulty_min": "skills__difficulty__gte",
        "difficulty_max": "skills__difficulty__lte",
    }
    in_db = set(
        Category.objects.filter(bank=bank, **{lookups[k]: v for k, v in params.items()})
        .values_list("pk", flat=True)
        .distinct()
    )
    assert len(in_db) == expected
    assert _ids(as_interviewer.get("/api/v1/categories/", {"bank": bank.pk, **params})) == in_db


def test_categories_difficulty_range_needs_one_skill_inside(bank, as_interviewer):
    in_db = set(
        Category.objects.filter(bank=bank, skills__difficulty=8).values_list("pk", flat=True)
    )
    assert len(in_db) == 5  # 模型架构设计 has 9 and 2 but no 8
    params = {"bank": bank.pk, "difficulty_min": 8, "difficulty_max": 8}
    assert _ids(as_interviewer.get("/api/v1/categories/", params)) == in_db


@pytest.mark.parametrize(
    "params", [{"difficulty_min": 9, "difficulty_max": 3}, {"difficulty_min": 11}]
)
def test_categories_invalid_difficulty_is_400(bank, as_interviewer, params):
    assert as_interviewer.get("/api/v1/categories/", params).status_code == 400


# --- skills --------------------------------------------------------------------------------------


def test_skills_filter_by_bank_and_category(bank, as_interviewer):
    body = as_interviewer.get("/api/v1/skills/", {"bank": bank.pk, "page_size": 100}).json()
    assert body["count"] == 46
    first = body["results"][0]
    assert first["name"] == "数据采集与清洗" and first["difficulty"] == 2
    assert first["bank"] == bank.pk and first["category_name"] == "数据准备与处理"
    assert as_interviewer.get("/api/v1/skills/", {"bank": bank.pk + 999}).json()["count"] == 0

    category = Category.objects.get(bank=bank, name="训练算法与优化")
    rows = as_interviewer.get("/api/v1/skills/", {"category": category.pk}).json()["results"]
    assert len(rows) == 8
    assert {r["category"] for r in rows} == {category.pk}
    assert [r["difficulty"] for r in rows] == [2, 4, 5, 5, 6, 7, 8, 9]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"difficulty_min": 8}, 11),
        ({"difficulty_max": 2}, 5),
        ({"difficulty_min": 5, "difficulty_max": 7}, 20),
        ({"difficulty_min": 10, "difficulty_max": 10}, 1),
    ],
)
def test_skills_filter_by_difficulty(bank, as_interviewer, params, expected):
    in_db = Skill.objects.filter(category__bank=bank)
    if "difficulty_min" in params:
        in_db = in_db.filter(difficulty__gte=params["difficulty_min"])
    if "difficulty_max" in params:
        in_db = in_db.filter(difficulty__lte=params["difficulty_max"])
    assert in_db.count() == expected
    response = as_interviewer.get("/api/v1/skills/", {**params, "page_size": 100})
    assert _ids(response) == set(in_db.values_list("pk", flat=True))


def test_skills_inverted_difficulty_is_400(bank, as_interviewer):
    response = as_interviewer.get("/api/v1/skills/", {"difficulty_min": 9, "difficulty_max": 3})
    assert response.status_code == 400
    assert "below the lower one" in response.json()["difficulty_max"][0]


# --- questions: filters --------------------------------------------------------------------------


def test_questions_filter_by_bank_and_kind(bank, as_interviewer):
    assert as_interviewer.get("/api/v1/questions/", {"bank": bank.pk}).json()["count"] == 129
    counts = {
        kind: as_interviewer.get("/api/v1/questions/", {"kind": kind}).json()["count"]
        for kind in QuestionKind.values
    }
    assert counts == {"single_choice": 46, "multiple_choice": 0, "open_ended": 46 + 37}
    long_form = as_interviewer.get("/api/v1/questions/", {"long_form": "true"}).json()["count"]
    assert long_form == 37


def test_questions_unknown_kind_is_400(bank, as_interviewer):
    response = as_interviewer.get("/api/v1/questions/", {"kind": "essay"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_questions_filter_by_skill(bank, as_interviewer):
    skill = _skill(bank, "数据标注与质量控制")
    rows = as_interviewer.get("/api/v1/questions/", {"skill": skill.pk}).json()["results"]
    assert [(r["kind"], r["difficulty"], r["skill_name"]) for r in rows] == [
        ("single_choice", 3, "数据标注与质量控制"),
        ("open_ended", 3, "数据标注与质量控制"),
    ]
    assert {r["source_key"] for r in rows} == {f"{skill.anchor}#q1", f"{skill.anchor}#q2"}


def test_questions_filter_by_category(bank, as_interviewer):
    category = Category.objects.get(bank=bank, name="分布式训练与系统架构")
    expected = set(Question.objects.filter(category=category).values_list("pk", flat=True))
    assert len(expected) == 2 * 7
    response = as_interviewer.get("/api/v1/questions/", {"category": category.pk})
    assert _ids(response) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"difficulty_min": 8}, 22),
        ({"difficulty_max": 3}, 20),
        ({"difficulty_min": 6, "difficulty_max": 6, "kind": "single_choice"}, 8),
    ],
)
def test_questions_filter_by_difficulty(bank, as_interviewer, params, expected):
    in_db = Question.objects.filter(bank=bank, is_active=True)
    if "difficulty_min" in params:
        in_db = in_db.filter(difficulty__gte=params["difficulty_min"])
    if "difficulty_max" in params:
        in_db = in_db.filter(difficulty__lte=params["difficulty_max"])
    if "kind" in params:
        in_db = in_db.filter(kind=params["kind"])
    assert in_db.count() == expected  # unrated long-form questions never match a bound
    response = as_interviewer.get("/api/v1/questions/", {**params, "page_size": 200})
    assert _ids(response) == set(in_db.values_list("pk", flat=True))


def _where(bank, word: str) -> dict[str, set[int]]:
    """Which question fields of the bank contain the word (the precondition of a search test)."""
    questions = Question.objects.filter(bank=bank)
    found = {
        name: set(questions.filter(**{f"{name}__contains": word}).values_list("pk", flat=True))
        for name in ("prompt_md", "explanation_md", "reference_answer_md", "skill__name")
    }
    found["choices"] = set(
        Choice.objects.filter(question__bank=bank, text_md__contains=word).values_list(
            "question_id", flat=True
        )
    )
    return {name: ids for name, ids in found.items() if ids}


def test_questions_search_finds_a_word_only_in_reference_answers(bank, as_interviewer):
    where = _where(bank, "恒等映射")
    assert set(where) == {"reference_answer_md"} and len(where["reference_answer_md"]) == 2
    response = as_interviewer.get("/api/v1/questions/", {"search": "恒等映射"})
    assert _ids(response) == where["reference_answer_md"]


def test_questions_search_finds_a_word_only_in_a_choice(bank, as_interviewer):
    where = _where(bank, "减少沟通成本")
    assert set(where) == {"choices"} and len(where["choices"]) == 1
    response = as_interviewer.get("/api/v1/questions/", {"search": "减少沟通成本"})
    assert _ids(response) == where["choices"]
    [row] = response.json()["results"]
    assert any("减少沟通成本" in c["text"] for c in row["choices"])


def test_questions_search_words_all_match(bank, as_interviewer):
    both = as_interviewer.get("/api/v1/questions/", {"search": "恒等映射 雅可比矩阵"})
    assert _ids(both) == _where(bank, "雅可比矩阵")["reference_answer_md"]
    assert len(_ids(both)) == 1
    none = as_interviewer.get("/api/v1/questions/", {"search": "恒等映射 减少沟通成本"})
    assert none.json()["count"] == 0


def test_questions_inverted_difficulty_is_400_with_a_message(bank, as_interviewer):
    response = as_interviewer.get("/api/v1/questions/", {"difficulty_min": 9, "difficulty_max": 3})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "difficulty_max": ["The upper difficulty (3) is below the lower one (9)."]
    }


@pytest.mark.parametrize("params", [{"difficulty_min": 0}, {"difficulty_max": 11}, {"skill": "x"}])
def test_questions_out_of_range_filter_is_400(bank, as_interviewer, params):
    response = as_interviewer.get("/api/v1/questions/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_questions_pages(bank, as_interviewer):
    seen: list[int] = []
    for page in (1, 2, 3):
        body = as_interviewer.get("/api/v1/questions/", {"page": page}).json()
        assert body["count"] == 129
        assert len(body["results"]) == (50 if page < 3 else 29)
        assert (body["previous"] is None) == (page == 1)
        assert (body["next"] is None) == (page == 3)
        seen += [row["id"] for row in body["results"]]
    assert len(set(seen)) == 129
    assert "page=3" in as_interviewer.get("/api/v1/questions/", {"page": 2}).json()["next"]
    assert as_interviewer.get("/api/v1/questions/", {"page": 4}).status_code == 404


# --- questions: who sees the keys ----------------------------------------------------------------


def _assert_keys_visible(row: dict) -> None:
    assert set(KEY_FIELDS) <= set(row)
    assert all("is_correct" in choice for choice in row["choices"])
    if row["kind"] == QuestionKind.SINGLE_CHOICE:
        assert sum(choice["is_correct"] for choice in row["choices"]) == 1


def _assert_keys_hidden(row: dict) -> None:
    assert not set(KEY_FIELDS) & set(row)
    assert all(set(choice) == {"id", "label", "text"} for choice in row["choices"])


@pytest.mark.parametrize("who", ["as_interviewer", "as_admin"])
def test_team_members_who_edit_see_keys(bank, request, who):
    client = request.getfixturevalue(who)
    rows = client.get("/api/v1/questions/", {"page_size": 200}).json()["results"]
    assert len(rows) == 129
    for row in rows:
        _assert_keys_visible(row)
    # 4 answers in the file are the bare letter ("正确答案: B"): no explanation to show
    assert sum(bool(r["explanation_md"]) for r in rows) == 42
    assert sum(bool(r["reference_answer_md"]) for r in rows) == 46 + 37
    choice_q = next(r for r in rows if r["kind"] == "single_choice")
    _assert_keys_visible(client.get(f"/api/v1/questions/{choice_q['id']}/").json())
    assert len(choice_q["choices"]) == 4


def test_hiring_manager_reads_the_bank_without_keys(bank, as_manager):
    response = as_manager.get("/api/v1/questions/", {"page_size": 200})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 129
    for row in rows:
        _assert_keys_hidden(row)
    for row in (rows[0], rows[1], rows[-1]):  # choice, open, long-form
        detail = as_manager.get(f"/api/v1/questions/{row['id']}/")
        assert detail.status_code == 200
        _assert_keys_hidden(detail.json())
    assert b"is_correct" not in response.content
    for path in ("/api/v1/banks/", "/api/v1/categories/", "/api/v1/skills/"):
        assert as_manager.get(path).status_code == 200


def test_hiring_manager_search_does_not_look_into_hidden_answers(bank, as_manager):
    assert as_manager.get("/api/v1/questions/", {"search": "恒等映射"}).json()["count"] == 0


BANK_PATHS = ["/api/v1/banks/", "/api/v1/categories/", "/api/v1/skills/", "/api/v1/questions/"]


@pytest.mark.parametrize("path", BANK_PATHS)
def test_user_without_a_role_gets_403(bank, no_role_user, path):
    response = _client(no_role_user).get(path)
    assert response.status_code == 403
    assert response.json()["detail"]


@pytest.mark.parametrize("path", BANK_PATHS)
def test_anonymous_gets_401(bank, path):
    response = _client().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_question_detail_is_401(bank):
    question = Question.objects.filter(bank=bank).first()
    assert _client().get(f"/api/v1/questions/{question.pk}/").status_code == 401


# --- questions: create ---------------------------------------------------------------------------


def _new_choice_question(bank, skill, *, correct=("B",)) -> dict:
    return {
        "bank": bank.pk,
        "skill": skill.pk,
        "kind": "single_choice",
        "prompt_md": "哪一种做法能最有效地发现标注错误？",
        "explanation_md": "交叉标注能暴露个人偏差。",
        "choices": [
            {"label": label, "text": text, "is_correct": label in correct}
            for label, text in [("A", "单人标注"), ("B", "交叉标注"), ("C", "不检查")]
        ],
    }


def _row_counts() -> tuple[int, int, int]:
    return Question.objects.count(), Choice.objects.count(), QuestionRevision.objects.count()


@pytest.mark.parametrize("who", ["as_interviewer", "as_admin"])
def test_create_a_choice_question(bank, request, who):
    skill = _skill(bank, "数据标注与质量控制")
    before = _row_counts()
    response = request.getfixturevalue(who).post(
        "/api/v1/questions/", _new_choice_question(bank, skill), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["edited_in_app"] is True and body["version"] == 1
    assert (body["category"], body["difficulty"]) == (skill.category_id, skill.difficulty)
    assert [(c["label"], c["is_correct"]) for c in body["choices"]] == [
        ("A", False),
        ("B", True),
        ("C", False),
    ]
    # A new question has no superseded version yet: no history row.
    assert _row_counts() == (before[0] + 1, before[1] + 3, before[2])
    assert Question.objects.get(pk=body["id"]).last_edited_by.username in {"ivan", "ada"}


def test_create_single_choice_with_two_correct_answers_is_400(bank, as_interviewer):
    skill = _skill(bank, "数据标注与质量控制")
    before = _row_counts()
    response = as_interviewer.post(
        "/api/v1/questions/", _new_choice_question(bank, skill, correct=("A", "B")), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "choices": ["A single-choice question needs exactly one correct choice (it has 2)."]
    }
    assert _row_counts() == before


def test_create_without_required_fields_is_400(bank, as_interviewer):
    payload = {"kind": "open_ended", "prompt_md": "没有题库的题目"}
    response = as_interviewer.post("/api/v1/questions/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"bank": ["This field is required."]}
    # Every missing or wrong field is reported at once, not one per attempt.
    payload = {"difficulty": 11}
    response = as_interviewer.post("/api/v1/questions/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"bank", "kind", "prompt_md", "difficulty"}
    response = as_interviewer.post(
        "/api/v1/questions/", {**payload, "kind": "essay"}, format="json"
    )
    assert "essay" in response.json()["kind"][0]


def test_create_with_a_skill_of_another_bank_is_400(bank, as_interviewer):
    other = QuestionBank.objects.create(title="Other", slug="other")
    payload = _new_choice_question(other, _skill(bank, "数据标注与质量控制"))
    response = as_interviewer.post("/api/v1/questions/", payload, format="json")
    assert response.status_code == 400
    assert "skill" in response.json()


@pytest.mark.parametrize("who", ["hiring_manager", "no_role_user"])
def test_create_is_refused_to_who_may_not_edit(bank, request, who):
    client = _client(request.getfixturevalue(who))
    before = _row_counts()
    payload = _new_choice_question(bank, _skill(bank, "数据标注与质量控制"))
    assert client.post("/api/v1/questions/", payload, format="json").status_code == 403
    assert _row_counts() == before


# --- questions: edit -----------------------------------------------------------------------------


@pytest.fixture
def open_question(bank):
    return Question.objects.get(bank=bank, source_key__endswith="#q2", skill__name="数据采集与清洗")


def test_interviewer_edits_a_prompt(bank, as_interviewer, interviewer, open_question):
    url = f"/api/v1/questions/{open_question.pk}/"
    response = as_interviewer.patch(url, {"prompt_md": "改写后的题目", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["prompt_md"], body["version"], body["edited_in_app"]) == ("改写后的题目", 2, True)
    assert body["reference_answer_md"] == open_question.reference_answer_md
    open_question.refresh_from_db()
    assert (open_question.version, open_question.edited_in_app) == (2, True)
    assert open_question.last_edited_by == interviewer
    # The history keeps the imported version 1 that the edit replaced.
    revision = open_question.revisions.get()
    assert (revision.version, revision.source, revision.author) == (
        1,
        QuestionRevision.Source.IMPORT,
        None,
    )
    assert revision.snapshot["prompt_md"] != "改写后的题目"
    assert revision.snapshot["reference_answer_md"] == open_question.reference_answer_md
    as_interviewer.patch(url, {"prompt_md": "再改一次", "version": 2}, format="json")
    latest = open_question.revisions.get(version=2)
    assert (latest.source, latest.author) == (QuestionRevision.Source.APP, interviewer)
    assert latest.snapshot["prompt_md"] == "改写后的题目"


def test_edit_keeps_the_choices_when_none_are_sent(bank, as_admin):
    question = Question.objects.filter(bank=bank, kind="single_choice").first()
    keys = list(question.choices.values_list("label", "text_md", "is_correct"))
    response = as_admin.patch(f"/api/v1/questions/{question.pk}/", {"difficulty": 9}, format="json")
    assert response.status_code == 200
    assert response.json()["difficulty"] == 9
    assert list(question.choices.values_list("label", "text_md", "is_correct")) == keys


def test_a_patch_that_changes_nothing_keeps_the_version(bank, as_interviewer, open_question):
    url = f"/api/v1/questions/{open_question.pk}/"
    for payload in ({"is_active": False}, {"prompt_md": open_question.prompt_md}, {}):
        response = as_interviewer.patch(url, payload, format="json")
        assert response.status_code == 200
        assert (response.json()["version"], response.json()["edited_in_app"]) == (1, False)
    open_question.refresh_from_db()
    assert open_question.is_active and open_question.revisions.count() == 0


def test_stale_version_is_409_and_changes_nothing(bank, as_interviewer, open_question):
    url = f"/api/v1/questions/{open_question.pk}/"
    assert as_interviewer.patch(url, {"prompt_md": "第一次", "version": 1}).status_code == 200
    before = _row_counts()
    response = as_interviewer.patch(url, {"prompt_md": "第二次", "version": 1}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"]
    assert (body["current"]["version"], body["current"]["prompt_md"]) == (2, "第一次")
    assert "reference_answer_md" in body["current"]
    open_question.refresh_from_db()
    assert (open_question.version, open_question.prompt_md) == (2, "第一次")
    assert _row_counts() == before


def test_hiring_manager_cannot_edit(bank, as_manager, open_question):
    url = f"/api/v1/questions/{open_question.pk}/"
    response = as_manager.patch(url, {"prompt_md": "不行"}, format="json")
    assert response.status_code == 403
    open_question.refresh_from_db()
    assert (open_question.version, open_question.edited_in_app) == (1, False)


def test_put_is_405(bank, as_interviewer, open_question):
    url = f"/api/v1/questions/{open_question.pk}/"
    payload = {"bank": bank.pk, "kind": "open_ended", "prompt_md": "整体替换"}
    assert as_interviewer.put(url, payload, format="json").status_code == 405


def test_moving_a_question_to_another_skill_of_its_bank(bank, as_interviewer, open_question):
    other = _skill(bank, "数据标注与质量控制")
    url = f"/api/v1/questions/{open_question.pk}/"
    response = as_interviewer.patch(url, {"skill": other.pk}, format="json")
    assert response.status_code == 200, response.content
    open_question.refresh_from_db()
    assert (open_question.skill.name, open_question.version) == ("数据标注与质量控制", 2)
    assert open_question.revisions.get().snapshot["skill"] == _skill(bank, "数据采集与清洗").pk


def test_invalid_edit_is_400_and_writes_nothing(bank, as_interviewer):
    question = Question.objects.filter(bank=bank, kind="single_choice").first()
    before = _row_counts()
    choices = [{"label": "A", "text": "甲", "is_correct": False}]
    response = as_interviewer.patch(
        f"/api/v1/questions/{question.pk}/", {"choices": choices}, format="json"
    )
    assert response.status_code == 400
    assert "choices" in response.json()
    assert _row_counts() == before
    question.refresh_from_db()
    assert (question.version, question.edited_in_app) == (1, False)


# --- re-import after an edit in the app ----------------------------------------------------------


def test_reimport_reports_an_app_edit_only_when_the_file_changed_too(
    bank, as_interviewer, open_question, tmp_path
):
    url = f"/api/v1/questions/{open_question.pk}/"
    assert as_interviewer.patch(url, {"prompt_md": "面试官改写的题目"}).status_code == 200
    original_prompt = open_question.prompt_md

    unchanged = bank_import_path(path=BANK_FILE)
    assert unchanged.conflicts == []
    assert (unchanged.created, unchanged.updated, unchanged.deactivated) == (0, 0, 0)
    open_question.refresh_from_db()
    assert (open_question.prompt_md, open_question.version) == ("面试官改写的题目", 2)

    text = BANK_FILE.read_text(encoding="utf-8")
    assert text.count(original_prompt) == 1
    modified = tmp_path / "ai-llm-training.md"
    modified.write_text(text.replace(original_prompt, original_prompt + "（文件里改过）"), "utf-8")
    result = bank_import_path(path=modified)
    assert len(result.conflicts) == 1
    assert open_question.source_key in result.conflicts[0]
    assert (result.updated, result.created) == (0, 0)
    open_question.refresh_from_db()
    assert (open_question.prompt_md, open_question.version) == ("面试官改写的题目", 2)
    assert as_interviewer.get(url).json()["prompt_md"] == "面试官改写的题目"


# --- pinned query counts -------------------------------------------------------------------------


@pytest.fixture
def fifty_banks(bank):
    """49 more banks with one category, one skill and one question each: 50 banks,
    56 categories, 95 skills (the lists show only what holds an active question)."""
    banks = QuestionBank.objects.bulk_create(
        QuestionBank(title=f"Bank {i:02d}", slug=f"bank-{i:02d}") for i in range(49)
    )
    categories = Category.objects.bulk_create(Category(bank=b, name="Only") for b in banks)
    skills = Skill.objects.bulk_create(
        Skill(category=c, name=f"Skill {i}", anchor=f"skill-{i}", difficulty=1 + i % 10)
        for i, c in enumerate(categories)
    )
    Question.objects.bulk_create(
        Question(
            bank=s.category.bank,
            category=s.category,
            skill=s,
            kind=QuestionKind.OPEN_ENDED,
            prompt_md="Why?",
            difficulty=s.difficulty,
            source_key="only",
        )
        for s in skills
    )
    for each in banks:
        bank_counts_refresh(bank=each)  # what every writer of questions does
    return banks


@pytest.mark.parametrize("page_size", [1, 50])
def test_question_list_query_count(bank, as_interviewer, django_assert_num_queries, page_size):
    # 1. the token and its user (TokenAuthentication, select_related user)
    # 2. the user's groups (the role, cached on the user for the serializer's key check)
    # 3. COUNT(*) of the filtered questions (pagination)
    # 4. the page of questions joined with bank, skill and category
    # 5. the choices of those questions (prefetch_related)
    with django_assert_num_queries(5):
        response = as_interviewer.get("/api/v1/questions/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("page_size", [1, 50])
def test_filtered_question_list_query_count(
    bank, as_interviewer, django_assert_num_queries, page_size
):
    # Same 6 queries: search is one WHERE (the search index), not a query per row, plus one
    # for the skills whose name holds the word.
    params = {"page_size": page_size, "search": "的", "difficulty_min": 2, "bank": bank.pk}
    with django_assert_num_queries(6):
        response = as_interviewer.get("/api/v1/questions/", params)
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("page_size", [1, 50])
def test_skill_list_query_count(fifty_banks, as_interviewer, django_assert_num_queries, page_size):
    # 1. token + user; 2. the user's groups (role check)
    # 3. COUNT(*) of skills holding an active question
    # 4. the page of those skills joined with their category, with their question count
    with django_assert_num_queries(4):
        response = as_interviewer.get("/api/v1/skills/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("page_size", [1, 50])
def test_category_list_query_count(
    fifty_banks, as_interviewer, django_assert_num_queries, page_size
):
    # 1. token + user; 2. the user's groups (role check)
    # 3. COUNT(*) of categories holding an active question
    # 4. the page of those categories with their skill and question counts (subqueries)
    with django_assert_num_queries(4):
        response = as_interviewer.get("/api/v1/categories/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("page_size", [1, 50])
def test_bank_list_query_count(fifty_banks, as_interviewer, django_assert_num_queries, page_size):
    # 1. token + user; 2. the user's groups (role check)
    # 3. COUNT(*) of banks; 4. the page of banks with the three counts (one GROUP BY)
    with django_assert_num_queries(4):
        response = as_interviewer.get("/api/v1/banks/", {"page_size": page_size})
    body = response.json()
    assert len(body["results"]) == page_size and body["count"] == 50


# --- schema --------------------------------------------------------------------------------------


@pytest.mark.parametrize("component", ["Question", "DraftQuestion"])
def test_the_schema_allows_every_null_a_long_form_question_returns(bank, as_interviewer, component):
    schema = as_interviewer.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    properties = schema["components"]["schemas"][component]["properties"]
    long_form = Question.objects.filter(bank=bank, skill__isnull=True).first()
    row = as_interviewer.get(f"/api/v1/questions/{long_form.pk}/").json()
    nulls = {name for name, value in row.items() if value is None and name in properties}
    assert {"category", "category_name", "skill", "skill_name", "difficulty"} <= nulls
    assert {name for name in nulls if not properties[name].get("nullable")} == set()
