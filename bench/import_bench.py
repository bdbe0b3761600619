"""Import benchmark: a synthetic 面试题集 bank of N questions, or the built-in bank via manage.py.

    .venv/bin/python bench/import_bench.py [--questions 10000] [--changed N] [--database-url URL]
    .venv/bin/python bench/import_bench.py --builtin [--database-url URL]

By default everything runs on a fresh SQLite file in a temporary directory. With a postgres://
URL the database it names (e.g. postgres://postgres@127.0.0.1:5432/bench_import) is created
for the run and dropped afterwards; the script refuses to touch an existing database unless its
name starts with "bench". Prints figures; the only checks are sanity checks on the counts.
Targets: 10,000 questions imported in < 5 s; a re-import of that bank with 10,000 changed
questions (every one a new version) in < 10 s; the built-in bank through `manage.py
import_bank`, process start included, in < 2 s.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdb import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
BUILTIN_BANK = ROOT / "data" / "banks" / "ai-llm-training.md"
DEFAULT_UPLOAD_LIMIT = 5 * 1024 * 1024  # settings.BANK_UPLOAD_MAX_BYTES when unset
IMPORT_TARGET_S = 5.0  # for 10,000 questions
CHANGED_TARGET_S = 10.0  # re-import with 10,000 changed questions
CHANGE_MARK = "（第二版）"
BUILTIN_TARGET_S = 2.0

# --- the synthetic bank ---------------------------------------------------------------------------

AREAS = [
    "数据准备与处理",
    "模型架构设计",
    "训练算法与优化",
    "分布式训练与系统架构",
    "硬件加速与系统优化",
    "模型评估与调试",
    "安全与合规",
    "推理部署与服务化",
    "检索增强与知识库",
    "对齐与安全评测",
]
TOPICS = [
    "数据清洗",
    "数据标注",
    "数据增强",
    "自注意力",
    "位置编码",
    "混合精度",
    "梯度裁剪",
    "学习率调度",
    "流水线并行",
    "张量并行",
    "显存优化",
    "通信压缩",
    "故障恢复",
    "量化推理",
    "知识蒸馏",
    "指令微调",
    "奖励模型",
    "偏好优化",
    "长上下文",
    "检索召回",
]
WORDS = [
    "大模型",
    "训练",
    "数据集",
    "吞吐量",
    "显存",
    "梯度",
    "优化器",
    "学习率",
    "批大小",
    "收敛",
    "稳定性",
    "损失函数",
    "参数量",
    "通信开销",
    "集群",
    "节点",
    "检查点",
    "评估指标",
    "泛化能力",
    "过拟合",
    "正则化",
    "词元",
    "上下文窗口",
    "注意力头",
    "前馈网络",
    "残差连接",
    "层归一化",
    "激活函数",
    "量化",
    "剪枝",
    "蒸馏",
    "延迟",
    "带宽",
    "调度器",
    "日志",
    "监控",
    "告警",
    "隐私",
    "合规",
    "鲁棒性",
]
LINKS = ["，", "，并且", "，同时", "；", "，因此", "，但是", "，从而"]
CODE = """```python
# {topic}: a minimal sketch
for step, batch in enumerate(loader):
    loss = model(batch).loss / accumulation_steps
    loss.backward()
    if (step + 1) % accumulation_steps == 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        optimizer.zero_grad()
```"""


def slugify_heading(text: str) -> str:
    """The parser's own anchor rule, so overview links and detail anchors agree."""
    from questions.bankformat import slugify_heading as project_slugify

    return project_slugify(text)


class _Text:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def sentence(self, words: int = 8) -> str:
        parts = [self.rng.choice(WORDS)]
        for _ in range(words - 1):
            parts.append(self.rng.choice(LINKS) if self.rng.random() < 0.2 else "的")
            parts.append(self.rng.choice(WORDS))
        return "".join(parts) + "。"

    def paragraph(self, sentences: int) -> str:
        return "".join(self.sentence(self.rng.randint(5, 10)) for _ in range(sentences))


