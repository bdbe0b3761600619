"""import_bank writes a bank faithfully, atomically and idempotently, or refuses it whole."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from questions.bankformat import parse_bank
from questions.importer import BankImportError, bank_import, bank_import_path
from questions.models import Category, Choice, Question, QuestionBank, QuestionRevision, Skill
from questions.services import question_update
from tests.questions.samples import sample_path

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = ROOT / "data" / "banks" / "ai-llm-training.md"
pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        QuestionBank.objects.count(),
        Category.objects.count(),
        Skill.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
        QuestionRevision.objects.count(),
    )


def run_import(path: Path, *args) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_bank", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_builtin_bank_comes_out_exactly():
    out, _ = run_import(BUILTIN)
    assert "created 129, updated 0, unchanged 0, deactivated 0" in out
    bank = QuestionBank.objects.get()
    assert bank.title == "AI-大模型训练"
    assert bank.categories.count() == 7
    skills = Skill.objects.filter(category__bank=bank)
    assert skills.count() == 46
    # Difficulties as the file gives them, e.g. the overview table's first and last rows.
    assert skills.get(name="数据采集与清洗").difficulty == 2
    assert skills.get(name="企业级安全治理体系构建").difficulty == 10
    text = BUILTIN.read_text()
    file_difficulties = [int(d) for d in re.findall(r"\*\*技能难度评分:\*\* (\d+)/10", text)]
    assert sorted(skills.values_list("difficulty", flat=True)) == sorted(file_difficulties)

    single = Question.objects.filter(kind="single_choice")
    assert single.count() == 46
    for question in single.prefetch_related("choices"):
        choices = list(question.choices.all())
        assert len(choices) == 4
        assert sum(c.is_correct for c in choices) == 1
        assert question.difficulty == question.skill.difficulty
        assert not question.explanation_md.startswith(("正确答案", "B.", "A."))
    first = single.get(skill__name="数据采集与清洗")
    assert [c.label for c in first.choices.all() if c.is_correct] == ["B"]
    assert first.explanation_md.startswith("删除或修正缺失值和异常值")
    open_skill = Question.objects.filter(kind="open_ended", skill__isnull=False)
    assert open_skill.count() == 46
    for question in open_skill:
        assert question.reference_answer_md.strip()
        assert "正确答案" not in question.reference_answer_md[:10]
        assert "<details>" not in question.reference_answer_md
        assert "</strong>" not in question.reference_answer_md
    long_form = Question.objects.filter(skill__isnull=True)
    assert long_form.count() == 37
    assert set(long_form.values_list("kind", flat=True)) == {"open_ended"}
    assert set(long_form.values_list("difficulty", flat=True)) == {None}
    first_long = long_form.order_by("position").first()
    assert first_long.prompt_md == "请阐述训练大型语言模型时，典型的数据预处理流程及其关键步骤。"
    assert not first_long.reference_answer_md.startswith("**答：**")
    assert first_long.reference_answer_md.strip()
    assert Question.objects.filter(prompt_md__contains="目录").count() == 0


def test_reimport_changes_nothing_and_says_so():
    run_import(BUILTIN)
    before = counts()
    versions = list(Question.objects.values_list("id", "version", "updated_at"))
    out, _ = run_import(BUILTIN)
    assert "created 0, updated 0, unchanged 129, deactivated 0 (nothing changed)" in out
    assert counts() == before
    assert list(Question.objects.values_list("id", "version", "updated_at")) == versions


def test_edited_file_updates_in_place_deactivates_and_reactivates(tmp_path):
    run_import(BUILTIN)
    text = BUILTIN.read_text()
    target = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    ids = set(Question.objects.values_list("id", flat=True))
    edited = text.replace(
        "以下哪一项是数据清洗的常见步骤？", "以下哪一项是数据清洗最常见的步骤？", 1
    )
    # Drop the last long-form question (37, on residual connections): from its heading to the end.
    edited = edited[: edited.rindex("\n### ")]
    path = tmp_path / "edited.md"
    path.write_text(edited)
    out, _ = run_import(path)
    assert "created 0, updated 1, unchanged 127, deactivated 1" in out
    target.refresh_from_db()
    assert target.version == 2 and "最常见的步骤" in target.prompt_md
    assert set(Question.objects.values_list("id", flat=True)) == ids  # no duplicates
    (gone,) = Question.objects.filter(is_active=False)
    assert gone.skill is None
    assert gone.prompt_md.startswith("Transformer模型为何广泛采用残差（跳跃）连接")
    # History holds the superseded version 1, with its choices.
    old = target.revisions.get()
    assert old.version == 1 and "最常见的步骤" not in old.snapshot["prompt_md"]
    assert [c["label"] for c in old.snapshot["choices"] if c["is_correct"]] == ["B"]
    out, _ = run_import(BUILTIN)
    assert "updated 1" in out and "reactivated 1" in out
    assert Question.objects.filter(is_active=False).count() == 0


def test_app_edit_is_never_overwritten_by_reimport(tmp_path, interviewer):
    run_import(BUILTIN)
    question = Question.objects.get(skill__name="数据采集与清洗", kind="open_ended")
    question_update(
        question=question,
        actor=interviewer,
        prompt_md="（面试官改写）" + question.prompt_md,
        explanation_md="",
        reference_answer_md=question.reference_answer_md,
        difficulty=question.difficulty,
    )
    out, _ = run_import(BUILTIN)  # the file did not change: no conflict
    assert "conflicts" not in out
    path = tmp_path / "changed.md"
    path.write_text(
        BUILTIN.read_text().replace(
            "请描述你会采用哪些数据清洗步骤来确保数据质量", "请描述你会采用的数据清洗步骤", 1
        )
    )
    out, err = run_import(path)
    assert "conflicts 1" in out
    assert "edited in the app" in err and "kept the app's version" in err
    question.refresh_from_db()
    assert question.prompt_md.startswith("（面试官改写）") and question.version == 2


def test_questions_written_in_the_app_survive_a_reimport(interviewer):
    """No bank file speaks for a question created in the app: a re-import leaves it active."""
    from questions.services import question_create

    bank = bank_import_path(path=BUILTIN).bank
    mine = question_create(
        bank=bank, actor=interviewer, kind="open_ended", prompt_md="面试官新写的题", difficulty=5
    )
    result = bank_import_path(path=BUILTIN)
    assert (result.deactivated, result.changed) == (0, False)
    mine.refresh_from_db()
    assert mine.is_active


def test_a_skill_that_left_the_file_leaves_the_tree_and_the_counts(tmp_path):
    from questions.selectors import bank_list, bank_tree

    bank = bank_import_path(path=BUILTIN).bank
    text = BUILTIN.read_text()
    # Remove skill 数据采集与清洗: its overview row and its section (anchor to the next anchor).
    start = text.index("<a id='数据采集与清洗'></a>")
    end = text.index("<a id=", start + 1)
    row = next(line for line in text.split("\n") if line.startswith("| 数据采集与清洗 |"))
    path = tmp_path / "fewer.md"
    path.write_text((text[:start] + text[end:]).replace(row + "\n", ""))
    assert bank_import_path(path=path).deactivated == 2
    names = [skill.name for category in bank_tree(bank=bank) for skill in category.skills.all()]
    assert "数据采集与清洗" not in names and len(names) == 45
    assert bank_list().get(pk=bank.pk).skill_count == 45
    bank_import_path(path=BUILTIN)  # back again
    assert bank_list().get(pk=bank.pk).skill_count == 46


def test_dry_run_writes_nothing():
    out, _ = run_import(BUILTIN, "--dry-run")
    assert out.startswith("[dry run]") and "created 129" in out
    assert counts() == (0, 0, 0, 0, 0, 0)


def _broken(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, old
    return text.replace(old, new, count)


def _line_of(needle: str, text: str) -> int:
    """The 1-based line of the first `needle`, counted in the file itself."""
    return text.count("\n", 0, text.index(needle)) + 1


BASE = BUILTIN.read_text() if BUILTIN.exists() else ""
FIRST_ANSWER = "正确答案: B. 删除或修正缺失值和异常值。"
FIRST_SKILL = "数据采集与清洗"
SECOND_PROMPT = "请描述你会采用哪些数据清洗步骤来确保数据质量"
THIRD = len(BASE) // 3


def _details_before(needle: str, text: str) -> int:
    """Line of the <details> that opens the answer holding `needle`."""
    return text.count("\n", 0, text.rindex("<details>", 0, text.index(needle))) + 1


# Each bad file, and the error a person must read for it ("LINE: message"), with the line
# counted in the bad file itself.
BAD_FILES = {
    "skill without difficulty": (
        lambda: _broken(
            _broken(BASE, "**技能难度评分:** 2/10\n", ""),
            "| 数据采集与清洗 | 2 |",
            "| 数据采集与清洗 |  |",
        ),
        lambda text: (
            f'{_line_of(f"#### {FIRST_SKILL}", text)}: skill "{FIRST_SKILL}" has no '
            'difficulty (expected "**技能难度评分:** N/10")'
        ),
    ),
    "overview and detail disagree": (
        lambda: _broken(BASE, "| 数据采集与清洗 | 2 |", "| 数据采集与清洗 | 5 |"),
        lambda text: (
            f'{_line_of("**技能难度评分:** 2/10", text)}: skill "{FIRST_SKILL}": '
            "difficulty 2 here disagrees with 5 in the overview table "
            f"(line {_line_of('| 数据采集与清洗 | 5 |', text)})"
        ),
    ),
    "answer letter not among the options": (
        lambda: _broken(BASE, FIRST_ANSWER, "正确答案: F. 删除或修正缺失值和异常值。"),
        lambda text: (
            f"{_details_before('正确答案: F.', text)}: question 1 of skill "
            f'"{FIRST_SKILL}": answer key names F, which is not an option (options: A, B, C, D)'
        ),
    ),
    "choice question without an answer": (
        lambda: _broken(BASE, FIRST_ANSWER, "删除或修正缺失值和异常值。"),
        lambda text: (
            f"{_details_before('删除或修正缺失值和异常值。数据清洗', text)}: question 1 of "
            f'skill "{FIRST_SKILL}": the answer of a choice question must start with the correct '
            'letter(s) (options: A, B, C, D; found "删除或修正缺失值和异常值。'
        ),
    ),
    "unclosed details": (
        lambda: _broken(BASE, "</strong></p>\n</details>\n", "</strong></p>\n"),
        lambda text: (
            f"{_details_before(FIRST_ANSWER, text)}: <details> is never closed: "
            f"expected </details> before line {_line_of('**问题 2:**', text)}"
        ),
    ),
    "file cut off inside an answer": (
        lambda: BASE[:THIRD],
        lambda text: (
            f"{text.count(chr(10), 0, text.rindex('<details>')) + 1}: "
            "<details> is never closed: the file ends before </details>; is the file cut off?"
        ),
    ),
    "file cut off after a question": (
        lambda: BASE[: BASE.index(SECOND_PROMPT) + 10],
        lambda text: (
            f'{_line_of("**问题 2:**", text)}: question 2 of skill "{FIRST_SKILL}": '
            'question without an answer (no <details> block with "正确答案: ..." follows it); '
            "is the file cut off?"
        ),
    ),
    "empty file": (lambda: "", lambda text: "1: file is empty"),
    "whitespace only": (lambda: "  \n\n\t\n", lambda text: "1: file is empty"),
    "not this format": (
        lambda: "# Shopping list\n\n- eggs\n- milk\n",
        lambda text: (
            '1: not a question bank: the file does not start with a "# 面试题集: <title>" heading'
        ),
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_input_is_refused_whole_with_path_and_line(tmp_path, case, capsys):
    make, expected = BAD_FILES[case]
    run_import(BUILTIN)
    before = counts()
    path = tmp_path / "bad.md"
    text = make()
    path.write_text(text)
    with pytest.raises(CommandError) as raised:
        run_import(path)
    assert raised.value.returncode == 1
    assert "nothing was written" in str(raised.value)
    assert counts() == before
    with pytest.raises(BankImportError) as error:
        bank_import_path(path=path)
    lines = error.value.lines()
    assert lines and all(re.match(rf"{re.escape(str(path))}:\d+: \S", line) for line in lines)
    wanted = f"{path}:{expected(text)}"
    assert any(line.startswith(wanted) for line in lines), (wanted, lines)


def test_binary_and_non_utf8_files_are_refused(tmp_path):
    binary = tmp_path / "bank.bin"
    binary.write_bytes(b"# \xe9\x9d\xa2\n\x00\x01\x02 binary")
    with pytest.raises(BankImportError, match=r"bank.bin:2: binary file"):
        bank_import_path(path=binary)
    latin = tmp_path / "bank-gbk.md"
    latin.write_bytes(BASE.encode("utf-8")[:200] + "\n中文".encode("gbk"))
    with pytest.raises(BankImportError, match=r"bank-gbk.md:\d+: not valid UTF-8"):
        bank_import_path(path=latin)
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_oversized_file_is_refused_before_reading(tmp_path, settings):
    settings.BANK_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(BankImportError, match=r"ai-llm-training.md:1: file is [\d,]+ bytes, over"):
        bank_import_path(path=BUILTIN)
    with pytest.raises(BankImportError, match="larger than the limit"):
        bank_import(data=BUILTIN.read_bytes(), source_name="upload.md")
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(BankImportError, match=r"nope.md:1: cannot read the file"):
        bank_import_path(path=tmp_path / "nope.md")


@pytest.mark.parametrize(
    ("name", "categories", "skills"),
    [("k8s.md", 9, 81), ("vite.md", 5, 28), ("bitcoin.md", 7, 36)],
)
def test_sibling_banks_import_with_parser_figures(name, categories, skills):
    path = sample_path(name)
    parsed = parse_bank(path.read_bytes())
    result = bank_import_path(path=path)
    expected = sum(len(s.questions) for c in parsed.categories for s in c.skills) + len(
        parsed.long_form
    )
    assert result.created == expected
    bank = result.bank
    assert bank.categories.count() == categories
    assert Skill.objects.filter(category__bank=bank).count() == skills
    assert bank.questions.filter(skill__isnull=True).count() == len(parsed.long_form)
    assert bank_import_path(path=path).changed is False


def test_two_banks_live_side_by_side():
    bank_import_path(path=BUILTIN)
    result = bank_import_path(path=sample_path("vite.md"))
    assert QuestionBank.objects.count() == 2
    assert result.bank.slug != QuestionBank.objects.exclude(pk=result.bank.pk).get().slug
