"""bank_import: write a parsed bank file into the database, atomically and idempotently."""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from .bankformat import BankFormatError, ParsedBank, ParsedQuestion, parse_bank
from .counts import bank_counts_refresh
from .markdown import render_markdown
from .models import (
    BankImportJob,
    Category,
    Choice,
    Question,
    QuestionBank,
    QuestionRevision,
    Skill,
)
from .search import search_document

# A background import's progress once its file is parsed: parsing takes about a third of it.
PARSED_PERCENT = 35


class BankImportError(Exception):
    """The file was refused whole; nothing was written. `issues` are (line, message) pairs."""

    def __init__(self, source_name: str, issues: list[tuple[int, str]]):
        self.source_name = source_name
        self.issues = issues
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.source_name}:{line}: {message}" for line, message in self.issues]


@dataclass
class ImportResult:
    bank: QuestionBank
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    long_form_without_answer: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated or self.reactivated)

    def as_dict(self) -> dict:
        """What the upload page shows, for a background job to keep (JSON)."""
        return {
            "bank": {"pk": self.bank.pk, "title": self.bank.title},
            "summary": self.summary(),
            "changed": self.changed,
            "dry_run": self.dry_run,
            **{
                name: getattr(self, name)
                for name in ("created", "updated", "unchanged", "deactivated", "reactivated")
            },
            "conflicts": self.conflicts,
            "warnings": self.warnings,
        }

    def summary(self) -> str:
        text = (
            f"{'[dry run] ' if self.dry_run else ''}{self.bank.title}: "
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"deactivated {self.deactivated}"
        )
        if self.reactivated:
            text += f", reactivated {self.reactivated}"
        if self.conflicts:
            text += f", conflicts {len(self.conflicts)}"
        if self.long_form_without_answer:
            text += f", long-form without answer {self.long_form_without_answer}"
        if not self.changed:
            text += " (nothing changed)"
        return text