def bank_shape(total: int, skills: int | None = None) -> tuple[int, int, int]:
    """(categories, skills, long-form) for `total` questions, in the built-in bank's proportions:
    about 29% long-form, about 7 skills per category and, unless `skills` says how many skills
    there are, two questions per skill."""
    long_form = round(total * 37 / 129)
    if skills is None:
        if (total - long_form) % 2:
            long_form += 1
        skills = (total - long_form) // 2
    elif not 0 < skills <= total - long_form:
        raise ValueError(f"{skills} skills cannot share {total - long_form} skill questions")
    categories = max(1, math.ceil(skills / 7)) if skills else 0
    return categories, skills, long_form


def _choice_question(out: list[str], text: _Text, skill: str, number: int) -> bool:
    """Four options, the key letter varies; one in twenty has two correct letters (True)."""
    rng = text.rng
    options = [text.sentence(rng.randint(3, 6)) for _ in range(4)]
    key = rng.choice("ABCD")
    multiple = rng.random() < 0.05
    if multiple:
        key = "".join(sorted({key, rng.choice("ABCD".replace(key, ""))}))
    prompt = f"> 关于{skill}，{text.sentence(10)}以下哪一项正确？"
    out += ["", f"**问题 {number}:**", "", prompt, "> "]
    out += [f"> {label}. {option}" for label, option in zip("ABCD", options, strict=True)]
    shown = "、".join(key) if len(key) > 1 else f"{key}. {options['ABCD'.index(key)]}"
    out += ["", "<details>", "  <summary>点击查看答案</summary>", "  <p><strong>", ""]
    out += [f"正确答案: {shown}{text.paragraph(4)}</strong></p>", "</details>"]
    return multiple


def _open_question(out: list[str], text: _Text, skill: str, number: int) -> None:
    """An open question with a numbered reference answer."""
    steps = [f"{i}. {text.paragraph(2)}" for i in range(1, text.rng.randint(5, 9))]
    out += ["", f"**问题 {number}:**", "", f"> 假设{text.sentence(12)}请结合{skill}说明你的做法。"]
    out += ["", "<details>", "  <summary>点击查看答案</summary>", "  <p><strong>", ""]
    out += [f"正确答案: {text.paragraph(1)}", *steps, f"{text.paragraph(2)}</strong></p>"]
    out.append("</details>")


def generate_bank(
    total: int, *, seed: int = 1, skills: int | None = None
) -> tuple[str, dict[str, int]]:
    """A bank in the built-in format with exactly `total` questions; returns (text, shape).

    Each skill holds a choice question and an open one, in turn, as many as its share of the
    skill questions (two each by default; `skills` sets how many skills share them)."""
    text = _Text(seed)
    rng = text.rng
    n_categories, n_skills, n_long = bank_shape(total, skills)
    skill_questions = total - n_long
    # Skills are dealt to categories in order; each skill: (name, anchor, difficulty).
    categories: list[tuple[str, list[tuple[str, str, int]]]] = []
    for c in range(n_categories):
        categories.append((f"{AREAS[c % len(AREAS)]} {c + 1:04d}", []))
    for s in range(n_skills):
        name = f"{TOPICS[s % len(TOPICS)]}能力 {s + 1:05d}"
        categories[s * n_categories // n_skills][1].append(
            (name, slugify_heading(name), 1 + rng.randrange(10))
        )

    out: list[str] = [
        f"# 面试题集: 基准测试题库 {total}",
        "",
        "[返回旧的已有问题](#旧的问题列表)",
        "",
    ]
    out += ["## 技能概览", ""]
    for category, skills in categories:
        out += [f"### {category}", "", "| 能力点 | 技能难度| 快速跳转 |", "| :--- |:---: | :---: |"]
        out += [f"| {name} | {d} | [直达题目](#{anchor}) |" for name, anchor, d in skills]
        out.append("")
    out += ["---", "", "## 详细题目列表", ""]
    choice_questions = multiple = dealt = 0
    for category, skills in categories:
        out += [f"### {category}", ""]
        for name, anchor, difficulty in skills:
            out += [
                f"<a id='{anchor}'></a>",
                f"#### {name}",
                "",
                f"**技能难度评分:** {difficulty}/10",
            ]
            share = skill_questions // n_skills + (dealt < skill_questions % n_skills)
            dealt += 1
            for number in range(1, share + 1):
                if number % 2:
                    multiple += _choice_question(out, text, name, number)
                    choice_questions += 1
                else:
                    _open_question(out, text, name, number)
            out += ["", "---", ""]
    out += ["", "---", "", "## 旧的问题列表", ""]
    headings = [f"{k}.{text.sentence(9)[:-1]}？" for k in range(1, n_long + 1)]
    anchors = [slugify_heading(h) for h in headings]
    if n_long:
        out += [
            "<a id='基准测试题集'></a>",
            "### 基准测试题集",
            "",
            "- [基准测试题集](#基准测试题集)",
        ]
        out += [f"- [**{h}**](#{a})" for h, a in zip(headings, anchors, strict=True)]
        out.append("")
    for k, (heading, anchor) in enumerate(zip(headings, anchors, strict=True)):
        out += [
            f"<a id='{anchor}'></a>",
            f"### **{heading}**",
            "",
            "**答：**",
            text.paragraph(3),
            "",
        ]
        for i in range(1, rng.randint(6, 11)):
            out.append(f"{i}.  **{rng.choice(WORDS)}**：")
            out.append(f"    *   **描述**：{text.paragraph(2)}")
            out.append(f"    *   **关键操作**：{text.paragraph(2)}")
        if k % 5 == 0:
            out += ["", CODE.format(topic=rng.choice(TOPICS))]
        out += ["", f"**总结**：{text.paragraph(3)}", "", "---", ""]
    shape = {
        "categories": n_categories,
        "skills": n_skills,
        "single_choice": choice_questions - multiple,
        "multiple_choice": multiple,
        "open_ended": skill_questions - choice_questions + n_long,
        "long_form": n_long,
    }
    assert skill_questions + n_long == total
    return "\n".join(out) + "\n", shape


