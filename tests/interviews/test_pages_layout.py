"""Set pages as a person meets them: what a refused edit leaves, who gets which columns, the
builder's order of work (title first, warnings while drafting, nothing empty saved)."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from interviews.models import QuestionSet
from questions.importer import bank_import_path
from questions.models import Category, Question
from tests.factories import drawn_set

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict):
        self.tag, self.attrs, self.text = tag, attrs, ""

    def __getitem__(self, name):
        return self.attrs[name]

    def get(self, name, default=None):
        return self.attrs.get(name, default)


class Page(HTMLParser):
    """The elements of an HTML answer, each with its attributes and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def by_id(self, id_: str) -> Element:
        found = [e for e in self.elements if e.get("id") == id_]
        assert len(found) == 1, (id_, len(found))
        return found[0]

    def select(self, tag: str, **attrs) -> list[Element]:
        """Elements of `tag` whose attributes include these (class_ matches one class)."""
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}

        def matches(e):
            for name, value in wanted.items():
                if name == "class":
                    if value not in e.get("class", "").split():
                        return False
                elif e.get(name) != value:
                    return False
            return True

        return [e for e in self.elements if e.tag == tag and matches(e)]


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


@pytest.fixture
def question_set(bank, interviewer):
    return drawn_set(owner=interviewer, title="Six", bank=bank.pk, count=6, seed=3)


