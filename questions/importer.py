"""bank_import: write a parsed bank file into the database, atomically and idempotently."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .bankformat import BankFormatError, ParsedBank, ParsedQuestion, parse_bank
from .markdown import render_markdown
from .models import Category, Choice, Question, QuestionBank, QuestionRevision, Skill


class BankImportError(Exception):
    """The file was refused whole; nothing was written. `issues` are (line, message) pairs."""

    def __init__(self, source_name: str, issues: list[tuple[int, str]]):
        self.source_name = source_name
        self.issues = issues
        super().__init__("\n".join(f"{source_name}:{line}: {msg}" for line, msg in issues))

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


def bank_import(*, data: bytes, source_name: str, dry_run: bool = False) -> ImportResult:
    """Import a bank file: create it, or update the bank with the same title in place.

    Questions are matched on `source_key`. A question whose file content changed is updated
    (new version) unless someone edited it in the app since: that is reported as a conflict
    and left alone. Questions gone from the file are deactivated, never deleted.
    """
    max_bytes = settings.BANK_UPLOAD_MAX_BYTES
    try:
        parsed = parse_bank(data, max_bytes=max_bytes)
    except BankFormatError as exc:
        raise BankImportError(source_name, list(exc.issues)) from None
    sha = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        result = _write_bank(parsed, source_name=source_name, sha=sha)
        result.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return result


def _write_bank(parsed: ParsedBank, *, source_name: str, sha: str) -> ImportResult:
    now = timezone.now()
    bank = QuestionBank.objects.select_for_update().filter(title=parsed.title).first()
    if bank is None:
        bank = QuestionBank.objects.create(
            title=parsed.title, slug=_bank_slug(parsed.title, source_name)
        )
    result = ImportResult(bank=bank)
    result.warnings = [f"{source_name}:{line}: {msg}" for line, msg in parsed.warnings]
    result.long_form_without_answer = parsed.long_form_without_answer

    categories = {c.name: c for c in bank.categories.all()}
    skills = {s.anchor: s for s in Skill.objects.filter(category__bank=bank)}
    existing = {q.source_key: q for q in bank.questions.all()}
    # Categories and skills: upsert by name / anchor, keep the file's order.
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
    wanted: list[tuple[ParsedQuestion, Category | None, Skill | None, int | None]] = []
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
    Skill.objects.bulk_update(changed_skills, ["category", "name", "difficulty", "position"])
    wanted += [(q, None, None, None) for q in parsed.long_form]

    to_create: list[tuple[Question, ParsedQuestion]] = []
    to_update: list[tuple[Question, ParsedQuestion]] = []
    superseded: dict[int, tuple[int, dict]] = {}  # question id -> (old version, old content)
    seen: set[str] = set()
    for position, (pq, category, skill, difficulty) in enumerate(wanted):
        seen.add(pq.source_key)
        fingerprint = _fingerprint(pq, difficulty, skill.anchor if skill else "")
        question = existing.get(pq.source_key)
        if question is None:
            question = Question(
                bank=bank,
                category=category,
                skill=skill,
                source_key=pq.source_key,
            )
            _apply(question, pq, difficulty, fingerprint, position)
            to_create.append((question, pq))
            continue
        if question.source_fingerprint == fingerprint or question.edited_in_app:
            if question.source_fingerprint == fingerprint:
                result.unchanged += question.is_active
            else:
                result.conflicts.append(
                    f"{source_name}:{pq.line}: question {pq.source_key} changed in the file but "
                    f"was edited in the app (version {question.version}); kept the app's version"
                )
            dirty = (question.position, question.source_line) != (position, pq.line)
            question.position, question.source_line = position, pq.line
            if not question.is_active:
                question.is_active, dirty = True, True
                result.reactivated += 1
            if dirty:
                to_update.append((question, None))
            continue
        superseded[question.pk] = (question.version, question_snapshot(question, ()))
        question.category, question.skill = category, skill
        question.version += 1
        _apply(question, pq, difficulty, fingerprint, position)
        question.is_active = True
        to_update.append((question, pq))
        result.updated += 1

    # Gone from the file: deactivated. Questions written in the app were never in it: kept.
    gone = [
        q
        for key, q in existing.items()
        if key not in seen and q.is_active and not key.startswith(Question.APP_SOURCE_PREFIX)
    ]
    for question in gone:
        question.is_active = False
        to_update.append((question, None))
    result.deactivated = len(gone)

    created = Question.objects.bulk_create([q for q, _ in to_create], batch_size=1000)
    result.created = len(created)
    if to_update:
        Question.objects.bulk_update(
            [q for q, _ in to_update],
            [
                "category",
                "skill",
                "kind",
                "prompt_md",
                "explanation_md",
                "reference_answer_md",
                "prompt_html",
                "explanation_html",
                "reference_answer_html",
                "difficulty",
                "version",
                "source_fingerprint",
                "source_line",
                "position",
                "is_active",
                "updated_at",
            ],
            batch_size=1000,
        )
    changed_content = [(q, pq) for q, pq in to_update if pq is not None]
    # The versions these updates supersede go to the history, with the choices they had.
    old_choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(question_id__in=superseded).order_by("position", "id"):
        old_choices.setdefault(choice.question_id, []).append(choice)
    QuestionRevision.objects.bulk_create(
        [
            QuestionRevision(
                question_id=pk,
                version=version,
                source=QuestionRevision.Source.IMPORT,
                snapshot={**content, "choices": choice_snapshot(old_choices.get(pk, ()))},
            )
            for pk, (version, content) in superseded.items()
        ],
        batch_size=1000,
    )
    Choice.objects.filter(question__in=[q for q, _ in changed_content]).delete()
    Choice.objects.bulk_create(
        [
            Choice(
                question=question,
                label=c.label,
                text_md=c.text_md,
                text_html=render_markdown(c.text_md),
                is_correct=c.is_correct,
                position=i,
            )
            for question, pq in [*to_create, *changed_content]
            for i, c in enumerate(pq.choices)
        ],
        batch_size=2000,
    )

    if result.changed or bank.source_sha256 != sha:
        bank.source_name = Path(source_name).name  # never a server path
        bank.source_sha256 = sha
        bank.imported_at = now
        bank.save(update_fields=["source_name", "source_sha256", "imported_at"])
    return result


def _apply(question: Question, pq: ParsedQuestion, difficulty, fingerprint: str, position: int):
    question.kind = pq.kind
    question.prompt_md = pq.prompt_md
    question.explanation_md = pq.explanation_md
    question.reference_answer_md = pq.reference_answer_md
    question.render_html()
    question.difficulty = difficulty  # None for long-form: unrated until someone rates it
    question.source_fingerprint = fingerprint
    question.source_line = pq.line
    question.position = position
    question.updated_at = timezone.now()


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
