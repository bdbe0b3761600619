"""Tests for questions.bankformat, the "面试题集" markdown bank parser (no database)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questions.bankformat import (
    BankFormatError,
    ParsedBank,
    ParsedQuestion,
    normalise_heading,
    parse_bank,
    slugify_heading,
)
from tests.properties import examples
from tests.questions.samples import sample_path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "bank_fixtures"


def seed_path() -> Path:
    return ROOT / "data" / "banks" / "ai-llm-training.md"


def all_questions(bank: ParsedBank) -> list[ParsedQuestion]:
    return [q for c in bank.categories for s in c.skills for q in s.questions]


def kinds(bank: ParsedBank) -> Counter[str]:
    return Counter(q.kind for q in all_questions(bank))


def issues_of(data: bytes | str, **kwargs) -> list[tuple[int, str]]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    with pytest.raises(BankFormatError) as info:
        parse_bank(data, **kwargs)
    return info.value.issues


# --- a small bank to vary

CHOICE_Q1 = """**问题 1:**

> 以下哪一项正确？
>
> A. 甲
> B. 乙
> C. 丙
> D. 丁

<details>
  <summary>点击查看答案</summary>
  <p><strong>

正确答案: B. 乙。因为乙正确。</strong></p>
</details>
"""

OPEN_Q2 = """**问题 2:**

> 请简述原因。

<details>
  <summary>点击查看答案</summary>
  <p><strong>

正确答案: 因为如此。</strong></p>
</details>
"""


def bank_text(
    questions: str = CHOICE_Q1 + "\n" + OPEN_Q2,
    *,
    difficulty_line: str = "**技能难度评分:** 3/10",
    overview_difficulty: str = "3",
    anchor_line: str = "<a id='测试技能'></a>",
    long_form: str | None = None,
) -> str:
    text = f"""# 面试题集: 测试

