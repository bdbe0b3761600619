"""Bank pages: browse, filter, read safely rendered questions, edit, upload."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from questions.counts import bank_counts_refresh
from questions.importer import bank_import_path
from questions.models import Category, Question, QuestionBank
from questions.services import question_create

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = ROOT / "data" / "banks" / "ai-llm-training.md"


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


def test_bank_page_shows_tree_counts_and_badges(client, interviewer, bank):
    client.force_login(interviewer)
    html = client.get("/bank/").content.decode()
    assert "AI-大模型训练" in html
    # Categories are listed; a category's skills show once it is chosen (links, no nested
    # controls inside a disclosure).
    tree = html.split('id="bank-tree"')[1].split("</aside>")[0]
    assert "分布式训练与系统架构" in tree and "跨集群训练架构设计" not in tree
    assert "<summary" not in tree
    assert 'data-count="129"' in html
    assert 'class="badge d-' in html
    assert html.count('class="question-row card"') == 25  # first page
    category = Category.objects.get(name="分布式训练与系统架构")
    html = client.get(f"/bank/?bank={bank.pk}&category={category.pk}").content.decode()
    tree = html.split('id="bank-tree"')[1].split("</aside>")[0]
    assert "跨集群训练架构设计" in tree and 'class="cat open"' in tree


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("difficulty_min=8", lambda qs: qs.filter(difficulty__gte=8)),
        ("difficulty_min=3&difficulty_max=4", lambda qs: qs.filter(difficulty__range=(3, 4))),
        ("kind=single_choice", lambda qs: qs.filter(kind="single_choice")),
        ("long_form=true", lambda qs: qs.filter(skill__isnull=True)),
        ("search=ZeRO", lambda qs: qs.filter(id__in=_ids_containing("ZeRO"))),
    ],
)
def test_filters_match_the_database(client, interviewer, bank, query, expected):
    client.force_login(interviewer)
    html = client.get(f"/bank/?{query}").content.decode()
    count = expected(Question.objects.filter(is_active=True)).count()
    assert count > 0
    assert f'data-count="{count}"' in html


def _ids_containing(word):
    from django.db.models import Q

    return Question.objects.filter(
        Q(prompt_md__icontains=word)
        | Q(reference_answer_md__icontains=word)
        | Q(explanation_md__icontains=word)
        | Q(choices__text_md__icontains=word)
    ).values("id")


def test_category_and_skill_filters(client, interviewer, bank):
    client.force_login(interviewer)
    category = bank.categories.get(name="分布式训练与系统架构")
    html = client.get(f"/bank/?category={category.pk}&difficulty_min=8").content.decode()
    count = Question.objects.filter(category=category, difficulty__gte=8).count()
    assert count == 4  # 弹性训练系统设计 (8) and 跨集群训练架构设计 (9), two questions each
    assert f'data-count="{count}"' in html
    skill = category.skills.get(name="通信优化技术")
    html = client.get(f"/bank/?skill={skill.pk}").content.decode()
    assert 'data-count="2"' in html


def test_inverted_difficulty_range_is_explained(client, interviewer, bank):
    client.force_login(interviewer)
    html = client.get("/bank/?difficulty_min=9&difficulty_max=3").content.decode()
    assert 'data-count="0"' in html
    assert "The upper difficulty (3) is below the lower one (9)." in html


def test_inverted_difficulty_range_is_explained_in_chinese(client, interviewer, bank):
    client.force_login(interviewer)
    response = client.get(
        "/bank/?difficulty_min=9&difficulty_max=3", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "难度上限（3）低于下限（9）。" in response.content.decode()


def test_htmx_request_gets_only_the_results(client, interviewer, bank):
    client.force_login(interviewer)
    response = client.get("/bank/?kind=open_ended", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'data-count="83"' in html


def test_bank_page_query_count_does_not_grow_with_rows(
    client, interviewer, bank, django_assert_num_queries
):
    client.force_login(interviewer)
    client.get("/bank/")  # warm the session and content-type caches
    skill = bank.categories.first().skills.first()
    # user, groups (role), banks, categories (counts are kept on the rows), the skill, its
    # category's skills, the questions count (kind is not kept), the questions page (the session
    # is read from the cache)
    with django_assert_num_queries(8):
        response = client.get(f"/bank/?skill={skill.pk}&kind=single_choice")
    assert 'data-count="1"' in response.content.decode()
    # user, groups, banks, the questions page: the count is the bank's, and the tree and the
    # category choice come from the cache the first request filled
    with django_assert_num_queries(4):
        response = client.get("/bank/")
    bank_counts_refresh(bank=bank)  # a recount: the next page reads the categories again
    with django_assert_num_queries(5):
        response = client.get("/bank/")
    assert response.content.decode().count('class="question-row card"') == 25


def test_question_page_shows_keys_to_interviewers(client, interviewer, bank):
    client.force_login(interviewer)
    single = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    html = client.get(f"/bank/questions/{single.pk}/").content.decode()
    assert 'class="choice correct"' in html and "删除或修正缺失值和异常值" in html
    assert 'class="markdown explanation"' in html
    opened = Question.objects.filter(kind="open_ended", skill__isnull=False).first()
    html = client.get(f"/bank/questions/{opened.pk}/").content.decode()
    assert 'class="markdown reference-answer"' in html


def test_hiring_manager_reads_without_keys_or_editing(client, hiring_manager, bank):
    client.force_login(hiring_manager)
    single = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    html = client.get(f"/bank/questions/{single.pk}/").content.decode()
    assert "choice correct" not in html
    assert "reference-answer" not in html and 'class="markdown explanation"' not in html
    assert f"/bank/questions/{single.pk}/edit/" not in html
    assert client.get(f"/bank/questions/{single.pk}/edit/").status_code == 403
    assert client.post(f"/bank/questions/{single.pk}/edit/", {}).status_code == 403
    assert client.get("/bank/import/").status_code == 403


HOSTILE = """Which is right?

