"""Markdown fields: size and nesting limits, HTML rendered once when written, never per request."""

import importlib
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from questions.importer import bank_import_path
from questions.limits import HTML_MAX_NESTING, MARKDOWN_MAX_CHARS
from questions.markdown import render_markdown
from questions.models import Choice, Question
from questions.services import ChoiceInput, question_create, question_update
from tests.factories import drawn_set

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


def nested(depth: int, tag: str = "div") -> str:
    return f"<{tag}>" * depth + "x" + f"</{tag}>" * depth


class _DepthMeter(HTMLParser):
    """The deepest nesting of elements in a piece of HTML, as a parser builds it."""

    VOID = {"br", "hr", "img"}

    def __init__(self, html: str):
        super().__init__()
        self.depth = self.deepest = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        self.depth -= 1


# --- nesting -------------------------------------------------------------------------------------


def test_html_nested_up_to_the_limit_renders_as_html():
    html = render_markdown(nested(HTML_MAX_NESTING))
    assert html.startswith("<div>" * HTML_MAX_NESTING + "x")
    assert _DepthMeter(html).deepest == HTML_MAX_NESTING


@pytest.mark.parametrize("depth", [HTML_MAX_NESTING + 1, 20_000])
def test_deeper_raw_html_shows_as_text_before_it_reaches_the_sanitiser(depth):
    """Sanitising time grows with the square of the depth: the sanitiser only ever gets flat
    HTML, the tags written by the author showing as the text they typed."""
    with mock.patch("nh3.clean", wraps=__import__("nh3").clean) as clean:
        html = render_markdown(nested(depth))
    assert _DepthMeter(clean.call_args.args[0]).deepest <= 1  # one <p> around the text
    assert html.startswith("<p>&lt;div&gt;&lt;div&gt;")
    assert "<div>" not in html


def test_many_unclosed_list_items_are_a_list_not_deep_nesting():
    """`<li>a<li>b` is two items side by side, as a browser reads it."""
    html = render_markdown("<ul>" + "<li>item" * 100 + "</ul>")
    assert html.count("<li>item</li>") == 100


def test_deep_nesting_split_over_inline_html_counts_too():
    html = render_markdown("Some text " + "<b>" * (HTML_MAX_NESTING + 1) + "bold")
    assert "&lt;b&gt;" in html and "<b>" not in html


# --- limits at every writer ----------------------------------------------------------------------

TOO_LONG = "长" * (MARKDOWN_MAX_CHARS + 1)


