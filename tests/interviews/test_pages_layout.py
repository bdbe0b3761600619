"""Set pages as a person meets them: what a refused edit leaves, who gets which columns, the
builder's order of work (title first, warnings while drafting, nothing empty saved)."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from questions.importer import bank_import_path
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
    [("0", "Points are a whole number from 1 to 100."), ("abc", "Enter a whole number.")],
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