def change_questions(text: str, count: int) -> str:
    """The generated bank with the content of its first `count` questions changed: each skill
    question's quoted prompt line and each long-form question's first answer line gets a mark.
    Keys (anchors, question numbers, long-form headings) stay, so each is an update in place."""
    lines = text.split("\n")
    changed = 0
    for index, line in enumerate(lines):
        if changed == count:
            break
        if line.startswith(("> 关于", "> 假设")) or (index and lines[index - 1] == "**答：**"):
            lines[index] = line + CHANGE_MARK
            changed += 1
    if changed < count:
        raise ValueError(f"the bank has {changed} questions, fewer than {count} to change")
    return "\n".join(lines)


# --- databases ------------------------------------------------------------------------------------


def django_environment(database_url: str, workdir: Path, upload_limit: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "VAR_DIR": str(workdir),
        "DATABASE_URL": database_url,
        "BANK_UPLOAD_MAX_BYTES": str(upload_limit),
        "LOG_LEVEL": "WARNING",
    }


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the two benchmarks ---------------------------------------------------------------------------


def _seconds(start: float) -> float:
    return time.perf_counter() - start


def _spread(times: list[float]) -> str:
    if len(times) == 1:
        return "(1 run)"
    return f"(median of {len(times)} runs; {min(times):.3f}-{max(times):.3f})"


def bank_drop(bank) -> None:
    from questions.models import Question

    Question.objects.filter(bank=bank).delete()  # PROTECTed from categories and skills
    bank.delete()


def _size(n: int) -> str:
    return f"{n:,} bytes ({n / 1024 / 1024:.2f} MiB)"