[返回旧的已有问题](#旧的问题列表)

## 技能概览

### 测试类别

| 能力点 | 技能难度| 快速跳转 |
| :--- |:---: | :---: |
| 测试技能 | {overview_difficulty} | [直达题目](#测试技能) |

---

## 详细题目列表

### 测试类别

{anchor_line}
#### 测试技能

{difficulty_line}

{questions}
---
"""
    if long_form is not None:
        text += "\n## 旧的问题列表\n\n" + long_form
    return text


def parse_text(text: str) -> ParsedBank:
    return parse_bank(text.encode("utf-8"))


def only_question(text: str, index: int = 0) -> ParsedQuestion:
    return all_questions(parse_text(text))[index]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def choice_question(body: str, answer: str, *, number: int = 1) -> str:
    return f"""**问题 {number}:**

{body}

<details>
  <summary>点击查看答案</summary>
  <p><strong>

正确答案: {answer}</strong></p>
</details>
"""


# --- the built-in bank


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    return seed_path().read_bytes()


@pytest.fixture(scope="module")
def seed_bank(seed_bytes: bytes) -> ParsedBank:
    return parse_bank(seed_bytes)


def test_seed_shape(seed_bank: ParsedBank) -> None:
    assert seed_bank.title == "AI-大模型训练"
    assert len(seed_bank.categories) == 7
    assert sum(len(c.skills) for c in seed_bank.categories) == 46
    assert kinds(seed_bank) == {"single_choice": 46, "open_ended": 46}
    assert len(seed_bank.long_form) == 37
    assert seed_bank.long_form_without_answer == 0
    assert seed_bank.warnings == ()
    assert [c.name for c in seed_bank.categories] == [
        "数据准备与处理",
        "模型架构设计",
        "训练算法与优化",
        "分布式训练与系统架构",
        "硬件加速与系统优化",
        "模型评估与调试",
        "安全与合规",
    ]


def test_seed_difficulties_match_the_file(seed_bank: ParsedBank, seed_bytes: bytes) -> None:
    text = seed_bytes.decode("utf-8")
    expected = dict(re.findall(r"^\| (.+?) \| (\d+) \| \[直达题目\]", text, flags=re.M))
    detail = re.findall(r"^#### (.+)\n\n\*\*技能难度评分:\*\* (\d+)/10", text, flags=re.M)
    assert len(expected) == 46
    assert dict(detail) == expected
    parsed = {s.name: str(s.difficulty) for c in seed_bank.categories for s in c.skills}
    assert parsed == expected
    skills = {s.name: s for c in seed_bank.categories for s in c.skills}
    assert skills["GPU/TPU架构理解"].anchor == "gpu-tpu架构理解"
    assert skills["企业级安全治理体系构建"].difficulty == 10
    assert skills["数据采集与清洗"].line == 95


def test_seed_choice_questions(seed_bank: ParsedBank, seed_bytes: bytes) -> None:
    text = seed_bytes.decode("utf-8")
    letters = re.findall(r"\*\*问题 1:\*\*.*?正确答案: ([A-D])", text, flags=re.S)
    choice = [q for q in all_questions(seed_bank) if q.kind == "single_choice"]
    assert len(letters) == len(choice) == 46
    for question, letter in zip(choice, letters, strict=True):
        assert question.number == 1
        assert [c.label for c in question.choices] == ["A", "B", "C", "D"]
        assert [c.label for c in question.choices if c.is_correct] == [letter]
        assert all(c.text_md and "\n" not in c.text_md for c in question.choices)
        assert not question.explanation_md.startswith(("正确答案", f"{letter}.", letter + " "))
        assert "</strong>" not in question.explanation_md
        assert not re.search(r"(^|\n)[A-D]\. ", question.prompt_md)
        assert question.reference_answer_md == ""
    assert Counter(letters)["B"] == 35
    # four answers are only the letter ("正确答案: B</strong>")
    assert sum(1 for q in choice if q.explanation_md == "") == len(
        re.findall(r"正确答案: [A-D]</strong>", text)
    )
    first = choice[0]
    assert first.source_key == "数据采集与清洗#q1"
    assert first.line == 99
    assert first.prompt_md == "在进行大模型训练的数据准备过程中，以下哪一项是数据清洗的常见步骤？"
    assert first.choices[1].text_md == "删除或修正缺失值和异常值"
    assert first.explanation_md.startswith("删除或修正缺失值和异常值。数据清洗的关键步骤之一")
    assert first.explanation_md.endswith("但忽视了数据质量同样重要。")


def test_seed_open_questions(seed_bank: ParsedBank) -> None:
    open_questions = [q for q in all_questions(seed_bank) if q.kind == "open_ended"]
    assert len(open_questions) == 46
    for question in open_questions:
        assert question.number == 2
        assert question.choices == ()
        assert question.explanation_md == ""
        answer = question.reference_answer_md
        assert answer and not answer.startswith("正确答案")
        assert "<details>" not in answer and "</strong>" not in answer and "<p>" not in answer
    first = open_questions[0]
    assert first.source_key == "数据采集与清洗#q2"
    assert first.reference_answer_md.startswith("1. 去除噪声数据：")
    assert first.reference_answer_md.endswith("确保模型训练的稳定性和效果。")
    # a multi-part prompt keeps its numbered list and closing line
    multi = next(q for q in open_questions if q.source_key == "分布式数据处理框架应用#q2")
    assert "\n1. 如何利用分布式数据处理框架" in multi.prompt_md
    assert multi.prompt_md.endswith("请结合你的理解简要说明你的设计思路。")


def test_seed_long_form(seed_bank: ParsedBank) -> None:
    long_form = seed_bank.long_form
    assert [q.number for q in long_form] == list(range(1, 38))
    assert all(q.kind == "open_ended" and q.choices == () for q in long_form)
    assert long_form[0].prompt_md == "请阐述训练大型语言模型时，典型的数据预处理流程及其关键步骤。"
    assert long_form[0].line == 2402
    assert long_form[0].reference_answer_md.startswith("训练大型语言模型（LLM）的数据预处理")
    assert long_form[0].reference_answer_md.endswith("泛化能力和可靠性。")
    assert long_form[36].prompt_md.startswith("Transformer模型为何广泛采用残差")
    for question in long_form:
        assert "**" not in question.prompt_md and not question.prompt_md[0].isdigit()
        answer = question.reference_answer_md
        assert answer and not answer.startswith("**答")
        assert "<a id=" not in answer and not answer.endswith("---")
        assert question.source_key.startswith("lf:")
    # the table of contents ("### 大模型训练面试题集" + links) is not a question
    assert all("面试题集" not in q.prompt_md for q in long_form)
    keys = [q.source_key for q in all_questions(seed_bank)] + [q.source_key for q in long_form]
    assert len(keys) == len(set(keys))


def test_seed_parse_is_deterministic(seed_bytes: bytes) -> None:
    assert parse_bank(seed_bytes) == parse_bank(seed_bytes)


# --- sibling banks


@pytest.mark.parametrize(
    ("name", "title", "categories", "skills", "questions", "long_form"),
    [
        ("k8s.md", "运维-K8s", 9, 81, {"single_choice": 81, "open_ended": 81}, 207),
        ("vite.md", "前端开发-Vite", 5, 28, {"single_choice": 28, "open_ended": 28}, 51),
        ("bitcoin.md", "区块链概念-Bitcoin", 7, 36, {"single_choice": 36, "open_ended": 36}, 8),
    ],
)
def test_sibling_bank_figures(name, title, categories, skills, questions, long_form) -> None:
    bank = parse_bank(sample_path(name).read_bytes())
    assert bank.title == title
    assert len(bank.categories) == categories
    assert sum(len(c.skills) for c in bank.categories) == skills
    assert kinds(bank) == questions
    assert len(bank.long_form) == long_form
    assert bank.long_form_without_answer == 0
    assert bank.warnings == ()
    for question in all_questions(bank):
        if question.kind == "single_choice":
            assert len(question.choices) == 4
            assert sum(c.is_correct for c in question.choices) == 1
        else:
            assert question.reference_answer_md
    assert [q.number for q in bank.long_form] == list(range(1, long_form + 1))
    assert all(q.reference_answer_md for q in bank.long_form)
    keys = [q.source_key for q in all_questions(bank) + list(bank.long_form)]
    assert len(keys) == len(set(keys))


def test_k8s_instruction_line_stays_in_prompt_and_headings_stay_in_answers() -> None:
    bank = parse_bank(sample_path("k8s.md").read_bytes())
    first = all_questions(bank)[0]
    assert first.prompt_md.endswith("调度工作负载？\n\n请从中选择唯一正确的答案。")
    assert [c.text_md for c in first.choices] == [
        "kubelet",
        "kube-apiserver",
        "etcd",
        "kube-proxy",
    ]
    rollback = next(q for q in all_questions(bank) if "### 回滚操作步骤：" in q.reference_answer_md)
    assert rollback.reference_answer_md.endswith("确保下一次升级顺利。")
    assert bank.long_form[0].prompt_md == "Kubernetes中的Pod是什么"
    assert "```yaml" in bank.long_form[0].reference_answer_md


def test_bitcoin_variations() -> None:
    bank = parse_bank(sample_path("bitcoin.md").read_bytes())
    skill = bank.categories[0].skills[0]
    # "<a id='工作量证明-pow-原理'></a>", a blank line, then "#### 工作量证明（PoW）原理"
    assert (skill.name, skill.anchor, skill.difficulty) == (
        "工作量证明（PoW）原理",
        "工作量证明-pow-原理",
        2,
    )
    questions = all_questions(bank)
    # options separated by bare ">" lines
    assert [c.text_md[:3] for c in questions[0].choices] == ["PoW", "PoW", "PoW", "PoW"]
    # "正确答案: B 选项是正确答案。" and "正确答案: C。..."
    by_explanation = {q.explanation_md[:8]: q for q in questions if q.kind == "single_choice"}
    assert "选项是正确答案。" in by_explanation
    # "# 1. 获取最新区块哈希" inside a code block inside an answer
    rpc = next(q for q in questions if "# 1. 获取最新区块哈希" in q.reference_answer_md)
    assert rpc.source_key == "rpc接口调用与脚本编写#q2"
    assert bank.long_form[4].prompt_md == "简述 BRC20 的原理"  # "### 5. 简述 BRC20 的原理"


def test_vite_long_form_answer_marker() -> None:
    bank = parse_bank(sample_path("vite.md").read_bytes())
    # "对应答案段落" / "对应答案段落：" (template leftovers) are not part of the answers
    assert not any("对应答案段落" in q.reference_answer_md for q in bank.long_form)
    q39 = bank.long_form[38]
    assert q39.number == 39
    assert q39.reference_answer_md.startswith("Vite针对主流框架提供官方模板和深度集成方案。")
    assert bank.long_form[3].prompt_md == "`vite.config.js`（或`vite.config.ts`）文件的作用是什么？"


# --- the fixture with many variations together


def test_variations_fixture() -> None:
    bank = parse_bank((FIXTURES / "variations.md").read_bytes())
    assert bank.title == "变体示例"
    code_q, table_q, multi_q, _, letter_q, fenced_q = all_questions(bank)
    assert code_q.kind == "single_choice"
    assert [c.label for c in code_q.choices] == ["A", "B", "C"]
    assert code_q.choices[0].text_md == "```python\nprint(1 < 2)\n```"
    assert code_q.prompt_md.startswith("下面哪段代码会输出 `1 &lt; 2`？\n\n```python\nA. 这一行")
    assert code_q.prompt_md.endswith("```\n\n请选出唯一正确的答案。")
    assert code_q.explanation_md == "字符串原样输出 <。"
    assert "| a | 甲 |" in table_q.prompt_md
    assert table_q.reference_answer_md.startswith("## 总结\n\n### 写法 a")
    assert 'echo "&lt;ok&gt;"' in table_q.reference_answer_md
    assert table_q.reference_answer_md.endswith("适合 `&lt;复杂&gt;` 场景 & 大型项目。")
    assert multi_q.kind == "multiple_choice"
    assert [c.label for c in multi_q.choices if c.is_correct] == ["A", "C"]
    assert letter_q.explanation_md == ""
    assert fenced_q.reference_answer_md == "```yaml\nname: demo\n```"
    skill = bank.categories[1].skills[0]
    assert (skill.name, skill.anchor, skill.difficulty) == (
        "配置（YAML/JSON）",
        "配置-yaml-json",
        7,
    )
    assert [(q.number, q.prompt_md) for q in bank.long_form] == [
        (1, "第一题"),
        (2, "第二题"),
        (2, "第二题"),
        (72, "第三题"),
    ]
    assert (
        bank.long_form[0].reference_answer_md == "第一题的答案。\n\n## 小结\n\n仍属于第一题的答案。"
    )
    assert bank.long_form[1].reference_answer_md == "```markdown\n### 代码块里的标题\n```"
    assert bank.long_form[2].source_key == bank.long_form[1].source_key + ":2"
    assert bank.long_form_without_answer == 1
    assert [line for line, _ in bank.warnings] == [133, 189]


# --- prompt and option variations


@pytest.mark.parametrize("separator", [">", "> "])
def test_options_separated_by_blank_quote_lines(separator: str) -> None:
    body = "\n".join(
        ["> 选哪个？", separator, "> A. 一", separator, "> B. 二", separator, "> C. 三"]
    )
    question = only_question(bank_text(choice_question(body, "C. 三")))
    assert question.prompt_md == "选哪个？"
    assert [(c.label, c.text_md, c.is_correct) for c in question.choices] == [
        ("A", "一", False),
        ("B", "二", False),
        ("C", "三", True),
    ]


def test_instruction_lines_after_options_stay_in_prompt() -> None:
    body = "> 选哪个？\n> \n> A. 一\n> B. 二\n> \n> 请从中选择唯一正确的答案。\n> 注意审题。"
    question = only_question(bank_text(choice_question(body, "A")))
    assert question.prompt_md == "选哪个？\n\n请从中选择唯一正确的答案。\n注意审题。"
    assert [c.text_md for c in question.choices] == ["一", "二"]


def test_option_whose_body_is_a_code_block() -> None:
    body = (
        "> 哪段代码正确？\n>\n> A.\n> ```js\n> let a = 1\n> ```\n>\n"
        "> B. 以下代码：\n>\n> ```js\n> const b = 2\n>\n> // B. 不是选项\n> ```\n>\n> 请选择。"
    )
    question = only_question(bank_text(choice_question(body, "B")))
    assert [c.text_md for c in question.choices] == [
        "```js\nlet a = 1\n```",
        "以下代码：\n\n```js\nconst b = 2\n\n// B. 不是选项\n```",
    ]
    assert question.prompt_md == "哪段代码正确？\n\n请选择。"


def test_code_blocks_and_tables_inside_questions() -> None:
    body = (
        "> 阅读代码和表格：\n>\n> ```text\n> A. 代码中的一行\n> B. 又一行\n> ```\n>\n"
        "> | 列 | 值 |\n> | --- | --- |\n> | x | 1 |\n>\n> A. 是\n> B. 否"
    )
    question = only_question(bank_text(choice_question(body, "A")))
    assert question.prompt_md == (
        "阅读代码和表格：\n\n```text\nA. 代码中的一行\nB. 又一行\n```\n\n"
        "| 列 | 值 |\n| --- | --- |\n| x | 1 |"
    )
    assert [c.text_md for c in question.choices] == ["是", "否"]


def test_open_question_with_code_keeps_indentation() -> None:
    body = "> 解释这段 YAML：\n>\n> ```yaml\n> spec:\n>   replicas: 3\n> ```"
    question = only_question(bank_text(choice_question(body, "副本数为 3。")))
    assert question.kind == "open_ended"
    assert question.prompt_md == "解释这段 YAML：\n\n```yaml\nspec:\n  replicas: 3\n```"


@pytest.mark.parametrize(
    "details",
    [
        "<details>\n  <summary>点击查看答案</summary>\n"
        "  <p><strong>正确答案: B. 解释。</strong></p>\n</details>",
        "<details>\n<summary>点击查看答案</summary>\n"
        "<p><strong>\n\n正确答案: B. 解释。</strong></p>\n</details>",
        "<details><summary>点击查看答案</summary>"
        "<p><strong>正确答案：B. 解释。</strong></p></details>",
        "<details>\n  <summary>点击查看答案</summary>\n"
        "  <p><strong>\n\n**正确答案:** B. 解释。\n</strong></p>\n</details>",
    ],
)
def test_answer_position_variants(details: str) -> None:
    text = bank_text(f"**问题 1:**\n\n> 选？\n>\n> A. 一\n> B. 二\n\n{details}\n")
    question = only_question(text)
    assert [c.is_correct for c in question.choices] == [False, True]
    assert question.explanation_md == "解释。"


def test_answer_that_is_only_a_letter() -> None:
    question = only_question(bank_text())
    assert question.explanation_md == "乙。因为乙正确。"
    text = bank_text().replace("正确答案: B. 乙。因为乙正确。</strong>", "正确答案: B</strong>")
    question = only_question(text)
    assert question.kind == "single_choice"
    assert question.explanation_md == ""
    assert [c.label for c in question.choices if c.is_correct] == ["B"]


@pytest.mark.parametrize(
    ("answer", "correct", "explanation"),
    [
        ("AB", ["A", "B"], ""),
        ("A和C", ["A", "C"], ""),
        ("A、C。都对。", ["A", "C"], "都对。"),
        ("A,C", ["A", "C"], ""),
        ("A, C, D. 三项都对", ["A", "C", "D"], "三项都对"),
        ("**B**。加粗的答案", ["B"], "加粗的答案"),
        ("B 选项是正确答案。", ["B"], "选项是正确答案。"),
        ("C。解释", ["C"], "解释"),
    ],
)
def test_answer_letter_forms(answer: str, correct: list[str], explanation: str) -> None:
    question = only_question(bank_text(CHOICE_Q1.replace("B. 乙。因为乙正确。", answer)))
    assert [c.label for c in question.choices if c.is_correct] == correct
    assert question.kind == ("multiple_choice" if len(correct) > 1 else "single_choice")
    assert question.explanation_md == explanation


def test_pathological_answer_key_is_rejected_quickly() -> None:
    answer = " ".join("BCDEFGHIJKLMNOPQRSTUVWXYZ" * 2) + "x"
    text = bank_text(CHOICE_Q1.replace("B. 乙。因为乙正确。", answer))
    ((line, message),) = issues_of(text)
    assert line == line_of(text, "<details>")
    assert message.endswith("which are not options (options: A, B, C, D)")


def test_headings_inside_details_do_not_end_the_section() -> None:
    answer = "## 小结\n\n### 步骤\n\n# 一级标题也属于答案\n\n```bash\n## comment\n```\n\n结束。"
    text = bank_text(CHOICE_Q1 + "\n" + OPEN_Q2.replace("因为如此。", answer))
    bank = parse_text(text)
    assert all_questions(bank)[1].reference_answer_md == answer
    assert len(bank.categories) == 1 and bank.warnings == ()


def test_headings_inside_long_form_answers() -> None:
    long_form = (
        "### 1. 第一题\n\n答案开始。\n\n## 小节\n\n#### 细节\n\n```md\n### 不是题目\n```\n\n"
        "---\n\n<a id='2-第二题'></a>\n### 2. 第二题\n\n第二个答案。\n"
    )
    bank = parse_text(bank_text(long_form=long_form))
    assert [q.prompt_md for q in bank.long_form] == ["第一题", "第二题"]
    assert bank.long_form[0].reference_answer_md == (
        "答案开始。\n\n## 小节\n\n#### 细节\n\n```md\n### 不是题目\n```"
    )


def test_html_entities_are_decoded_outside_code() -> None:
    answer = (
        "用 &lt;T&gt; 表示泛型 &amp; 更多，`&lt;code&gt;` 保持原样，&copy 无分号不解码。"
        "\n\n```\n&lt;pre&gt;\n```"
    )
    text = bank_text(
        CHOICE_Q1.replace("以下哪一项正确？", "以下 &quot;哪一项&quot; 正确？").replace(
            "因为乙正确。", "因为 a &lt; b。"
        )
        + "\n"
        + OPEN_Q2.replace("因为如此。", answer)
    )
    choice, open_question = all_questions(parse_text(text))
    assert choice.prompt_md == '以下 "哪一项" 正确？'
    assert choice.explanation_md == "乙。因为 a < b。"
    assert open_question.reference_answer_md == (
        "用 <T> 表示泛型 & 更多，`&lt;code&gt;` 保持原样，&copy 无分号不解码。"
        "\n\n```\n&lt;pre&gt;\n```"
    )


@pytest.mark.parametrize(
    "anchor_line",
    ["<a id='测试技能'></a>\n", '<a id="测试技能"></a>', "<a name='测试技能'></a>\n\n"],
)
def test_anchor_forms_and_blank_line_before_heading(anchor_line: str) -> None:
    skill = parse_text(bank_text(anchor_line=anchor_line)).categories[0].skills[0]
    assert (skill.name, skill.anchor, skill.difficulty) == ("测试技能", "测试技能", 3)
    assert skill.questions[0].source_key == "测试技能#q1"


def test_missing_anchor_uses_a_slug_of_the_heading() -> None:
    text = bank_text(anchor_line="").replace("测试技能", "GPU/TPU 架构（基础）")
    skill = parse_text(text).categories[0].skills[0]
    assert skill.anchor == slugify_heading("GPU/TPU 架构（基础）") == "gputpu-架构基础"
    assert skill.questions[1].source_key == "gputpu-架构基础#q2"


def test_heading_text_ending_in_hash() -> None:
    text = bank_text(anchor_line="", long_form="### 12. 如何学习 C#\n\n多写代码。\n").replace(
        "测试技能", "C#"
    )
    bank = parse_text(text)
    skill = bank.categories[0].skills[0]
    assert (skill.name, skill.anchor) == ("C#", "c")
    assert bank.long_form[0].prompt_md == "如何学习 C#"


def test_bank_without_long_form_section() -> None:
    bank = parse_text(bank_text())
    assert bank.long_form == () and bank.long_form_without_answer == 0
    assert kinds(bank) == {"single_choice": 1, "open_ended": 1}


def test_difficulty_from_overview_when_detail_line_missing() -> None:
    text = bank_text(difficulty_line="")
    bank = parse_text(text)
    assert bank.categories[0].skills[0].difficulty == 3
    assert bank.warnings == (
        (
            line_of(text, "#### 测试技能"),
            'skill "测试技能" has no difficulty line ("**技能难度评分:** N/10"); using 3 from the '
            f"overview table (line {line_of(text, '| 测试技能 |')})",
        ),
    )


def test_difficulty_only_in_details() -> None:
    bank = parse_text(bank_text(overview_difficulty="", difficulty_line="**技能难度评分:** 8/10"))
    assert bank.categories[0].skills[0].difficulty == 8
    assert bank.warnings == ()


# --- long-form headings


@pytest.mark.parametrize(
    ("heading", "number"),
    [
        ("### 1.什么是缓存？", 1),
        ("### 1. 什么是缓存？", 1),
        ("### 1\\. 什么是缓存？", 1),
        ("### **1.什么是缓存？**", 1),
        ("### **1. 什么是缓存？**", 1),
        ("### 72:什么是缓存？", 72),
        ("### 72：什么是缓存？", 72),
        ("### 3、什么是缓存？", 3),
        ("### 什么是缓存？", None),
    ],
)
@pytest.mark.parametrize("marker", ["", "**答：**\n", "**答:**\n"])
def test_long_form_heading_forms(heading: str, number: int | None, marker: str) -> None:
    long_form = f"<a id='x'></a>\n{heading}\n\n{marker}缓存是**临时**存储。\n\n- 要点\n\n---\n"
    bank = parse_text(bank_text(long_form=long_form))
    (question,) = bank.long_form
    assert question.prompt_md == "什么是缓存？"
    assert question.number == number
    assert question.kind == "open_ended"
    assert question.reference_answer_md == "缓存是**临时**存储。\n\n- 要点"
    assert (
        question.source_key
        == "lf:" + __import__("hashlib").sha1("什么是缓存?".encode()).hexdigest()[:16]
    )
    assert question.line == line_of(bank_text(long_form=long_form), heading)


def test_long_form_key_survives_renumbering_and_reformatting() -> None:
    first = parse_text(bank_text(long_form="### 3. What is a Pod？\n\nA.\n")).long_form[0]
    second = parse_text(bank_text(long_form="### **17.what is a  pod?**\n\nB.\n")).long_form[0]
    assert first.source_key == second.source_key
    assert normalise_heading("What is a Pod？") == normalise_heading("**what is a  pod?**")


def test_long_form_duplicate_numbers_and_headings() -> None:
    long_form = (
        "### 1. 甲？\n\n答甲。\n\n### 1. 乙？\n\n答乙。\n\n"
        "### 2. 甲？\n\n答甲二。\n\n### 3. 甲？\n\n答甲三。\n"
    )
    text = bank_text(long_form=long_form)
    bank = parse_text(text)
    assert [(q.number, q.prompt_md) for q in bank.long_form] == [
        (1, "甲？"),
        (1, "乙？"),
        (2, "甲？"),
        (3, "甲？"),
    ]
    keys = [q.source_key for q in bank.long_form]
    assert keys[2] == keys[0] + ":2" and keys[3] == keys[0] + ":3" and keys[1] != keys[0]
    assert [line for line, _ in bank.warnings] == [
        line_of(text, "### 2. 甲？"),
        line_of(text, "### 3. 甲？"),
    ]


def test_long_form_question_without_answer() -> None:
    long_form = (
        "### 1. 请做自我介绍。\n\n---\n\n<a id='2'></a>\n### 2. 你为什么离职？\n\n"
        "### 3. 你的优点？\n\n**答：**\n\n### 4. 有答案\n\n答案。\n"
    )
    bank = parse_text(bank_text(long_form=long_form))
    assert [q.reference_answer_md for q in bank.long_form] == ["", "", "", "答案。"]
    assert bank.long_form_without_answer == 3


def test_long_form_table_of_contents_is_not_a_question() -> None:
    long_form = (
        "- [1. 甲](#1-甲)\n  - [2. 乙](#2-乙)\n\n"
        "<a id='目录'></a>\n### 目录\n\n- [1. 甲](#1-甲)\n- [2. 乙](#2-乙)\n\n"
        "### 1. 甲\n\n答甲。\n"
    )
    bank = parse_text(bank_text(long_form=long_form))
    assert [q.prompt_md for q in bank.long_form] == ["甲"]
    assert bank.warnings == ()


def test_long_form_text_before_answer_marker_extends_the_prompt() -> None:
    long_form = "### 1. 设计题\n\n请设计一个限流器，说明取舍。\n\n**答：** 用令牌桶。\n\n细节。\n"
    (question,) = parse_text(bank_text(long_form=long_form)).long_form
    assert question.prompt_md == "设计题\n\n请设计一个限流器，说明取舍。"
    assert question.reference_answer_md == "用令牌桶。\n\n细节。"


def test_answer_marker_later_in_an_answer_is_content() -> None:
    long_form = "### 1. 问\n\n第一段。\n\n第二段。\n\n**答：** 对话中的回答。\n"
    (question,) = parse_text(bank_text(long_form=long_form)).long_form
    assert question.prompt_md == "问"
    assert question.reference_answer_md == "第一段。\n\n第二段。\n\n**答：** 对话中的回答。"


def test_crlf_line_endings_and_bom() -> None:
    data = b"\xef\xbb\xbf" + bank_text(long_form="### 1. x\n\ny\n").replace("\n", "\r\n").encode()
    bank = parse_bank(data)
    assert kinds(bank) == {"single_choice": 1, "open_ended": 1}
    assert bank.long_form[0].reference_answer_md == "y"


# --- fatal errors


def test_skill_without_difficulty_anywhere() -> None:
    text = bank_text(difficulty_line="", overview_difficulty="")
    assert issues_of(text) == [
        (
            line_of(text, "#### 测试技能"),
            'skill "测试技能" has no difficulty (expected "**技能难度评分:** N/10")',
        )
    ]


def test_difficulties_that_disagree() -> None:
    text = bank_text(difficulty_line="**技能难度评分:** 4/10")
    ((line, message),) = issues_of(text)
    assert line == line_of(text, "**技能难度评分:**")
    assert message == (
        'skill "测试技能": difficulty 4 here disagrees with 3 in the overview table '
        f"(line {line_of(text, '| 测试技能 |')})"
    )


@pytest.mark.parametrize("value", ["0/10", "11/10", "高/10"])
def test_difficulty_out_of_range(value: str) -> None:
    text = bank_text(difficulty_line=f"**技能难度评分:** {value}", overview_difficulty="")
    ((line, message),) = issues_of(text)
    assert line == line_of(text, "**技能难度评分:**")
    assert "difficulty" in message and "1 to 10" in message


def test_answer_key_letter_is_not_an_option() -> None:
    text = bank_text(CHOICE_Q1.replace("B. 乙。因为乙正确。", "E. 不存在"))
    assert issues_of(text) == [
        (
            line_of(text, "<details>"),
            'question 1 of skill "测试技能": answer key names E, which is not an option '
            "(options: A, B, C, D)",
        )
    ]


@pytest.mark.parametrize("answer", ["", "见解析。"])
def test_choice_question_without_answer(answer: str) -> None:
    text = bank_text(CHOICE_Q1.replace("正确答案: B. 乙。因为乙正确。", answer))
    ((line, message),) = issues_of(text)
    assert line == line_of(text, "<details>")
    assert message.startswith('question 1 of skill "测试技能": ')
    assert "choice question" in message


def test_choice_question_without_details_block() -> None:
    text = bank_text(CHOICE_Q1.split("<details>")[0] + OPEN_Q2)
    assert issues_of(text) == [
        (
            line_of(text, "**问题 1:**"),
            'question 1 of skill "测试技能": choice question without an answer (no <details> '
            'block with "正确答案: ..." follows it); is the file cut off?',
        )
    ]


def test_unclosed_details_before_the_next_question() -> None:
    text = bank_text(CHOICE_Q1.replace("</details>", "") + "\n" + OPEN_Q2)
    assert issues_of(text) == [
        (
            line_of(text, "<details>"),
            f"<details> is never closed: expected </details> before line "
            f"{line_of(text, '**问题 2:**')}",
        )
    ]


def test_unclosed_details_at_end_of_file() -> None:
    text = bank_text().rsplit("</details>", 1)[0]
    issues = issues_of(text)
    assert issues == [
        (
            line_of(text, "<details>", 2),
            "<details> is never closed: the file ends before </details>; is the file cut off?",
        )
    ]


def test_file_cut_off_inside_a_question() -> None:
    text = bank_text().split("**问题 2:**")[0] + "**问题 2:**\n\n> 请简述"
    assert issues_of(text) == [
        (
            line_of(text, "**问题 2:**"),
            'question 2 of skill "测试技能": question without an answer (no <details> block '
            'with "正确答案: ..." follows it); is the file cut off?',
        )
    ]


def test_a_cut_off_file_reports_the_cut_not_its_consequences() -> None:
    """Skills listed in the overview that the cut removed are not each reported: the cause is."""
    overview = "| 测试技能 | 3 | [直达题目](#测试技能) |"
    more = "\n".join(f"| 后续技能{i} | 4 | [直达题目](#后续技能{i}) |" for i in range(30))
    text = bank_text().replace(overview, overview + "\n" + more).rsplit("</details>", 1)[0]
    assert issues_of(text) == [
        (
            line_of(text, "<details>", 2),
            "<details> is never closed: the file ends before </details>; is the file cut off?",
        )
    ]


def test_skill_with_no_questions() -> None:
    text = bank_text(questions="")
    assert issues_of(text) == [
        (
            line_of(text, "#### 测试技能"),
            'skill "测试技能" has no questions ("**问题 1:**" ...); is the file cut off?',
        )
    ]


def test_skill_in_overview_but_not_in_details() -> None:
    text = bank_text().replace(
        "| 测试技能 | 3 |", "| 缺失技能 | 4 | [直达题目](#缺失技能) |\n| 测试技能 | 3 |"
    )
    assert issues_of(text) == [
        (
            line_of(text, "| 缺失技能 |"),
            'skill "缺失技能" is listed in "## 技能概览" but has no section '
            '(<a id=\'缺失技能\'></a> + "#### 缺失技能") in "## 详细题目列表"',
        )
    ]


def test_skill_in_details_but_not_in_overview() -> None:
    extra = "<a id='额外技能'></a>\n#### 额外技能\n\n**技能难度评分:** 5/10\n\n" + OPEN_Q2
    text = bank_text(CHOICE_Q1 + "\n" + OPEN_Q2 + "\n" + extra)
    assert issues_of(text) == [
        (
            line_of(text, "#### 额外技能"),
            'skill "额外技能" is in "## 详细题目列表" but not in the "## 技能概览" table',
        )
    ]


def test_several_problems_are_reported_together() -> None:
    text = bank_text(
        CHOICE_Q1.replace("B. 乙。因为乙正确。", "F") + "\n" + OPEN_Q2,
        difficulty_line="**技能难度评分:** 9/10",
    )
    with pytest.raises(BankFormatError) as info:
        parse_text(text)
    issues = info.value.issues
    assert [line for line, _ in issues] == [
        line_of(text, "**技能难度评分:**"),
        line_of(text, "<details>"),
    ]
    assert str(info.value) == "\n".join(f"{line}: {message}" for line, message in issues)


def test_not_utf8_reports_the_line_of_the_first_bad_byte() -> None:
    data = bank_text().encode("utf-8").replace("因为如此".encode(), "因为如此".encode("gbk"))
    ((line, message),) = issues_of(data)
    assert line == line_of(bank_text(), "因为如此")
    assert message.startswith("not valid UTF-8: byte 0x")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_file_is_named_as_such(encoding: str) -> None:
    data = bank_text().encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert issues_of(data) == [(1, "the file is UTF-16 text: save it as UTF-8")]


def test_trailing_whitespace_does_not_change_the_content(seed_bytes: bytes) -> None:
    """Editors add and strip trailing blanks at will: the parsed bank stays the same."""
    padded = b"\n".join(line + b" \t " for line in seed_bytes.split(b"\n"))
    assert parse_bank(padded) == parse_bank(seed_bytes)


def test_binary_file() -> None:
    ((line, message),) = issues_of(b"# \xe9\x9d\xa2\n\x89PNG\x00\x00")
    assert line == 2
    assert message.startswith("binary file")


@pytest.mark.parametrize(
    "text",
    [
        "# README\n\nSome project.\n",
        "hello world\n",
        "## 技能概览\n\n# 面试题集: 太晚\n",
        "# 面试题集: 没有章节\n\n## 其他\n\n内容\n",
    ],
)
def test_not_this_format(text: str) -> None:
    ((line, message),) = issues_of(text)
    assert line == 1
    assert message.startswith("not a question bank")


def test_title_without_name() -> None:
    assert issues_of("# 面试题集:   \n\n## 详细题目列表\n") == [
        (1, 'the title "# 面试题集:" has no name after the colon')
    ]


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
def test_empty_file(data: bytes) -> None:
    assert issues_of(data) == [(1, "file is empty")]


def test_max_bytes() -> None:
    data = bank_text().encode("utf-8")
    assert parse_bank(data, max_bytes=len(data)).title == "测试"
    assert issues_of(data, max_bytes=100) == [
        (1, f"file is {len(data)} bytes, larger than the limit of 100 bytes")
    ]


def test_answer_block_without_question_marker() -> None:
    text = bank_text(CHOICE_Q1.replace("**问题 1:**", "**题目一**") + "\n" + OPEN_Q2)
    assert issues_of(text) == [
        (
            line_of(text, "<details>"),
            'answer block (<details>) does not follow a question ("**问题 N:**" line missing?)',
        )
    ]


# --- generated banks


def render_bank(
    spec: list[tuple[str, list[tuple[str, int, list[tuple[str, str, list[str], str]]]]]],
    long_form: list[tuple[str, str]] = (),
) -> str:
    """spec: [(category, [(skill, difficulty, [(prompt, letters or "", options, text)])])]."""
    out = ["# 面试题集: 生成", "", "## 技能概览", ""]
    for category, skills in spec:
        out += [f"### {category}", "", "| 能力点 | 技能难度| 快速跳转 |", "| :--- |:---: | :---: |"]
        out += [
            f"| {name} | {diff} | [直达题目](#{slugify_heading(name)}) |"
            for name, diff, _ in skills
        ]
        out.append("")
    out += ["---", "", "## 详细题目列表", ""]
    for category, skills in spec:
        out += [f"### {category}", ""]
        for name, diff, questions in skills:
            out += [f"<a id='{slugify_heading(name)}'></a>", f"#### {name}", ""]
            out += [f"**技能难度评分:** {diff}/10", ""]
            for number, (prompt, letters, options, text) in enumerate(questions, start=1):
                out += [f"**问题 {number}:**", "", f"> {prompt}"]
                if options:
                    out.append(">")
                    out += [f"> {chr(65 + i)}. {option}" for i, option in enumerate(options)]
                answer = f"{letters}. {text}" if options else text
                out += ["", "<details>", "  <summary>点击查看答案</summary>", "  <p><strong>", ""]
                out += [f"正确答案: {answer}</strong></p>", "</details>", ""]
            out += ["---", ""]
    if long_form:
        out += ["## 旧的问题列表", ""]
        for number, (heading, answer) in enumerate(long_form, start=1):
            out += [f"### **{number}.{heading}**", "", "**答：**", answer, "", "---", ""]
    return "\n".join(out)


def generated_spec(n_skills: int, per_skill: int):
    spec = []
    for c in range(max(1, n_skills // 10)):
        skills = []
        for s in range(10):
            questions = []
            for q in range(per_skill):
                if q % 2 == 0:
                    letters = "B" if q % 4 == 0 else "AC"
                    questions.append(
                        (f"第{c}-{s}-{q}题？", letters, ["甲", "乙", "丙", "丁"], "说明")
                    )
                else:
                    questions.append((f"请简述{c}-{s}-{q}。", "", [], f"参考答案 {q}"))
            skills.append((f"技能 {c}-{s}", 1 + (s % 10), questions))
        spec.append((f"类别 {c}", skills))
    return spec


def test_generated_bank_of_2000_questions() -> None:
    spec = generated_spec(n_skills=200, per_skill=10)
    long_form = [(f"长题 {i}？", f"答案 {i}。") for i in range(100)]
    bank = parse_bank(render_bank(spec, long_form).encode("utf-8"))
    assert len(bank.categories) == 20
    assert sum(len(c.skills) for c in bank.categories) == 200
    assert kinds(bank) == {"single_choice": 600, "multiple_choice": 400, "open_ended": 1000}
    assert len(bank.long_form) == 100 and bank.long_form[99].reference_answer_md == "答案 99。"
    assert bank.warnings == ()
    keys = [q.source_key for q in all_questions(bank)] + [q.source_key for q in bank.long_form]
    assert len(set(keys)) == 2100


SAFE_TEXT = (
    st.text(
        alphabet=st.sampled_from(list("数据模型训练优化集群网络安全abcxyz0123 ，。？")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(lambda s: s and s[0] not in "0123，。？" and s[-1] not in "，。？")
)


@settings(max_examples=examples(40), deadline=None, database=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 10),
            st.lists(
                st.tuples(
                    SAFE_TEXT,
                    st.sets(st.sampled_from("ABCD"), max_size=4),
                    SAFE_TEXT,
                ),
                min_size=1,
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_generated_banks_round_trip(skills) -> None:
    spec_skills = []
    for index, (difficulty, questions) in enumerate(skills):
        rendered = []
        for prompt, letters, text in questions:
            if letters:
                rendered.append((prompt, "".join(sorted(letters)), ["一", "二", "三", "四"], text))
            else:
                rendered.append((prompt, "", [], text))
        spec_skills.append((f"技能{index}", difficulty, rendered))
    bank = parse_bank(render_bank([("类别", spec_skills)]).encode("utf-8"))
    parsed_skills = bank.categories[0].skills
    assert [s.difficulty for s in parsed_skills] == [d for d, _ in skills]
    for parsed, (_, questions) in zip(parsed_skills, skills, strict=True):
        for question, (prompt, letters, text) in zip(parsed.questions, questions, strict=True):
            assert question.prompt_md == prompt
            if letters:
                assert {c.label for c in question.choices if c.is_correct} == letters
                assert question.explanation_md == text
            else:
                assert question.kind == "open_ended" and question.reference_answer_md == text


@settings(
    max_examples=examples(150),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_input_only_raises_bank_format_error(data: bytes) -> None:
    try:
        parse_bank(data)
    except BankFormatError as error:
        assert error.issues and all(isinstance(line, int) and line >= 1 for line, _ in error.issues)


LINES = [
    "# 面试题集: x",
    "## 技能概览",
    "## 详细题目列表",
    "## 旧的问题列表",
    "### 类别",
    "#### 技能",
    "<a id='技能'></a>",
    "| 技能 | 3 | [直达题目](#技能) |",
    "**技能难度评分:** 3/10",
    "**问题 1:**",
    "> 选？",
    "> A. 一",
    "> B. 二",
    "<details>",
    "<p><strong>",
    "正确答案: A",
    "</strong></p>",
    "</details>",
    "```",
    "",
    "---",
    "### 1. 长题",
    "**答：**",
]


@settings(max_examples=examples(200), deadline=None, database=None)
@given(st.lists(st.sampled_from(LINES), max_size=40))
def test_shuffled_structure_only_raises_bank_format_error(lines: list[str]) -> None:
    data = "\n".join(["# 面试题集: x", *lines]).encode("utf-8")
    try:
        bank = parse_bank(data)
    except BankFormatError as error:
        assert error.issues
    else:
        for question in all_questions(bank):
            assert question.kind in {"single_choice", "multiple_choice", "open_ended"}
