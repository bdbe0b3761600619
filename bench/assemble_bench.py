"""Assembly benchmark: draw a 20-question banded set from synthetic banks of 1,000 and N questions.

    .venv/bin/python bench/assemble_bench.py [--questions 100000] [--runs 50] [--database-url URL]

By default everything runs on a fresh SQLite file in a temporary directory. With a postgres://
URL the script creates its own database on that server (the URL's database name when it starts
with "bench", else `bench_assemble`), and drops it afterwards; it refuses to touch an existing
database whose name does not start with "bench".

For each bank size it prints p50/p95/max of `question_set_assemble` in milliseconds (seeds vary
per run) and the number of queries per assembly, which must be the same for every size.
Target: p95 under 200 ms at 100,000 questions.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchdb import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 200.0
SMALL = 1_000
CATEGORIES = 20
SKILLS_PER_CATEGORY = 50
LONG_FORM_SHARE = 0.08  # unrated long-form questions, as in the built-in bank's "旧的问题列表"
BLUEPRINT = {
    "count": 20,
    "bands": [
        {"min": 2, "max": 4, "count": 6},
        {"min": 5, "max": 7, "count": 8},
        {"min": 8, "max": 10, "count": 6},
    ],
}
SCOPE_CATEGORIES = 3  # "a few categories"


# --- databases ------------------------------------------------------------------------------------


def django_setup(database_url: str, workdir: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "1",
            "DATABASE_URL": database_url,
            "VAR_DIR": str(workdir),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the synthetic bank ---------------------------------------------------------------------------


def build_bank(total: int, *, seed: int):
    """A bank of `total` questions: 20 categories x 50 skills (difficulty 1-10 each), single-,
    multiple-choice and open questions spread over the skills (mostly at their skill's
    difficulty, some re-rated in the app), and ~8% unrated long-form questions."""
    from django.db import transaction

    from questions.models import Category, Choice, Question, QuestionBank, Skill

    rng = random.Random(seed)
    with transaction.atomic():
        bank = QuestionBank.objects.create(
            title=f"基准测试题库 {total:,}", slug=f"bench-assemble-{total}"
        )
        categories = Category.objects.bulk_create(
            Category(bank=bank, name=f"技能领域 {c + 1:02d}", position=c) for c in range(CATEGORIES)
        )
        skills = Skill.objects.bulk_create(
            Skill(
                category=category,
                name=f"能力点 {c + 1:02d}.{s + 1:02d}",
                anchor=f"skill-{c + 1}-{s + 1}",
                difficulty=rng.randint(1, 10),
                position=s,
            )
            for c, category in enumerate(categories)
            for s in range(SKILLS_PER_CATEGORY)
        )
        n_long = round(total * LONG_FORM_SHARE)
        questions = []
        for i in range(total - n_long):
            skill = skills[i % len(skills)]
            kind = rng.choices(
                ["single_choice", "multiple_choice", "open_ended"], weights=[45, 10, 45]
            )[0]
            difficulty = skill.difficulty if rng.random() < 0.8 else rng.randint(1, 10)
            questions.append(
                Question(
                    bank=bank,
                    category_id=skill.category_id,
                    skill=skill,
                    kind=kind,
                    difficulty=difficulty,
                    prompt_md=f"关于{skill.name}的问题 {i + 1}：以下哪一项正确？",
                    reference_answer_md="参考答案。" if kind == "open_ended" else "",
                    explanation_md="解析。" if kind != "open_ended" else "",
                    source_key=f"{skill.anchor}#{i + 1}",
                    position=i,
                )
            )
        for i in range(n_long):
            questions.append(
                Question(
                    bank=bank,
                    kind="open_ended",
                    difficulty=None,
                    prompt_md=f"{i + 1}. 旧的问题 {i + 1}？",
                    reference_answer_md="**答：** 参考答案。",
                    source_key=f"long-form-{i + 1}",
                    position=total + i,
                )
            )
        Question.objects.bulk_create(questions, batch_size=5_000)
        choice_ids = Question.objects.filter(bank=bank).exclude(kind="open_ended")
        choices = []
        for question_id, kind in choice_ids.values_list("pk", "kind"):
            correct = set(rng.sample("ABCD", 2 if kind == "multiple_choice" else 1))
            choices += [
                Choice(
                    question_id=question_id,
                    label=label,
                    text_md=f"选项 {label}",
                    is_correct=label in correct,
                    position=p,
                )
                for p, label in enumerate("ABCD")
            ]
        Choice.objects.bulk_create(choices, batch_size=5_000)
    return bank, categories


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the measurement ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def measure(bank, categories, *, runs: int, seed: int, scoped: bool) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from interviews.assembly import Blueprint
    from interviews.selectors import question_set_assemble

    rng = random.Random(seed)
    data = {**BLUEPRINT, "bank": bank.pk}
    if scoped:
        data["categories"] = [c.pk for c in rng.sample(categories, SCOPE_CATEGORIES)]
    times, db_times, queries = [], [], set()
    for run in range(runs + 2):  # two warm-up runs
        blueprint = Blueprint.from_data({**data, "seed": rng.randrange(2**32)})
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            assembly = question_set_assemble(blueprint=blueprint)
            elapsed = (time.perf_counter() - start) * 1000
        assert len(assembly.items) == 20 and not assembly.shortfalls, assembly.shortfalls
        assert len({i.question.pk for i in assembly.items}) == 20
        if run < 2:
            continue
        times.append(elapsed)
        db_times.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        queries.add(len(captured.captured_queries))
    from questions.models import Question

    pool = Question.objects.filter(bank=bank, is_active=True)
    if scoped:
        pool = pool.filter(category__in=data["categories"])
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "max": max(times),
        "db_p50": statistics.median(db_times),
        "queries": sorted(queries),
        "scope": pool.count(),
        "groups": pool.values("skill_id", "kind", "difficulty").distinct().count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=100_000, help="the large bank's size")
    parser.add_argument("--runs", type=int, default=50, help="timed assemblies per bank")
    parser.add_argument("--database-url", help="postgres://... (default: a temporary SQLite)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = sorted({SMALL, args.questions})

    with (
        tempfile.TemporaryDirectory(prefix="assemble-bench-") as tmp,
        throwaway_database(args.database_url, Path(tmp), "bench_assemble") as database_url,
    ):
        django_setup(database_url, Path(tmp))
        from django.db import connection

        if connection.vendor == "postgresql":
            vendor = f"postgresql {connection.cursor().connection.info.server_version}"
        else:
            vendor = f"sqlite {connection.Database.sqlite_version}"
        print(f"database   {vendor} ({database_url.rsplit('@', 1)[-1]})")
        print(
            f"blueprint  20 questions, bands 2-4:6 5-7:8 8-10:6, {SCOPE_CATEGORIES} of "
            f"{CATEGORIES} categories ({CATEGORIES}x{SKILLS_PER_CATEGORY} skills), "
            f"{args.runs} runs, a new seed each run"
        )
        results = {}
        for size in sizes:
            start = time.perf_counter()
            bank, categories = build_bank(size, seed=args.seed + size)
            analyze()
            built = time.perf_counter() - start
            for scoped in (True, False):
                r = measure(bank, categories, runs=args.runs, seed=args.seed, scoped=scoped)
                results[size, scoped] = r
                label = f"{SCOPE_CATEGORIES} categories" if scoped else "whole bank  "
                verdict = ""
                if size >= 100_000 and scoped:
                    verdict = (
                        f"  [target p95 < {TARGET_P95_MS:.0f} ms: "
                        f"{'ok' if r['p95'] < TARGET_P95_MS else 'MISSED'}]"
                    )
                print(
                    f"{size:>9,} questions, {label}: p50 {r['p50']:6.1f} ms  "
                    f"p95 {r['p95']:6.1f} ms  max {r['max']:6.1f} ms  "
                    f"(SQL p50 {r['db_p50']:5.1f} ms)  queries/assembly "
                    f"{'/'.join(map(str, r['queries']))}  "
                    f"[{r['scope']:,} in scope, {r['groups']:,} groups]{verdict}"
                )
            print(f"{'':>9}  (bank built and analysed in {built:.1f} s)")
        for scoped in (True, False):
            counts = {tuple(results[size, scoped]["queries"]) for size in sizes}
            print(
                f"queries    {'scoped' if scoped else 'whole bank'}: "
                + (
                    f"{counts.pop()[0]} per assembly at every size (constant)"
                    if len(counts) == 1 and len(next(iter(counts))) == 1
                    else f"NOT CONSTANT: {counts}"
                )
            )


if __name__ == "__main__":
    main()