def run_synthetic(args, workdir: Path) -> None:
    with throwaway_database(args.database_url, workdir, "bench_import") as database_url:
        # Set up before generating: the generator uses the parser's anchor rule, and the parser
        # takes its question kinds from the models. The upload limit is raised for big banks.
        django_setup(django_environment(database_url, workdir, 1 << 40))
        started = time.perf_counter()
        text, shape = generate_bank(args.questions, seed=args.seed)
        data = text.encode("utf-8")
        path = workdir / f"bench-{args.questions}.md"
        path.write_bytes(data)
        generated = _seconds(started)
        from django.conf import settings
        from django.db import connection

        if not args.query_log:
            settings.DEBUG = False  # DEBUG=1 makes Django keep every SQL string it sends

        from questions.bankformat import parse_bank
        from questions.importer import bank_import_path
        from questions.models import Category, Choice, Question, QuestionRevision, Skill

        parse_times = []
        for _ in range(3):
            start = time.perf_counter()
            parsed = parse_bank(data)
            parse_times.append(_seconds(start))
        parsed_questions = sum(len(s.questions) for c in parsed.categories for s in c.skills)
        parsed_questions += len(parsed.long_form)

        firsts: list[float] = []
        agains: list[float] = []
        bank = None
        for _ in range(args.repeat):
            if bank is not None:
                bank_drop(bank)  # not timed: every first import starts with no bank
            start = time.perf_counter()
            first = bank_import_path(path=path)
            firsts.append(_seconds(start))
            bank = first.bank
            start = time.perf_counter()
            again = bank_import_path(path=path)
            agains.append(_seconds(start))
            assert first.created == args.questions and not first.conflicts, first.summary()
            assert (again.created, again.updated, again.unchanged) == (0, 0, args.questions), (
                again.summary()
            )
        rows = {
            "categories": Category.objects.filter(bank=bank).count(),
            "skills": Skill.objects.filter(category__bank=bank).count(),
            "questions": Question.objects.filter(bank=bank).count(),
            "choices": Choice.objects.filter(question__bank=bank).count(),
            "revisions": QuestionRevision.objects.filter(question__bank=bank).count(),
        }
        # sanity: what was written is what was generated
        assert parsed_questions == args.questions, (parsed_questions, args.questions)
        assert rows["questions"] == args.questions, rows
        assert rows["categories"] == shape["categories"] and rows["skills"] == shape["skills"]
        first_s, again_s = statistics.median(firsts), statistics.median(agains)

        total_rows = sum(rows.values()) + 1  # + the bank
        if connection.vendor == "postgresql":
            version = connection.cursor().connection.info.server_version
            vendor = f"postgresql {version // 10000}.{version % 100}"
        else:
            vendor = f"{connection.vendor} {connection.Database.sqlite_version}"
        log = "on (DEBUG=1)" if args.query_log else "off, as in production"
        print(f"database          {vendor} ({database_url.rsplit('@', 1)[-1]}); query log {log}")
        print(
            f"bank              {args.questions:,} questions = {shape['single_choice']:,} "
            f"single-choice + {shape['multiple_choice']:,} multiple-choice + "
            f"{shape['open_ended'] - shape['long_form']:,} open + {shape['long_form']:,} "
            f"long-form; {shape['categories']:,} categories, {shape['skills']:,} skills"
        )
        print(f"file size         {_size(len(data))} (generated in {generated:.2f} s)")
        if len(data) > DEFAULT_UPLOAD_LIMIT:
            print(
                f"                  note: over the default BANK_UPLOAD_MAX_BYTES "
                f"({DEFAULT_UPLOAD_LIMIT:,}); raised for this run"
            )
        print(f"parse             {min(parse_times):.3f} s (best of 3; parse_bank only)")
        print(
            f"first import      {first_s:.3f} s {_spread(firsts)} (read + parse + write; "
            f"write ~{first_s - min(parse_times):.3f} s)  "
            f"[target < {IMPORT_TARGET_S:.0f} s for 10,000: "
            f"{'ok' if first_s < IMPORT_TARGET_S else 'MISSED'}]"
        )
        print(
            f"rows/s            {total_rows / first_s:,.0f} rows/s ({total_rows:,} rows: "
            + ", ".join(f"{v:,} {k}" for k, v in rows.items())
            + f"); {args.questions / first_s:,.0f} questions/s"
        )
        print(f"re-import         {again_s:.3f} s {_spread(agains)} ({again.summary()})")
        if args.changed:
            run_changed(args, text, path.with_name("changed.md"), bank)


def run_changed(args, text: str, path: Path, bank) -> None:
    """Time a re-import of the bank with `args.changed` questions changed in the file."""
    from questions.importer import bank_import_path

    original = path.with_name("original.md")
    original.write_text(text, encoding="utf-8")
    path.write_text(change_questions(text, args.changed), encoding="utf-8")
    times: list[float] = []
    for _ in range(args.repeat):
        bank_drop(bank)  # not timed: every run starts from the original bank, version 1
        bank = bank_import_path(path=original).bank
        start = time.perf_counter()
        result = bank_import_path(path=path)
        times.append(_seconds(start))
        assert (result.updated, result.created) == (args.changed, 0), result.summary()
    seconds = statistics.median(times)
    verdict = ""
    if args.changed == 10_000:
        verdict = f"  [target < {CHANGED_TARGET_S:.0f} s: "
        verdict += f"{'ok' if seconds < CHANGED_TARGET_S else 'MISSED'}]"
    print(
        f"changed re-import {seconds:.3f} s {_spread(times)} ({result.summary()}); "
        f"{args.changed / seconds:,.0f} changed questions/s{verdict}"
    )