# --- invalid points ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0", "Points are a whole number from 1 to 100."),
        ("abc", "Points are a whole number from 1 to 100."),
    ],
)
def test_refused_points_keep_what_was_typed_marked_invalid(
    client, interviewer, question_set, typed, reason
):
    client.force_login(interviewer)
    item = question_set.items.order_by("position").first()
    stored = item.points
    response = client.post(
        f"/sets/{question_set.pk}/items/{item.pk}/points/",
        {"points": typed},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    page = Page(response.content.decode())
    field = page.by_id(f"points-{item.pk}")
    assert field["value"] == typed
    assert field.get("aria-invalid") == "true"
    assert reason in page.by_id(field["aria-describedby"]).text
    item.refresh_from_db()
    assert item.points == stored
    # The other rows keep their stored values and are not marked.
    others = [e for e in page.select("input", name="points") if e is not field]
    assert others and all(e.get("aria-invalid") is None for e in others)


def test_accepted_points_clear_the_mark(client, interviewer, question_set):
    client.force_login(interviewer)
    item = question_set.items.order_by("position").first()
    url = f"/sets/{question_set.pk}/items/{item.pk}/points/"
    client.post(url, {"points": "0"}, HTTP_HX_REQUEST="true")
    response = client.post(url, {"points": "12"}, HTTP_HX_REQUEST="true")
    field = Page(response.content.decode()).by_id(f"points-{item.pk}")
    assert (field["value"], field.get("aria-invalid")) == ("12", None)


# --- the read-only set page --------------------------------------------------------------------


def test_a_reader_gets_no_side_column(client, hiring_manager, interviewer, question_set):
    """The side column holds only editing tools: a reader's page gives the set the width."""
    client.force_login(hiring_manager)
    page = Page(client.get(f"/sets/{question_set.pk}/").content.decode())
    assert page.select("aside") == []
    layout = page.select("div", class_="editor-layout")[0]
    assert "with-tools" not in layout["class"].split()
    client.force_login(interviewer)
    page = Page(client.get(f"/sets/{question_set.pk}/").content.decode())
    assert [a.get("class") for a in page.select("aside")] == ["editor-side"]
    assert "with-tools" in page.select("div", class_="editor-layout")[0]["class"].split()


def test_an_archived_set_gives_its_owner_the_width_too(client, interviewer, question_set):
    client.force_login(interviewer)
    client.post(f"/sets/{question_set.pk}/archive/", {"archived": "1"})
    page = Page(client.get(f"/sets/{question_set.pk}/").content.decode())
    assert page.select("aside") == []
    assert "Archived: restore it to edit it again." in page.select("main")[0].text


# --- the builder -------------------------------------------------------------------------------


def empty_range(bank) -> dict:
    """A blueprint of one category and one difficulty that category has no question of."""
    category = Category.objects.get(bank=bank, name="安全与合规")
    held = set(Question.objects.filter(category=category).values_list("difficulty", flat=True))
    difficulty = min(set(range(1, 11)) - held)
    return {
        "bank": bank.pk,
        "count": "3",
        "mode": "range",
        "categories": [category.pk],
        "difficulty_min": str(difficulty),
        "difficulty_max": str(difficulty),
        "seed": "5",
    }


def test_title_and_time_limit_come_first_and_only_save_requires_a_title(client, interviewer, bank):
    client.force_login(interviewer)
    page = Page(client.get("/sets/new/").content.decode())
    order = [e.get("id") for e in page.elements]
    title = page.by_id("id_title")
    assert "required" in title.attrs and title.get("maxlength") == "200"
    # Title and time limit open the blueprint: before the bank and everything drawn from it.
    assert order.index("id_title") < order.index("id_time_limit_minutes") < order.index("bp-bank")
    (assemble,) = page.select("button", value="preview")
    assert "formnovalidate" in assemble.attrs  # Assemble draws without a title


def test_assemble_and_draw_again_work_without_a_title(client, interviewer, bank):
    client.force_login(interviewer)
    for action in ("preview", "redraw"):
        response = client.post(
            "/sets/new/",
            {"bank": bank.pk, "count": "4", "seed": "8", "action": action},
            HTTP_HX_REQUEST="true",
        )
        page = Page(response.content.decode())
        assert response.status_code == 200
        assert len(page.select("ol", class_="draft-items")[0].text.split("pts")) == 5
        (draw_again,) = page.select("button", value="redraw")
        assert "formnovalidate" in draw_again.attrs
        assert "This field is required." not in response.content.decode()


def test_saving_without_a_title_is_refused_by_the_server_beside_the_field(
    client, interviewer, bank
):
    client.force_login(interviewer)
    post = {"bank": bank.pk, "count": "4", "seed": "8", "title": " ", "action": "save"}
    response = client.post("/sets/new/", post, HTTP_HX_REQUEST="true")
    page = Page(response.content.decode())
    # The fields sit above the draft, so the answer replaces them too (out of band).
    fields = page.by_id("set-fields")
    assert fields.get("hx-swap-oob") == "true"
    title = page.by_id("id_title")
    assert title.get("aria-invalid") == "true"
    assert "This field is required." in page.by_id(title["aria-describedby"]).text
    assert QuestionSet.objects.count() == 0


def test_the_draft_warns_of_the_time_limit_before_saving(client, interviewer, bank):
    client.force_login(interviewer)
    post = {"bank": bank.pk, "count": "10", "seed": "8", "action": "preview"}
    response = client.post(
        "/sets/new/", {**post, "time_limit_minutes": "5"}, HTTP_HX_REQUEST="true"
    )
    page = Page(response.content.decode())
    (warning,) = page.select("p", **{"data-summary": "over-time"})
    minutes = int(page.select("dd", **{"data-summary": "minutes"})[0].text.split()[0])
    assert minutes > 5 and "hidden" not in warning.attrs
    assert warning.text.strip() == (
        f"The questions take about {minutes} min, more than the 5-minute time limit. "
        "Ask for fewer questions or raise the limit."
    )
    # Without a limit (or under it) the warning waits, hidden, for the limit the user types:
    # the page's script fills in the limit and shows it.
    response = client.post("/sets/new/", post, HTTP_HX_REQUEST="true")
    (warning,) = Page(response.content.decode()).select("p", **{"data-summary": "over-time"})
    assert "hidden" in warning.attrs and warning.text.strip() == ""
    assert warning["data-minutes"] == str(minutes)
    assert warning["data-template"].replace("{limit}", "7") == (
        f"The questions take about {minutes} min, more than the 7-minute time limit. "
        "Ask for fewer questions or raise the limit."
    )


def test_a_draft_of_no_questions_cannot_be_saved(client, interviewer, bank):
    client.force_login(interviewer)
    post = empty_range(bank)
    response = client.post("/sets/new/", {**post, "action": "preview"}, HTTP_HX_REQUEST="true")
    page = Page(response.content.decode())
    (save,) = page.select("button", value="save")
    assert "disabled" in save.attrs
    assert page.by_id(save["aria-describedby"]).text == (
        "Nothing to save: the draft has no questions. Widen the blueprint as suggested "
        "above, then assemble again."
    )
    # A save sent anyway is refused in words; nothing is stored.
    response = client.post(
        "/sets/new/", {**post, "title": "Empty", "action": "save"}, HTTP_HX_REQUEST="true"
    )
    assert "A set needs at least one question, and this draft has none" in (
        response.content.decode()
    )
    assert QuestionSet.objects.count() == 0


def test_the_api_refuses_to_save_an_empty_draft(client, interviewer, bank):
    client.force_login(interviewer)
    post = empty_range(bank)
    body = {
        "bank": bank.pk,
        "count": 3,
        "categories": post["categories"],
        "difficulty_min": int(post["difficulty_min"]),
        "difficulty_max": int(post["difficulty_max"]),
        "save": True,
        "title": "Empty",
    }
    response = client.post("/api/v1/question-sets/assemble/", body, content_type="application/json")
    assert response.status_code == 400
    assert "A set needs at least one question, and this draft has none" in str(response.json())
    assert QuestionSet.objects.count() == 0


def test_a_shortfall_suggests_what_to_widen(client, interviewer, bank):
    """The page says what the API's shortfalls say, what to widen included."""
    client.force_login(interviewer)
    post = {**empty_range(bank), "action": "preview"}
    html = client.post("/sets/new/", post, HTTP_HX_REQUEST="true").content.decode()
    assert (
        "<li>To get more, widen the difficulty range: at any difficulty, 3 of the 3 questions "
        "would fit in 安全与合规</li>"
    ) in html
    assert "<li>To get more, choose more categories or skills than 安全与合规</li>" in html


# --- Chinese pages read as Chinese -------------------------------------------------------------


def test_chinese_sentences_run_on_with_chinese_punctuation(client, interviewer, question_set):
    """No space between Chinese sentences (an English habit), no ASCII colon after a word."""
    client.force_login(interviewer)
    question_set.time_limit_minutes = 5
    question_set.save()
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    page = Page(client.get(f"/sets/{question_set.pk}/", **zh).content.decode())
    owner_line = page.select("p", class_="muted")[0].text.strip()
    assert owner_line == "所有者：ivan。时间限制 5 分钟。"
    (warning,) = page.select("p", **{"data-summary": "over-time"})
    assert warning.text.strip().endswith("分钟的时限。请删减题目或放宽时限。")
    kit = Page(client.get(f"/sets/{question_set.pk}/print/kit/", **zh).content.decode())
    scores = [e.text for e in kit.select("div", class_="kit-score")]
    assert scores and all(
        s.startswith("得分：") and "备注：" in s and ":" not in s for s in scores
    ), scores
    draft = client.post(
        "/sets/new/",
        {"bank": question_set.bank_id, "count": "10", "seed": "8", "time_limit_minutes": "5"},
        HTTP_HX_REQUEST="true",
        **zh,
    ).content.decode()
    (warning,) = Page(draft).select("p", **{"data-summary": "over-time"})
    assert warning.text.strip().endswith("分钟的时限。请减少题目数量或放宽时限。")
    assert "。 " not in warning["data-template"]