def _fingerprint(parsed: ParsedQuestion, difficulty: int | None, skill_anchor: str) -> str:
    payload = {
        "kind": parsed.kind,
        "prompt": parsed.prompt_md,
        "explanation": parsed.explanation_md,
        "reference": parsed.reference_answer_md,
        "difficulty": difficulty,
        "skill": skill_anchor,
        "choices": [[c.label, c.text_md, c.is_correct] for c in parsed.choices],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def choice_snapshot(choices) -> list[dict]:
    return [{"label": c.label, "text_md": c.text_md, "is_correct": c.is_correct} for c in choices]


def question_snapshot(question: Question, choices) -> dict:
    """What a version of a question said: kept in QuestionRevision when a newer one replaces it."""
    return {
        "kind": question.kind,
        "prompt_md": question.prompt_md,
        "explanation_md": question.explanation_md,
        "reference_answer_md": question.reference_answer_md,
        "difficulty": question.difficulty,
        "skill": question.skill_id,
        "choices": choice_snapshot(choices),
    }


def _bank_slug(title: str, source_name: str) -> str:
    stem = re.sub(r"^\d+[_-]", "", Path(source_name).stem) if source_name else ""
    base = slugify(stem) or slugify(title) or "bank"
    base = base[:80]
    slug, n = base, 2
    while QuestionBank.objects.filter(slug=slug).exclude(title=title).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _bank_for_update(title: str, source_name: str) -> QuestionBank:
    """The bank with this title, locked until the import commits; created when there is none.

    Two first imports of one title race on the unique title: the loser's insert waits for the
    winner's commit and fails, and the loser then reads the winner's bank and updates it in
    place, as if it had come second. A slug taken meanwhile by another title is picked again."""
    for _attempt in range(3):
        bank = QuestionBank.objects.select_for_update().filter(title=title).first()
        if bank is not None:
            return bank
        try:
            with transaction.atomic():
                return QuestionBank.objects.create(title=title, slug=_bank_slug(title, source_name))
        except IntegrityError:
            continue  # created by another import since we looked: read it again
    raise BankImportError(
        source_name,
        [(1, f'another import is creating the bank "{title}" right now; try again in a minute')],
    )


def bank_import(
    *,
    data: bytes,
    source_name: str,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import a bank file: create it, or update the bank with the same title in place.

    Questions are matched on `source_key`. A question whose file content changed is updated
    (new version) unless someone edited it in the app since: that is reported as a conflict
    and left alone. Questions gone from the file are deactivated, never deleted.
    `progress`, when given, hears the percentage done once the file is parsed (the writing
    after it is one transaction, invisible to others until it commits).
    """
    max_bytes = settings.BANK_UPLOAD_MAX_BYTES
    try:
        parsed = parse_bank(data, max_bytes=max_bytes)
    except BankFormatError as exc:
        raise BankImportError(source_name, list(exc.issues)) from None
    if progress is not None:
        progress(PARSED_PERCENT)
    sha = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        result = _write_bank(parsed, source_name=source_name, sha=sha)
        result.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return result


# A question the file asks for, with where it goes: (parsed, category, skill, difficulty).
_Wanted = tuple[ParsedQuestion, Category | None, Skill | None, int | None]

# Question columns an import writes on existing rows.
_QUESTION_FIELDS = [
    "category",
    "skill",
    "kind",
    "prompt_md",
    "explanation_md",
    "reference_answer_md",
    "prompt_html",
    "explanation_html",
    "reference_answer_html",
    "search_text",
    "difficulty",
    "version",
    "source_fingerprint",
    "source_line",
    "position",
    "is_active",
    "updated_at",
]


@dataclass
class _QuestionWrites:
    """What an import writes to questions, decided before anything is written."""

    created: list[tuple[Question, ParsedQuestion]] = field(default_factory=list)
    # New content (a new version): the file's question, for its choices.
    changed: list[tuple[Question, ParsedQuestion]] = field(default_factory=list)
    # Same content; only position, line or active flag move.
    moved: list[Question] = field(default_factory=list)
    # question id -> (version replaced, its content): goes to the history.
    superseded: dict[int, tuple[int, dict]] = field(default_factory=dict)


def _write_bank(parsed: ParsedBank, *, source_name: str, sha: str) -> ImportResult:
    now = timezone.now()
    bank = _bank_for_update(parsed.title, source_name)
    result = ImportResult(bank=bank)
    result.warnings = [f"{source_name}:{line}: {msg}" for line, msg in parsed.warnings]
    result.long_form_without_answer = parsed.long_form_without_answer

    categories = _upsert_categories(bank, parsed)
    wanted = _upsert_skills(bank, parsed, categories)
    # Locked until the import commits: an edit in the app either committed before (and is seen
    # here, kept as a conflict) or waits for the import (and applies to the imported version).
    existing = {q.source_key: q for q in bank.questions.select_for_update(no_key=True)}
    writes = _plan_questions(bank, wanted, existing, result, source_name)
    _deactivate_gone(existing, {pq.source_key for pq, *_ in wanted}, writes, result)
    _save_questions(writes, result)
    _save_superseded_versions(writes.superseded)
    _replace_choices(writes)
    bank_counts_refresh(bank=bank)
    if result.changed or bank.source_sha256 != sha:
        bank.source_name = Path(source_name).name  # never a server path
        bank.source_sha256 = sha
        bank.imported_at = now
        bank.save(update_fields=["source_name", "source_sha256", "imported_at"])
    return result


def _upsert_categories(bank: QuestionBank, parsed: ParsedBank) -> dict[str, Category]:
    """The bank's categories by name, created or moved to the file's order."""
    categories = {c.name: c for c in bank.categories.all()}
    new_categories: list[Category] = []
    for c_pos, pcat in enumerate(parsed.categories):
        category = categories.get(pcat.name)
        if category is None:
            category = categories[pcat.name] = Category(bank=bank, name=pcat.name, position=c_pos)
            new_categories.append(category)
        elif category.position != c_pos:
            category.position = c_pos
            category.save(update_fields=["position"])
    Category.objects.bulk_create(new_categories)
    return categories


def _upsert_skills(
    bank: QuestionBank, parsed: ParsedBank, categories: dict[str, Category]
) -> list[_Wanted]:
    """Skills created or updated by anchor, in the file's order; returns every question of the
    file (skill questions, then long-form) with where it belongs."""
    skills = {s.anchor: s for s in Skill.objects.filter(category__bank=bank)}
    wanted: list[_Wanted] = []
    new_skills: list[Skill] = []
    changed_skills: list[Skill] = []
    for pcat in parsed.categories:
        category = categories[pcat.name]
        for s_pos, pskill in enumerate(pcat.skills):
            skill = skills.get(pskill.anchor)
            fields = {
                "category_id": category.pk,
                "name": pskill.name,
                "difficulty": pskill.difficulty,
                "position": s_pos,
            }
            if skill is None:
                skill = skills[pskill.anchor] = Skill(anchor=pskill.anchor, **fields)
                new_skills.append(skill)
            elif any(getattr(skill, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(skill, k, v)
                changed_skills.append(skill)
            wanted += [(q, category, skill, pskill.difficulty) for q in pskill.questions]
    Skill.objects.bulk_create(new_skills)
    _bulk_update(Skill, changed_skills, ["category", "name", "difficulty", "position"])
    return wanted + [(q, None, None, None) for q in parsed.long_form]


def _plan_questions(
    bank: QuestionBank,
    wanted: list[_Wanted],
    existing: dict[str, Question],
    result: ImportResult,
    source_name: str,
) -> _QuestionWrites:
    """Match the file's questions to the bank's by source key: new, changed (a new version),
    or the same (only position and line may move; an app edit is kept as a conflict)."""
    writes = _QuestionWrites()
    for position, (pq, category, skill, difficulty) in enumerate(wanted):
        fingerprint = _fingerprint(pq, difficulty, skill.anchor if skill else "")
        question = existing.get(pq.source_key)
        if question is None:
            question = Question(bank=bank, category=category, skill=skill, source_key=pq.source_key)
            _apply(question, pq, difficulty, fingerprint, position)
            writes.created.append((question, pq))
        elif question.source_fingerprint == fingerprint or question.edited_in_app:
            if question.source_fingerprint == fingerprint:
                result.unchanged += question.is_active
            else:
                result.conflicts.append(
                    f"{source_name}:{pq.line}: question {pq.source_key} changed in the file but "
                    f"was edited in the app (version {question.version}); kept the app's version"
                )
            _keep(question, pq, position, writes, result)
        else:
            writes.superseded[question.pk] = (question.version, question_snapshot(question, ()))
            question.category, question.skill = category, skill
            question.version += 1
            _apply(question, pq, difficulty, fingerprint, position)
            question.is_active = True
            writes.changed.append((question, pq))
            result.updated += 1
    return writes


def _keep(
    question: Question,
    pq: ParsedQuestion,
    position: int,
    writes: _QuestionWrites,
    result: ImportResult,
) -> None:
    """A question whose content stays: it follows the file's order and comes back if inactive."""
    dirty = (question.position, question.source_line) != (position, pq.line)
    question.position, question.source_line = position, pq.line
    if not question.is_active:
        question.is_active, dirty = True, True
        result.reactivated += 1
    if dirty:
        writes.moved.append(question)


def _deactivate_gone(
    existing: dict[str, Question], seen: set[str], writes: _QuestionWrites, result: ImportResult
) -> None:
    """Gone from the file: deactivated. Questions written in the app were never in it: kept."""
    gone = [
        q
        for key, q in existing.items()
        if key not in seen and q.is_active and not key.startswith(Question.APP_SOURCE_PREFIX)
    ]
    for question in gone:
        question.is_active = False
    writes.moved += gone
    result.deactivated = len(gone)


def _save_questions(writes: _QuestionWrites, result: ImportResult) -> None:
    created = Question.objects.bulk_create([q for q, _ in writes.created], batch_size=1000)
    result.created = len(created)
    _bulk_update(Question, [q for q, _ in writes.changed] + writes.moved, _QUESTION_FIELDS)


def _save_superseded_versions(superseded: dict[int, tuple[int, dict]]) -> None:
    """The versions an import replaces go to the history, with the choices they had."""
    old_choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(question_id__in=superseded).order_by("position", "id"):
        old_choices.setdefault(choice.question_id, []).append(choice)
    _bulk_insert(
        QuestionRevision,
        [
            QuestionRevision(
                question_id=pk,
                version=version,
                source=QuestionRevision.Source.IMPORT,
                snapshot={**content, "choices": choice_snapshot(old_choices.get(pk, ()))},
            )
            for pk, (version, content) in superseded.items()
        ],
    )


def _replace_choices(writes: _QuestionWrites) -> None:
    """New and changed questions get the file's choices; changed ones lose their old ones."""
    old = Choice.objects.filter(question__in=[q for q, _ in writes.changed])
    # HTML depends on the text alone: a choice whose text is unchanged (or repeated) keeps it.
    rendered = dict(old.values_list("text_md", "text_html"))
    old.delete()
    _bulk_insert(
        Choice,
        [
            choice
            for question, pq in [*writes.created, *writes.changed]
            for choice in _choice_rows(question, pq, rendered)
        ],
    )


def _choice_rows(question: Question, pq: ParsedQuestion, rendered: dict[str, str]) -> list[Choice]:
    """The one place an import builds Choice rows from the file; `rendered` maps choice texts
    to their HTML, and learns each text it renders."""
    for c in pq.choices:
        if c.text_md not in rendered:
            rendered[c.text_md] = render_markdown(c.text_md)
    return [
        Choice(
            question=question,
            label=c.label,
            text_md=c.text_md,
            text_html=rendered[c.text_md],
            is_correct=c.is_correct,
            position=i,
        )
        for i, c in enumerate(pq.choices)
    ]


def _bulk_update(model: type[Model], rows: list, fields: list[str]) -> None:
    """Write `fields` of `rows` in one UPDATE.

    Django's bulk_update sends one CASE WHEN per field listing every row, which PostgreSQL
    evaluates row by row (10,000 changed questions took minutes). On PostgreSQL the rows are
    copied into a temporary table (COPY) and joined on the primary key; other databases
    (SQLite) keep bulk_update."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields, batch_size=1000)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in columns)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns[1:])
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    temporary = quote(f"import_{meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS "  # noqa: S608 - model names
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {temporary} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [f.get_db_prep_save(getattr(row, f.attname), connection) for f in columns]
                )
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM {temporary} AS v "  # noqa: S608
            f"WHERE t.{pk} = v.{pk}"
        )
        cursor.execute(f"DROP TABLE {temporary}")


def _bulk_insert(model: type[Model], rows: list) -> None:
    """Insert rows whose ids nobody needs afterwards: COPY on PostgreSQL (several times faster
    than INSERT for thousands of rows with long text), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=1000)
        return
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in columns]
            )


