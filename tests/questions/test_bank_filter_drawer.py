"""The bank page without JavaScript: the filters and the tree sit in a <details> drawer below
the search box, and every active filter is a chip whose link removes just that filter."""

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


def _chips(html: str) -> dict[str, dict[str, list[str]]]:
    """Each chip's readable text -> the query its link leads to."""
    box = html.split('id="active-filters"')[1].split("</ul>")[0]
    chips = {}
    for href, inner in re.findall(r'<a class="chip[^"]*" href="([^"]+)">(.*?)</a>', box):
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", inner)).split())
        chips[text] = parse_qs(urlsplit(unescape(href)).query)
    return chips


def test_search_comes_first_and_the_filters_and_tree_are_in_a_drawer(client, interviewer, bank):
    client.force_login(interviewer)
    html = client.get("/bank/").content.decode()
    search = html.index('id="id_search"')
    drawer = html.index('<details class="filter-drawer"')
    assert search < drawer < html.index('id="results"')
    inside = html[drawer : html.index("</details>", drawer)]
    assert 'id="id_category"' in inside and 'id="bank-tree"' in inside
    assert "<summary" in inside and "Filters and categories" in inside
    field = re.search(r'<input type="search"[^>]*>', html).group(0)
    assert 'form="question-filters"' in field  # submitted with the filters, outside the drawer


def test_each_chip_removes_only_its_filter(client, interviewer, bank):
    client.force_login(interviewer)
    category = bank.categories.get(name="分布式训练与系统架构")
    skill = category.skills.get(name="跨集群训练架构设计")
    html = client.get(
        f"/bank/?bank={bank.pk}&category={category.pk}&skill={skill.pk}&search=训练"
        "&kind=open_ended&difficulty_min=3&difficulty_max=9&page=1"
    ).content.decode()
    chips = _chips(html)
    everything = {"bank", "category", "skill", "search", "kind", "difficulty_min", "difficulty_max"}
    expected_removed = {
        "Remove filter: Search: 训练 ×": {"search"},
        "Remove filter: Category: 分布式训练与系统架构 ×": {"category", "skill"},
        "Remove filter: Skill: 跨集群训练架构设计 ×": {"skill"},
        "Remove filter: Kind: Open-ended ×": {"kind"},
        "Remove filter: Difficulty 3 to 9 ×": {"difficulty_min", "difficulty_max"},
        "Clear all filters": everything - {"bank"},
    }
    assert set(chips) == set(expected_removed)
    for text, removed in expected_removed.items():
        assert set(chips[text]) == everything - removed, text
    assert '<span id="active-filter-count" class="badge filter-count">5</span>' in html


def test_no_chips_without_filters_and_chips_in_chinese(client, interviewer, bank):
    client.force_login(interviewer)
    assert _chips(client.get("/bank/").content.decode()) == {}
    zh = client.get("/bank/?kind=single_choice&difficulty_min=8", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert set(_chips(zh.content.decode())) == {
        "移除筛选： 题型：单选题 ×",
        "移除筛选： 难度不低于 8 ×",
        "清除全部筛选",
    }


def test_htmx_results_update_the_chips(client, interviewer, bank):
    client.force_login(interviewer)
    html = client.get("/bank/?kind=single_choice", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="active-filters" class="active-filters" hx-swap-oob="true"' in html
    assert "Kind: Single choice" in html
    assert 'id="active-filter-count" class="badge filter-count" hx-swap-oob="true">1<' in html