def test_the_edit_form_refuses_a_prompt_over_the_limit(client, interviewer, bank):
    question = Question.objects.get(skill__name="数据采集与清洗", kind="open_ended")
    client.force_login(interviewer)
    form = {
        "kind": "open_ended",
        "difficulty": str(question.difficulty),
        "prompt_md": TOO_LONG,
        "explanation_md": "",
        "reference_answer_md": question.reference_answer_md,
        "version": "1",
        "choices-TOTAL_FORMS": "0",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "10",
    }
    response = client.post(f"/bank/questions/{question.pk}/edit/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value has at most 20000 characters (it has 20001)." in html
    assert 'maxlength="20000"' in html  # the browser stops typing there too
    question.refresh_from_db()
    assert question.version == 1


@pytest.fixture
def api(interviewer):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _ = Token.objects.get_or_create(user=interviewer)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.parametrize(
    "field", ["prompt_md", "explanation_md", "reference_answer_md"], ids=lambda f: f
)
def test_the_api_refuses_a_markdown_field_over_the_limit(api, bank, field):
    question = Question.objects.get(skill__name="数据采集与清洗", kind="open_ended")
    response = api.patch(f"/api/v1/questions/{question.pk}/", {field: TOO_LONG}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: ["Ensure this field has no more than 20000 characters."]}
    question.refresh_from_db()
    assert question.version == 1


def test_the_api_refuses_a_choice_text_over_the_limit(api, bank):
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    choices = [
        {"label": "A", "text": TOO_LONG, "is_correct": True},
        {"label": "B", "text": "短", "is_correct": False},
    ]
    response = api.patch(f"/api/v1/questions/{question.pk}/", {"choices": choices}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "choices": {"0": {"text": ["Ensure this field has no more than 20000 characters."]}}
    }


def test_the_issues_60000_nested_divs_are_refused_by_the_api(api, bank):
    question = Question.objects.get(skill__name="数据采集与清洗", kind="open_ended")
    response = api.patch(
        f"/api/v1/questions/{question.pk}/", {"prompt_md": nested(60_000)}, format="json"
    )
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.version == 1


# --- stored HTML ---------------------------------------------------------------------------------


def test_a_created_question_stores_its_rendered_html(bank, interviewer):
    question = question_create(
        bank=bank,
        actor=interviewer,
        kind="single_choice",
        prompt_md="**粗体** 题干",
        explanation_md="解析 `code`",
        choices=[ChoiceInput("A", "*甲*", True), ChoiceInput("B", "乙", False)],
    )
    stored = Question.objects.get(pk=question.pk)
    assert stored.prompt_html == "<p><strong>粗体</strong> 题干</p>\n"
    assert stored.explanation_html == "<p>解析 <code>code</code></p>\n"
    assert stored.reference_answer_html == ""
    assert [c.text_html for c in stored.choices.all()] == ["<p><em>甲</em></p>\n", "<p>乙</p>\n"]


def test_an_edit_stores_the_new_html(bank, interviewer):
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    question_update(
        question=question,
        actor=interviewer,
        prompt_md="新的 _题干_",
        explanation_md="",
        reference_answer_md="参考 **答案**",
        difficulty=question.difficulty,
        choices=[ChoiceInput("A", "对", True), ChoiceInput("B", "<b>错</b>", False)],
    )
    stored = Question.objects.get(pk=question.pk)
    assert stored.prompt_html == "<p>新的 <em>题干</em></p>\n"
    assert stored.explanation_html == ""
    assert stored.reference_answer_html == "<p>参考 <strong>答案</strong></p>\n"
    assert [c.text_html for c in stored.choices.all()] == ["<p>对</p>\n", "<p><b>错</b></p>\n"]


def test_an_import_stores_html_and_a_reimport_refreshes_it(bank, tmp_path):
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    assert question.prompt_html == render_markdown(question.prompt_md) != ""
    assert question.explanation_html == render_markdown(question.explanation_md) != ""
    assert all(c.text_html == render_markdown(c.text_md) != "" for c in question.choices.all())
    changed = tmp_path / BUILTIN.name
    text = BUILTIN.read_text(encoding="utf-8")
    assert text.count(question.prompt_md) == 1
    changed.write_text(text.replace(question.prompt_md, question.prompt_md + " **新增**"), "utf-8")
    assert bank_import_path(path=changed).updated == 1
    question.refresh_from_db()
    assert question.prompt_html.endswith(" <strong>新增</strong></p>\n")


def test_a_reimport_renders_only_the_text_that_changed(bank, tmp_path):
    """Rendering is most of a large re-import: a changed question keeps the stored HTML of its
    unchanged explanation and choices, and only the new prompt is rendered."""
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    before = {c.label: c.text_html for c in question.choices.all()}
    changed = tmp_path / BUILTIN.name
    text = BUILTIN.read_text(encoding="utf-8")
    changed.write_text(text.replace(question.prompt_md, question.prompt_md + " *改*"), "utf-8")
    with mock.patch("questions.importer.render_markdown", wraps=render_markdown) as renderer:
        assert bank_import_path(path=changed).updated == 1
    assert [call.args[0] for call in renderer.call_args_list] == [question.prompt_md + " *改*"]
    question.refresh_from_db()
    assert question.prompt_html == render_markdown(question.prompt_md)
    assert question.prompt_html.endswith(" <em>改</em></p>\n")
    assert question.explanation_html == render_markdown(question.explanation_md) != ""
    assert {c.label: c.text_html for c in question.choices.all()} == before


def test_the_migration_fills_html_of_rows_written_before_it(bank):
    Question.objects.update(prompt_html="", explanation_html="", reference_answer_html="")
    Choice.objects.update(text_html="")
    migration = importlib.import_module("questions.migrations.0006_rendered_html")
    migration.fill_rendered_html(apps, None)
    for question in Question.objects.prefetch_related("choices"):
        assert question.prompt_html == render_markdown(question.prompt_md) != ""
        assert question.reference_answer_html == render_markdown(question.reference_answer_md)
        assert question.explanation_html == render_markdown(question.explanation_md)
        for choice in question.choices.all():
            assert choice.text_html == render_markdown(choice.text_md) != ""


@contextmanager
def _no_rendering():
    """Any markdown rendering or sanitising while the block runs fails the test."""
    refuse = mock.Mock(side_effect=AssertionError("a page rendered markdown per request"))
    with (
        mock.patch("questions.templatetags.bank.render_markdown", refuse),
        mock.patch("questions.markdown.render_markdown", refuse),
        mock.patch("nh3.clean", refuse),
    ):
        yield


def test_pages_show_the_stored_html_without_rendering(client, interviewer, bank):
    question_set = drawn_set(
        owner=interviewer,
        title="Six",
        bank=bank.pk,
        count=6,
        seed=3,
        kinds={"open_ended": 3, "single_choice": 3},
    )
    choice_question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    open_question = Question.objects.get(skill__name="数据采集与清洗", kind="open_ended")
    item = question_set.items.order_by("position").first()
    client.force_login(interviewer)
    urls = [
        "/bank/",
        f"/bank/?bank={bank.pk}&search=数据",
        f"/bank/questions/{choice_question.pk}/",
        f"/bank/questions/{open_question.pk}/",
        f"/sets/{question_set.pk}/",
        f"/sets/{question_set.pk}/print/kit/",
        f"/sets/{question_set.pk}/print/preview/",
        f"/sets/{question_set.pk}/items/search/?search=数据",
        f"/sets/{question_set.pk}/items/{item.pk}/swap/options/",
    ]
    draft = {"bank": bank.pk, "count": "6", "seed": "3", "action": "preview"}
    with _no_rendering():
        pages = {url: client.get(url) for url in urls}
        pages["draft"] = client.post("/sets/new/", draft, HTTP_HX_REQUEST="true")
    for url, response in pages.items():
        assert response.status_code == 200, url
    assert pages["draft"].content.decode().count('target="_blank"') == 6
    detail = pages[f"/bank/questions/{choice_question.pk}/"].content.decode()
    assert choice_question.prompt_html in detail and choice_question.explanation_html in detail
    for choice in choice_question.choices.all():
        assert choice.text_html in detail
    kit = pages[f"/sets/{question_set.pk}/print/kit/"].content.decode()
    for set_item in question_set.items.select_related("question"):
        assert set_item.question.prompt_html in kit


# --- the services refuse what every writer must refuse -------------------------------------------

LONG_MESSAGE = "At most 20,000 characters are allowed (this text has 20,001)."
DEEP_MESSAGE = "HTML tags here nest more than 32 levels deep; write fewer levels."


@pytest.mark.parametrize(
    ("text", "message"),
    [(TOO_LONG, LONG_MESSAGE), (nested(33), DEEP_MESSAGE)],
    ids=["long", "deep"],
)
@pytest.mark.parametrize("field", ["prompt_md", "explanation_md", "reference_answer_md"])
def test_services_refuse_markdown_over_a_limit(bank, interviewer, field, text, message):
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    fields = {
        "prompt_md": question.prompt_md,
        "explanation_md": question.explanation_md,
        "reference_answer_md": question.reference_answer_md,
        field: text,
    }
    with pytest.raises(ValidationError) as refused:
        question_update(question=question, actor=interviewer, difficulty=3, **fields)
    assert refused.value.message_dict == {field: [message]}
    with pytest.raises(ValidationError) as refused:
        question_create(bank=bank, actor=interviewer, kind="open_ended", **fields)
    assert refused.value.message_dict == {field: [message]}
    assert Question.objects.get(pk=question.pk).version == 1


def test_services_refuse_a_choice_over_a_limit(bank, interviewer):
    choices = [ChoiceInput("A", TOO_LONG, True), ChoiceInput("B", nested(40), False)]
    with pytest.raises(ValidationError) as refused:
        question_create(
            bank=bank, actor=interviewer, kind="single_choice", prompt_md="题", choices=choices
        )
    assert refused.value.message_dict == {
        "choices": [f"Choice A: {LONG_MESSAGE}", f"Choice B: {DEEP_MESSAGE}"]
    }


# --- image sources -------------------------------------------------------------------------------

# Written as an author would type them in raw HTML; `&#9;` is a tab, which browsers drop.
HOSTILE_SOURCES = [
    "http://evil.example/x.png",
    "https://evil.example/x.png",
    "//evil.example/x.png",
    "///evil.example/x.png",
    "/\\evil.example/x.png",
    "\\\\evil.example/x.png",
    "\\/evil.example/x.png",
    "/&#9;/evil.example/x.png",
    "/&#10;/evil.example/x.png",
    "/&#13;/evil.example/x.png",
    "&#9;//evil.example/x.png",
    " //evil.example/x.png",
    "&#1;//evil.example/x.png",
    "http:/evil.example/x.png",
    "https:evil.example/x.png",
    "HTTPS://evil.example/x.png",
    "//[evil.example/x.png",
    "javascript:alert(1)",
    "java&#9;script:alert(1)",
    "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
    "data:text/html;base64,PGI+aGk8L2I+",
    "DATA:text/html,hi",
]
# Source as written -> the src a browser is given.
FRIENDLY_SOURCES = [
    ("/static/favicon.svg", "/static/favicon.svg"),
    ("/media/questions/1.png?v=2#top", "/media/questions/1.png?v=2#top"),
    ("images/diagram.png", "images/diagram.png"),
    (" /static/favicon.svg ", "/static/favicon.svg"),
    ("data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,iVBORw0KGgo="),
    ("data:image/jpeg;base64,/9j/4AAQ", "data:image/jpeg;base64,/9j/4AAQ"),
    ("DATA:image/gif;base64,R0lGODlh", "DATA:image/gif;base64,R0lGODlh"),
]


@pytest.mark.parametrize("source", HOSTILE_SOURCES)
def test_images_from_elsewhere_lose_their_source(source):
    html = render_markdown(f'Look: <img src="{source}" alt="picture">')
    assert html == '<p>Look: <img alt="picture"></p>\n'


@pytest.mark.parametrize(("source", "loaded"), FRIENDLY_SOURCES)
def test_images_of_this_site_and_inline_rasters_keep_their_source(source, loaded):
    html = render_markdown(f'Look: <img src="{source}" alt="picture">')
    assert html == f'<p>Look: <img src="{loaded}" alt="picture"></p>\n'


@pytest.mark.parametrize("href", ["data:text/html,hi", "da&#9;ta:text/html,hi", " DATA:,x"])
def test_links_never_carry_data_urls(href):
    html = render_markdown(f'<a href="{href}">link</a>')
    assert html == '<p><a rel="noopener noreferrer nofollow">link</a></p>\n'