def _apply(question: Question, pq: ParsedQuestion, difficulty, fingerprint: str, position: int):
    """The one place an import turns a file's question into a Question's field values."""
    question.kind = pq.kind
    _set_markdown(question, "prompt", pq.prompt_md)
    _set_markdown(question, "explanation", pq.explanation_md)
    _set_markdown(question, "reference_answer", pq.reference_answer_md)
    question.search_text = search_document(pq.prompt_md, (c.text_md for c in pq.choices))
    question.difficulty = difficulty  # None for long-form: unrated until someone rates it
    question.source_fingerprint = fingerprint
    question.source_line = pq.line
    question.position = position
    question.updated_at = timezone.now()


def _set_markdown(question: Question, name: str, text: str) -> None:
    """Set a markdown field and its stored HTML, rendering only text that changed: rendering
    is most of the time a large re-import takes, and most of a changed question is unchanged."""
    if getattr(question, f"{name}_md") == text and (getattr(question, f"{name}_html") or not text):
        return
    setattr(question, f"{name}_md", text)
    setattr(question, f"{name}_html", render_markdown(text))


def bank_import_path(*, path: Path, dry_run: bool = False) -> ImportResult:
    """Read a bank file from disk (refusing oversized files before reading them) and import it."""
    source_name = str(path)
    limit = settings.BANK_UPLOAD_MAX_BYTES
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BankImportError(source_name, [(1, f"cannot read the file: {exc.strerror}")]) from None
    if size > limit:
        raise BankImportError(
            source_name,
            [(1, f"file is {size:,} bytes, over the {limit:,}-byte limit (BANK_UPLOAD_MAX_BYTES)")],
        )
    return bank_import(data=path.read_bytes(), source_name=source_name, dry_run=dry_run)


def bank_import_job_run(*, job_id: int) -> None:
    """Run a queued import job once and keep its outcome on the job row.

    The job is claimed with a conditional UPDATE, so a second delivery of the task (or a
    second worker) finds it no longer queued and does nothing."""
    jobs = BankImportJob.objects.filter(pk=job_id)
    claimed = jobs.filter(status=BankImportJob.Status.QUEUED).update(
        status=BankImportJob.Status.RUNNING, started_at=timezone.now(), progress=5
    )
    if not claimed:
        return
    job = jobs.get()
    outcome: dict = {"status": BankImportJob.Status.FAILED}
    try:
        result = bank_import(
            data=bytes(job.content),
            source_name=job.source_name,
            dry_run=job.dry_run,
            progress=lambda percent: jobs.update(progress=percent),
        )
    except BankImportError as exc:
        outcome["errors"] = exc.lines()
    except Exception:
        outcome["errors"] = [
            f"{job.source_name}:1: the import failed unexpectedly; nothing was written"
        ]
        raise
    else:
        outcome = {"status": BankImportJob.Status.DONE, "result": result.as_dict()}
    finally:
        jobs.update(**outcome, progress=100, content=b"", finished_at=timezone.now())
