"""Question-set changes: save a draw, edit items, clone, archive. One rule, one place."""

from __future__ import annotations

import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import user_can
from questions.models import Question, QuestionBank

from .assembly import Blueprint
from .models import QuestionSet, QuestionSetItem
from .selectors import Assembly, default_points, question_set_can_edit, swap_candidates

MAX_ITEMS = 200


def _check_editable(*, actor, question_set: QuestionSet) -> None:
    """Permission and state check; also locks the set's row so two tabs' edits queue up."""
    QuestionSet.objects.select_for_update().filter(pk=question_set.pk).values("pk").first()
    if not question_set_can_edit(actor, question_set):
        raise PermissionDenied(_("Only the set's owner or an administrator may change it."))
    if question_set.is_archived:
        raise ValidationError(_("This set is archived; restore it before changing it."))


def _check_question(question_set: QuestionSet, question: Question) -> None:
    if question.bank_id != question_set.bank_id:
        raise ValidationError(
            {"question": [_("Question %(id)s is from another bank.") % {"id": question.pk}]}
        )
    if not question.is_active:
        raise ValidationError(
            {"question": [_("Question %(id)s is no longer active.") % {"id": question.pk}]}
        )


def _validate_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("Give the set a title.")]})
    return title


def _validate_time_limit(minutes) -> int | None:
    if minutes in (None, ""):
        return None
    if not 1 <= int(minutes) <= 1440:
        raise ValidationError(
            {"time_limit_minutes": [_("The time limit is from 1 to 1440 minutes.")]}
        )
    return int(minutes)


def _validate_points(points) -> int:
    if isinstance(points, bool) or not 1 <= int(points) <= 100:
        raise ValidationError({"points": [_("Points are a whole number from 1 to 100.")]})
    return int(points)


def _touch(question_set: QuestionSet) -> None:
    QuestionSet.objects.filter(pk=question_set.pk).update(updated_at=timezone.now())


def _renumber(question_set: QuestionSet, ordered_ids: list[int]) -> None:
    items = {i.pk: i for i in QuestionSetItem.objects.filter(question_set=question_set)}
    for position, pk in enumerate(ordered_ids, 1):
        items[pk].position = position
    QuestionSetItem.objects.bulk_update(items.values(), ["position"])


def _ordered_ids(question_set: QuestionSet) -> list[int]:
    return list(
        QuestionSetItem.objects.filter(question_set=question_set)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )


def _item_rows(question_set: QuestionSet, items) -> list[QuestionSetItem]:
    """Validated rows for (question, points or None) pairs, in the order given."""
    if len(items) > MAX_ITEMS:
        raise ValidationError(
            {"items": [_("A set holds at most %(n)s questions.") % {"n": MAX_ITEMS}]}
        )
    seen: set[int] = set()
    rows = []
    for position, (question, points) in enumerate(items, 1):
        _check_question(question_set, question)
        if question.pk in seen:
            raise ValidationError(
                {"items": [_("Question %(id)s appears twice.") % {"id": question.pk}]}
            )
        seen.add(question.pk)
        if points is None:
            points = default_points(question)
        rows.append(
            QuestionSetItem(
                question_set=question_set,
                question=question,
                position=position,
                points=_validate_points(points),
            )
        )
    return rows


@transaction.atomic
def question_set_create(
    *,
    owner,
    bank: QuestionBank,
    title: str,
    items: list[tuple[Question, int | None]] = (),
    time_limit_minutes: int | None = None,
    description: str = "",
    blueprint: Blueprint | None = None,
) -> QuestionSet:
    if not user_can(owner, "question_set.edit"):
        raise PermissionDenied(_("Only interviewers and administrators build question sets."))
    title = _validate_title(title)
    question_set = QuestionSet.objects.create(
        owner=owner,
        bank=bank,
        title=title,
        description=description,
        time_limit_minutes=_validate_time_limit(time_limit_minutes),
        blueprint=blueprint.to_data() if blueprint else {},
    )
    QuestionSetItem.objects.bulk_create(_item_rows(question_set, items))
    return question_set


def question_set_create_from_assembly(*, owner, title: str, assembly: Assembly, **fields):
    if not assembly.items:
        raise ValidationError(
            _(
                "A set needs at least one question, and this draft has none: widen the "
                "blueprint and assemble again."
            )
        )
    bank = QuestionBank.objects.get(pk=assembly.blueprint.bank)
    return question_set_create(
        owner=owner,
        bank=bank,
        title=title,
        items=[(i.question, i.points) for i in assembly.items],
        blueprint=assembly.blueprint,
        **fields,
    )


@transaction.atomic
def question_set_update(
    *,
    question_set: QuestionSet,
    actor,
    title: str | None = None,
    description: str | None = None,
    time_limit_minutes=...,
) -> QuestionSet:
    _check_editable(actor=actor, question_set=question_set)
    if title is not None:
        question_set.title = _validate_title(title)
    if description is not None:
        question_set.description = description
    if time_limit_minutes is not ...:
        question_set.time_limit_minutes = _validate_time_limit(time_limit_minutes)
    question_set.save()
    return question_set


