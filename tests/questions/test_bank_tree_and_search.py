"""The bank page's category tree keeps the active filters and labels what its numbers are;
the search box says what it searches for each role."""

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from questions.importer import bank_import_path

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


def _tree(html: str) -> str:
    return html.split('id="bank-tree"')[1].split("</aside>")[0]


def _tree_links(html: str) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlsplit(unescape(href)).query)
        for href in re.findall(r'href="([^"]+)"', _tree(html))
    ]


def test_tree_links_keep_search_kind_and_difficulty(client, interviewer, bank):
    client.force_login(interviewer)
    category = bank.categories.get(name="分布式训练与系统架构")
    html = client.get(
        f"/bank/?bank={bank.pk}&category={category.pk}&search=训练&kind=open_ended"
        "&difficulty_min=3&difficulty_max=9"
    ).content.decode()
    links = _tree_links(html)
    assert len(links) > 3  # all questions, every category, the chosen category's skills
    for query in links:
        assert query["search"] == ["训练"], query
        assert query["kind"] == ["open_ended"], query
        assert query["difficulty_min"] == ["3"] and query["difficulty_max"] == ["9"], query
    skill_links = [q for q in links if "skill" in q]
    assert skill_links and all(q["category"] == [str(category.pk)] for q in skill_links)


def test_tree_links_carry_no_empty_filters(client, interviewer, bank):
    client.force_login(interviewer)
    html = client.get(f"/bank/?bank={bank.pk}").content.decode()
    for query in _tree_links(html):
        assert not {"search", "kind", "difficulty_min", "difficulty_max"} & set(query), query


def test_tree_says_which_number_is_a_difficulty_and_which_a_count(client, interviewer, bank):
    client.force_login(interviewer)
    category = bank.categories.get(name="分布式训练与系统架构")
    skill = category.skills.get(name="跨集群训练架构设计")  # difficulty 9, two questions
    html = client.get(f"/bank/?bank={bank.pk}&category={category.pk}").content.decode()
    item = _tree(html).split(f"skill={skill.pk}")[1].split("</li>")[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", item).split())
    assert "difficulty 9" in text
    assert "2 questions" in text
    assert 'All questions</a> <span class="count">129 questions</span>' in _tree(html)


def test_tree_labels_in_chinese(client, interviewer, bank):
    client.force_login(interviewer)
    category = bank.categories.get(name="分布式训练与系统架构")
    html = client.get(
        f"/bank/?bank={bank.pk}&category={category.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", _tree(html)).split())
    assert "难度 9" in text
    assert "2 道题" in text


def test_interviewer_search_label_says_answers_are_searched(client, interviewer, bank):
    client.force_login(interviewer)
    html = client.get("/bank/").content.decode()
    assert '<label for="id_search">Search prompts and answers</label>' in html


def test_hiring_manager_search_label_says_prompts_only(client, hiring_manager, bank):
    client.force_login(hiring_manager)
    html = client.get("/bank/").content.decode()
    assert '<label for="id_search">Search prompts</label>' in html
    assert "answers</label>" not in html
    zh = client.get("/bank/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<label for="id_search">搜索题干</label>' in zh
