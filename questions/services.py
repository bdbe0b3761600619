"""Question changes made in the app: create and edit, each edit a new audited version."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .counts import bank_counts_refresh
from .importer import question_snapshot
from .limits import HTML_MAX_NESTING, MARKDOWN_MAX_CHARS
from .markdown import raw_html_too_deep, render_markdown
from .models import Choice, Question, QuestionBank, QuestionKind, QuestionRevision, Skill
from .search import search_document


@dataclass(frozen=True)
class ChoiceInput:
    label: str
    text_md: str
    is_correct: bool


# question_update's default for `skill`: keep the question's skill (None is a real value there).
UNCHANGED = object()


class StaleQuestionVersion(Exception):
    def __init__(self, question: Question):
        self.question = question
        super().__init__(
            f"question {question.pk} is at version {question.version}; reload and edit again"
        )


def _markdown_problem(text: str) -> str | None:
    """Why this markdown may not be stored, checked before anything parses it; None when fine."""
    if len(text) > MARKDOWN_MAX_CHARS:
        return _("At most %(limit)s characters are allowed (this text has %(n)s).") % {
            "limit": f"{MARKDOWN_MAX_CHARS:,}",
            "n": f"{len(text):,}",
        }
    if raw_html_too_deep(text):
        return _("HTML tags here nest more than %(limit)s levels deep; write fewer levels.") % {
            "limit": HTML_MAX_NESTING
        }
    return None


def _markdown_errors(fields: dict[str, str], choices: list[ChoiceInput]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, text in fields.items():
        if problem := _markdown_problem(text):
            errors[name] = [problem]
    for choice in choices:
        if problem := _markdown_problem(choice.text_md):
            errors.setdefault("choices", []).append(
                _("Choice %(label)s: %(problem)s")
                % {"label": choice.label.strip(), "problem": problem}
            )
    return errors


def _validate(
    *,
    kind: str,
    prompt_md: str,
    difficulty,
    skill,
    choices: list[ChoiceInput],
    explanation_md: str = "",
    reference_answer_md: str = "",
) -> dict[str, list[str]]:
    fields = {
        "prompt_md": prompt_md,
        "explanation_md": explanation_md,
        "reference_answer_md": reference_answer_md,
    }
    errors = _markdown_errors(fields, choices)
    if kind not in QuestionKind.values:
        errors.setdefault("kind", []).append(_("Unknown question kind %(kind)s.") % {"kind": kind})
    if not prompt_md.strip():
        errors.setdefault("prompt_md", []).append(_("The question needs a prompt."))
    if difficulty is not None and not 1 <= difficulty <= 10:
        errors.setdefault("difficulty", []).append(_("Difficulty is a whole number from 1 to 10."))
    if difficulty is None and skill is not None:
        errors.setdefault("difficulty", []).append(
            _("A question with a skill needs a difficulty (the skill's is %(d)s).")
            % {"d": skill.difficulty}
        )
    labels = [c.label.strip() for c in choices]
    correct = sum(c.is_correct for c in choices)
    if kind == QuestionKind.OPEN_ENDED:
        if choices:
            errors.setdefault("choices", []).append(_("Open-ended questions have no choices."))
    elif kind in QuestionKind.values:
        if len(choices) < 2:
            errors.setdefault("choices", []).append(
                _("A choice question needs at least 2 choices.")
            )
        if any(not label for label in labels) or len(set(labels)) != len(labels):
            errors.setdefault("choices", []).append(_("Each choice needs its own label."))
        if any(not c.text_md.strip() for c in choices):
            errors.setdefault("choices", []).append(_("Every choice needs text."))
        if kind == QuestionKind.SINGLE_CHOICE and correct != 1:
            errors.setdefault("choices", []).append(
                _("A single-choice question needs exactly one correct choice (it has %(n)s).")
                % {"n": correct}
            )
        if kind == QuestionKind.MULTIPLE_CHOICE and correct < 1:
            errors.setdefault("choices", []).append(
                _("A multiple-choice question needs at least one correct choice.")
            )
    return errors


def _write_choices(question: Question, choices: list[ChoiceInput]) -> list[Choice]:
    question.choices.all().delete()
    return Choice.objects.bulk_create(
        Choice(
            question=question,
            label=c.label.strip(),
            text_md=c.text_md,
            text_html=render_markdown(c.text_md),
            is_correct=c.is_correct,
            position=i,
        )
        for i, c in enumerate(choices)
    )


@transaction.atomic
def question_update(
    *,
    question: Question,
    actor,
    prompt_md: str,
    explanation_md: str,
    reference_answer_md: str,
    difficulty: int | None,
    kind: str | None = None,
    choices: list[ChoiceInput] | None = None,
    expected_version: int | None = None,
    skill: Skill | None = UNCHANGED,
) -> Question:
    """Save an edit as a new version; a later re-import of the bank will not overwrite it.

    `skill` moves the question to another skill of its bank (and that skill's category), or to
    none (long-form). An edit that changes nothing returns the question as it was (same version)."""
    question = (
        Question.objects.select_for_update(of=("self",)).select_related("skill").get(pk=question.pk)
    )
    if expected_version is not None and expected_version != question.version:
        raise StaleQuestionVersion(question)
    kind = kind or question.kind
    if choices is None:
        current = list(question.choices.all())
        choices = [ChoiceInput(c.label, c.text_md, c.is_correct) for c in current]
        if kind == QuestionKind.OPEN_ENDED:
            choices = []
    if skill is UNCHANGED:
        skill = question.skill
    elif skill is not None and skill.category.bank_id != question.bank_id:
        raise ValidationError({"skill": [_("That skill belongs to another bank.")]})
    errors = _validate(
        kind=kind,
        prompt_md=prompt_md,
        explanation_md=explanation_md,
        reference_answer_md=reference_answer_md,
        difficulty=difficulty,
        skill=skill,
        choices=choices,
    )
    if errors:
        raise ValidationError(errors)
    current_choices = [(c.label, c.text_md, c.is_correct) for c in question.choices.all()]
    unchanged = (
        kind == question.kind
        and prompt_md == question.prompt_md
        and explanation_md == question.explanation_md
        and reference_answer_md == question.reference_answer_md
        and difficulty == question.difficulty
        and getattr(skill, "pk", None) == question.skill_id
        and [(c.label.strip(), c.text_md, c.is_correct) for c in choices] == current_choices
    )
    if unchanged:
        # Saving what is already there is not an edit: no version, and imports may still update it.
        return question
    # The version being replaced goes to the history; the question row holds the new one.
    QuestionRevision.objects.create(
        question=question,
        version=question.version,
        source=QuestionRevision.Source.APP
        if question.edited_in_app
        else QuestionRevision.Source.IMPORT,
        snapshot=question_snapshot(question, question.choices.all()),
        author_id=question.last_edited_by_id,
    )
    question.kind = kind
    question.prompt_md = prompt_md
    question.explanation_md = explanation_md
    question.reference_answer_md = reference_answer_md
    question.difficulty = difficulty
    moved_from = question.skill_id
    if getattr(skill, "pk", None) != question.skill_id:
        question.skill, question.category = skill, skill.category if skill else None
    question.render_html()
    question.search_text = search_document(prompt_md, (c.text_md for c in choices))
    question.version += 1
    question.edited_in_app = True
    question.last_edited_by = actor if getattr(actor, "is_authenticated", False) else None
    question.save()
    _write_choices(question, choices)
    if moved_from != question.skill_id:
        bank_counts_refresh(bank=question.bank, skill_ids=[moved_from, question.skill_id])
    return question


@transaction.atomic
def question_create(
    *,
    bank: QuestionBank,
    actor,
    kind: str,
    prompt_md: str,
    skill: Skill | None = None,
    explanation_md: str = "",
    reference_answer_md: str = "",
    difficulty: int | None = None,
    choices: list[ChoiceInput] | None = None,
) -> Question:
    """A question written in the app (not from a file): it belongs to no import."""
    choices = choices or []
    if skill is not None and skill.category.bank_id != bank.pk:
        raise ValidationError({"skill": [_("That skill belongs to another bank.")]})
    if difficulty is None and skill is not None:
        difficulty = skill.difficulty
    errors = _validate(
        kind=kind,
        prompt_md=prompt_md,
        explanation_md=explanation_md,
        reference_answer_md=reference_answer_md,
        difficulty=difficulty,
        skill=skill,
        choices=choices,
    )
    if errors:
        raise ValidationError(errors)
    last = bank.questions.order_by("-position").values_list("position", flat=True).first()
    question = Question(
        bank=bank,
        skill=skill,
        category=skill.category if skill else None,
        kind=kind,
        prompt_md=prompt_md,
        explanation_md=explanation_md,
        reference_answer_md=reference_answer_md,
        difficulty=difficulty,
        edited_in_app=True,
        source_key=f"{Question.APP_SOURCE_PREFIX}{uuid.uuid4().hex}",
        position=(last or 0) + 1,
        last_edited_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    question.render_html()
    question.search_text = search_document(prompt_md, (c.text_md for c in choices))
    question.save(force_insert=True)
    _write_choices(question, choices)
    bank_counts_refresh(bank=bank, skill_ids=[question.skill_id])
    return question