@transaction.atomic
def question_set_replace_items(
    *, question_set: QuestionSet, actor, items: list[tuple[Question, int | None]]
) -> QuestionSet:
    """Replace the items wholesale (the API's PATCH with `items`), in the order given."""
    _check_editable(actor=actor, question_set=question_set)
    question_set.items.all().delete()
    QuestionSetItem.objects.bulk_create(_item_rows(question_set, items))
    _touch(question_set)
    return question_set


@transaction.atomic
def question_set_item_add(
    *, question_set: QuestionSet, actor, question: Question
) -> QuestionSetItem:
    _check_editable(actor=actor, question_set=question_set)
    _check_question(question_set, question)
    if question_set.items.filter(question=question).exists():
        raise ValidationError({"question": [_("This question is already in the set.")]})
    if question_set.items.count() >= MAX_ITEMS:
        raise ValidationError(
            {"question": [_("A set holds at most %(n)s questions.") % {"n": MAX_ITEMS}]}
        )
    last = question_set.items.aggregate(last=Max("position"))["last"] or 0
    item = QuestionSetItem.objects.create(
        question_set=question_set,
        question=question,
        position=last + 1,
        points=default_points(question),
    )
    _touch(question_set)
    return item


@transaction.atomic
def question_set_item_remove(*, item: QuestionSetItem, actor) -> None:
    question_set = item.question_set
    _check_editable(actor=actor, question_set=question_set)
    item.delete()
    _renumber(question_set, _ordered_ids(question_set))
    _touch(question_set)


@transaction.atomic
def question_set_item_move(*, item: QuestionSetItem, actor, offset: int) -> None:
    """Move an item up (negative) or down (positive) by `offset` places, clamped to the ends."""
    question_set = item.question_set
    _check_editable(actor=actor, question_set=question_set)
    ids = _ordered_ids(question_set)
    index = ids.index(item.pk)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    _renumber(question_set, ids)
    _touch(question_set)


@transaction.atomic
def question_set_reorder(*, question_set: QuestionSet, actor, item_ids: list[int]) -> None:
    """Put the items in the given order (drag and drop); the list must name every item once."""
    _check_editable(actor=actor, question_set=question_set)
    current = _ordered_ids(question_set)
    if sorted(item_ids) != sorted(current):
        raise ValidationError(
            {"order": [_("The new order must list every item of the set exactly once.")]}
        )
    _renumber(question_set, item_ids)
    _touch(question_set)


@transaction.atomic
def question_set_item_set_points(*, item: QuestionSetItem, actor, points) -> QuestionSetItem:
    _check_editable(actor=actor, question_set=item.question_set)
    item.points = _validate_points(points)
    item.save(update_fields=["points"])
    _touch(item.question_set)
    return item


@transaction.atomic
def question_set_item_swap(
    *, item: QuestionSetItem, actor, replacement: Question | None = None, seed: int | None = None
) -> QuestionSetItem:
    """Replace the item's question with another that fits the same slot; keep its position.

    Points follow the new question's default unless the interviewer had changed them."""
    _check_editable(actor=actor, question_set=item.question_set)
    candidates = swap_candidates(item=item)
    if replacement is None:
        ids = sorted(candidates.values_list("pk", flat=True))
        if not ids:
            raise ValidationError(
                {
                    "question": [
                        _(
                            "The bank has no other question for this slot "
                            "(same band, kind and skill or category)."
                        )
                    ]
                }
            )
        replacement = Question.objects.get(pk=random.Random(seed).choice(ids))  # noqa: S311
    elif not candidates.filter(pk=replacement.pk).exists():
        raise ValidationError(
            {"question": [_("Question %(id)s does not fit this slot.") % {"id": replacement.pk}]}
        )
    had_default = item.points == default_points(item.question)
    item.question = replacement
    if had_default:
        item.points = default_points(replacement)
    item.save(update_fields=["question", "points"])
    _touch(item.question_set)
    return item


@transaction.atomic
def question_set_clone(
    *, question_set: QuestionSet, actor, title: str | None = None
) -> QuestionSet:
    if not user_can(actor, "question_set.edit"):
        raise PermissionDenied(_("Only interviewers and administrators build question sets."))
    clone = QuestionSet.objects.create(
        owner=actor,
        bank=question_set.bank,
        title=_validate_title(title or _("Copy of %(title)s") % {"title": question_set.title}),
        description=question_set.description,
        time_limit_minutes=question_set.time_limit_minutes,
        blueprint=question_set.blueprint,
        cloned_from=question_set,
    )
    QuestionSetItem.objects.bulk_create(
        QuestionSetItem(
            question_set=clone, question_id=i.question_id, position=i.position, points=i.points
        )
        for i in question_set.items.order_by("position", "id")
    )
    return clone


@transaction.atomic
def question_set_archive(*, question_set: QuestionSet, actor, archived: bool = True) -> QuestionSet:
    if not question_set_can_edit(actor, question_set):
        raise PermissionDenied(_("Only the set's owner or an administrator may change it."))
    question_set.archived_at = timezone.now() if archived else None
    question_set.save(update_fields=["archived_at", "updated_at"])
    return question_set