<script>alert('x')</script>
<img src=x onerror="alert(1)">
[click me](javascript:alert(1))
<a href="javascript:alert(2)" onclick="steal()">link</a>

```python
print("<b>not bold</b>")
```

| a | b |
|---|---|
| 1 | 2 |

- one
- two
"""


def test_hostile_markdown_is_sanitised(client, interviewer, bank):
    question = question_create(
        bank=bank,
        actor=interviewer,
        kind="open_ended",
        prompt_md=HOSTILE,
        reference_answer_md="<iframe src='https://evil.example'></iframe>\n\n**fine**",
    )
    client.force_login(interviewer)
    html = client.get(f"/bank/questions/{question.pk}/").content.decode()
    body = html[html.index('class="markdown prompt"') :]
    assert "<script>alert" not in body
    assert "onerror" not in body and "onclick" not in body
    assert 'href="javascript' not in body.replace(" ", "")  # no javascript: link survives
    assert "<iframe" not in body
    assert "<pre><code" in body and "&lt;b&gt;not bold&lt;/b&gt;" in body
    assert "<table>" in body and "<li>one</li>" in body
    assert "<strong>fine</strong>" in body


def test_edit_creates_a_new_version(client, interviewer, bank):
    client.force_login(interviewer)
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    form = {
        "kind": "single_choice",
        "difficulty": "3",
        "prompt_md": "改写后的题干",
        "explanation_md": "解析",
        "reference_answer_md": "",
        "version": "1",
        "choices-TOTAL_FORMS": "4",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "10",
    }
    for i, (label, correct) in enumerate([("A", False), ("B", True), ("C", False), ("D", False)]):
        form[f"choices-{i}-label"] = label
        form[f"choices-{i}-text_md"] = f"选项 {label}"
        if correct:
            form[f"choices-{i}-is_correct"] = "on"
    response = client.post(f"/bank/questions/{question.pk}/edit/", form)
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.version, question.edited_in_app, question.difficulty) == (2, True, 3)
    assert question.prompt_md == "改写后的题干"
    assert [c.label for c in question.choices.all() if c.is_correct] == ["B"]
    # The same form again carries version 1: stale, refused, nothing changes.
    form["prompt_md"] = "又一次改写"
    response = client.post(f"/bank/questions/{question.pk}/edit/", form)
    assert response.status_code == 200
    assert (
        "Someone saved this question while you were editing (now version 2). "
        "Reload the page and apply your change again."
    ) in response.content.decode()
    question.refresh_from_db()
    assert question.prompt_md == "改写后的题干"


def test_saving_an_unchanged_question_is_not_a_new_version(client, interviewer, bank):
    """Pressing save without changing anything keeps the version, and imports may still update
    the question (it is not marked as edited in the app)."""
    client.force_login(interviewer)
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    form = {
        "kind": question.kind,
        "difficulty": str(question.difficulty),
        "prompt_md": question.prompt_md,
        "explanation_md": question.explanation_md,
        "reference_answer_md": question.reference_answer_md,
        "version": "1",
        "choices-TOTAL_FORMS": "4",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "10",
    }
    for i, choice in enumerate(question.choices.all()):
        form[f"choices-{i}-label"] = choice.label
        form[f"choices-{i}-text_md"] = choice.text_md
        if choice.is_correct:
            form[f"choices-{i}-is_correct"] = "on"
    response = client.post(f"/bank/questions/{question.pk}/edit/", form, follow=True)
    assert "Nothing changed, so no new version was saved." in response.content.decode()
    question.refresh_from_db()
    assert (question.version, question.edited_in_app) == (1, False)
    assert question.revisions.count() == 0


def test_angle_bracket_placeholders_show_and_remote_images_do_not_load(client, interviewer, bank):
    """`<service-name>` is text the author wrote, not a tag to drop; images come from here only."""
    question = question_create(
        bank=bank,
        actor=interviewer,
        kind="open_ended",
        prompt_md=(
            "Resolve <service-name>.<namespace>.svc.cluster.local, then run "
            "`kubectl logs <pod>` and <b>check</b> <PubKey1> OP_CHECKSIG.\n\n"
            '<img src="http://evil.example/t.png" alt="tracker"> '
            '<img src="//evil.example/t.png"> <img src="/static/favicon.svg" alt="ours">\n\n'
            '<a href="data:text/html,hi">data link</a>'
        ),
    )
    client.force_login(interviewer)
    html = client.get(f"/bank/questions/{question.pk}/").content.decode()
    body = html[html.index('class="markdown prompt"') :]
    assert "&lt;service-name&gt;.&lt;namespace&gt;.svc.cluster.local" in body
    assert "<code>kubectl logs &lt;pod&gt;</code>" in body
    assert "<b>check</b>" in body and "&lt;PubKey1&gt; OP_CHECKSIG" in body
    assert "evil.example" not in body
    assert '<img src="/static/favicon.svg" alt="ours">' in body
    assert "data:text/html" not in body


def test_edit_with_two_correct_single_choice_is_refused(client, interviewer, bank):
    client.force_login(interviewer)
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    form = {
        "kind": "single_choice",
        "difficulty": "2",
        "prompt_md": "x",
        "version": "1",
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "0",
        "choices-0-label": "A",
        "choices-0-text_md": "a",
        "choices-0-is_correct": "on",
        "choices-1-label": "B",
        "choices-1-text_md": "b",
        "choices-1-is_correct": "on",
    }
    response = client.post(f"/bank/questions/{question.pk}/edit/", form)
    assert response.status_code == 200
    assert "A single-choice question needs exactly one correct choice (it has 2)." in (
        response.content.decode()
    )
    question.refresh_from_db()
    assert question.version == 1


def test_staff_upload_imports_and_reports(client, admin_user, db):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("ai.md", BUILTIN.read_bytes(), content_type="text/markdown")
    response = client.post("/bank/import/", {"file": upload})
    assert response.status_code == 200
    assert '<dd data-figure="created">129</dd>' in response.content.decode()
    assert QuestionBank.objects.count() == 1
    # Again, in Chinese: the figures are labelled in the page's language, and nothing changed.
    upload.seek(0)
    response = client.post("/bank/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert "没有变化" in html and '<dd data-figure="unchanged">129</dd>' in html
    assert "<dt>未变</dt>" in html and "<dt>新建</dt>" in html


def test_upload_lists_errors_and_writes_nothing(client, admin_user, db):
    client.force_login(admin_user)
    bad = BUILTIN.read_text().replace("正确答案: B. 删除或修正缺失值和异常值。", "正确答案: F.", 1)
    upload = SimpleUploadedFile("bad.md", bad.encode(), content_type="text/markdown")
    response = client.post("/bank/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        escape('bad.md:108: question 1 of skill "数据采集与清洗": answer key names F, ')
        + "which is not an option (options: A, B, C, D)"
    ) in html
    assert QuestionBank.objects.count() == 0


def test_upload_over_the_limit_is_refused(client, admin_user, db, settings):
    settings.BANK_UPLOAD_MAX_BYTES = 1000
    client.force_login(admin_user)
    upload = SimpleUploadedFile("big.md", BUILTIN.read_bytes(), content_type="text/markdown")
    response = client.post("/bank/import/", {"file": upload})
    assert response.status_code == 400
    size = f"{len(BUILTIN.read_bytes()):,}"
    assert f"big.md is {size} bytes, over the 1,000-byte limit." in response.content.decode()
    assert QuestionBank.objects.count() == 0


def test_interviewer_may_not_upload(client, interviewer, db):
    client.force_login(interviewer)
    assert client.get("/bank/import/").status_code == 403