def run_builtin(args, workdir: Path) -> None:
    with throwaway_database(args.database_url, workdir, "bench_import") as database_url:
        env = django_environment(database_url, workdir, DEFAULT_UPLOAD_LIMIT)
        # migrate in-process: the timed subprocesses below find a ready, empty database
        django_setup(env)
        from django.db import connection, connections

        from questions.models import QuestionBank

        sqlite = connection.vendor == "sqlite"
        template = None
        if sqlite:  # every run starts from a copy of the freshly migrated file
            db_file = Path(connection.settings_dict["NAME"])
            connections.close_all()
            template = db_file.with_suffix(".template")
            shutil.copyfile(db_file, template)

        manage = [sys.executable, str(ROOT / "manage.py")]

        def timed(*command: str) -> tuple[float, str]:
            start = time.perf_counter()
            done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
                [*manage, *command], cwd=ROOT, env=env, capture_output=True, text=True
            )
            seconds = _seconds(start)
            if done.returncode:
                sys.exit(f"manage.py {' '.join(command)} failed:\n{done.stderr}")
            return seconds, done.stdout.strip()

        baselines: list[float] = []
        firsts: list[float] = []
        agains: list[float] = []
        for _ in range(args.repeat):
            if template is not None:
                shutil.copyfile(template, db_file)
            else:
                for bank in QuestionBank.objects.all():
                    bank_drop(bank)
                connections.close_all()  # no session of ours while the subprocesses run
            baselines.append(timed("version")[0])
            seconds, first_out = timed("import_bank", str(BUILTIN_BANK))
            firsts.append(seconds)
            seconds, again_out = timed("import_bank", str(BUILTIN_BANK))
            agains.append(seconds)
            assert "created 129," in first_out, first_out
            assert "unchanged 129," in again_out, again_out
        baseline, first, again = (statistics.median(t) for t in (baselines, firsts, agains))

        where = database_url.rsplit("@", 1)[-1]
        print(f"database          {connection.vendor} ({where}); fresh for every first import")
        size = _size(BUILTIN_BANK.stat().st_size)
        print(f"file              {BUILTIN_BANK.relative_to(ROOT)}, {size}")
        print(
            f"process start     {baseline:.3f} s {_spread(baselines)} "
            "(`manage.py version`: interpreter + django.setup)"
        )
        print(
            f"first import      {first:.3f} s {_spread(firsts)} wall, process start included  "
            f"[target < {BUILTIN_TARGET_S:.0f} s: {'ok' if first < BUILTIN_TARGET_S else 'MISSED'}]"
        )
        print(f"                  {first_out}")
        print(f"re-import         {again:.3f} s {_spread(agains)} wall ({again_out})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--questions", type=int, default=10_000, help="questions in the bank")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated text")
    parser.add_argument(
        "--changed",
        type=int,
        default=None,
        help="also time a re-import with this many questions changed in the file "
        "(default: all of them; 0 to skip)",
    )
    parser.add_argument(
        "--database-url",
        help="sqlite:///... or postgres://USER@HOST:PORT/NAME (NAME is created and dropped; "
        "default: a fresh SQLite file in a temporary directory)",
    )
    parser.add_argument(
        "--builtin",
        action="store_true",
        help="time `manage.py import_bank` of the built-in bank in a subprocess instead",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each timing (median printed; default 3)"
    )
    parser.add_argument(
        "--query-log",
        action="store_true",
        help="time with DEBUG's query log on (slower; production runs without it)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.questions < 4:
        parser.error("--questions must be at least 4")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.changed is None:
        args.changed = args.questions
    if not 0 <= args.changed <= args.questions:
        parser.error("--changed must be from 0 to --questions")
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        (run_builtin if args.builtin else run_synthetic)(args, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
