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
from .models import MAX_TIME_LIMIT_MINUTES, QuestionSet, QuestionSetItem
from .parsing import whole_number
from .selectors import Assembly, default_points, question_set_can_edit, swap_candidates

MAX_ITEMS = 200


def _locked(*, actor, question_set: QuestionSet) -> QuestionSet:
    """The set's row read again under its lock, if `actor` may change the set.

    Edits of one set queue up on this lock, and each decides on what the one before it wrote:
    an object read before the lock is stale by definition."""
    locked = QuestionSet.objects.select_for_update().get(pk=question_set.pk)
    if not question_set_can_edit(actor, locked):
        raise PermissionDenied(_("Only the set's owner or an administrator may change it."))
    return locked


def _check_editable(*, actor, question_set: QuestionSet) -> QuestionSet:
    """The set locked and read again, if `actor` may change its questions now (not archived)."""
    locked = _locked(actor=actor, question_set=question_set)
    if locked.is_archived:
        raise ValidationError(_("This set is archived; restore it before changing it."))
    return locked


class ItemRemoved(QuestionSetItem.DoesNotExist):
    """The item an action names is no longer in the set: it was removed meanwhile."""


def _locked_item(question_set: QuestionSet, item_id: int) -> QuestionSetItem:
    """The item, read after its set's lock was taken (never before: it may be gone by then)."""
    item = (
        QuestionSetItem.objects.select_related("question")
        .filter(question_set=question_set, pk=item_id)
        .first()
    )
    if item is None:
        raise ItemRemoved(
            _(
                "That question is no longer in the set: it was removed, perhaps in another tab. "
                "The list shows the set as it is now."
            )
        )
    item.question_set = question_set
    return item


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
    """None for no limit (None or blank), else the minutes as an int; anything else is refused."""
    if minutes is None or (isinstance(minutes, str) and not minutes.strip()):
        return None
    number = whole_number(minutes)
    if number is None or not 1 <= number <= MAX_TIME_LIMIT_MINUTES:
        raise ValidationError(
            {
                "time_limit_minutes": [
                    _("The time limit is a whole number of minutes, 1 to %(max)s.")
                    % {"max": MAX_TIME_LIMIT_MINUTES}
                ]
            }
        )
    return number


def _validate_points(points) -> int:
    number = whole_number(points)
    if number is None or not 1 <= number <= 100:
        raise ValidationError({"points": [_("Points are a whole number from 1 to 100.")]})
    return number


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
    """Change the set's settings; only the fields given are written, so an edit made meanwhile
    to another field (archiving, say) stays. An archived set's settings may still change:
    archiving freezes its questions, not its name."""
    locked = _locked(actor=actor, question_set=question_set)
    changes = {}
    if title is not None:
        changes["title"] = _validate_title(title)
    if description is not None:
        changes["description"] = description
    if time_limit_minutes is not ...:
        changes["time_limit_minutes"] = _validate_time_limit(time_limit_minutes)
    for name, value in changes.items():
        setattr(locked, name, value)
    if changes:
        locked.save(update_fields=[*changes, "updated_at"])
    return locked


@transaction.atomic
def question_set_replace_items(
    *, question_set: QuestionSet, actor, items: list[tuple[Question, int | None]]
) -> QuestionSet:
    """Replace the items wholesale (the API's PATCH with `items`), in the order given.

    A question that stays keeps its item (and the item's id), so an editor open on the set
    still names it: a removal queued behind this PATCH removes what it was asked to."""
    question_set = _check_editable(actor=actor, question_set=question_set)
    rows = _item_rows(question_set, items)
    current = {i.question_id: i for i in QuestionSetItem.objects.filter(question_set=question_set)}
    kept = []
    for row in rows:
        item = current.pop(row.question_id, None)
        if item is not None:
            item.position, item.points = row.position, row.points
            kept.append(item)
    QuestionSetItem.objects.filter(pk__in=[i.pk for i in current.values()]).delete()
    QuestionSetItem.objects.bulk_update(kept, ["position", "points"])
    kept_questions = {i.question_id for i in kept}
    QuestionSetItem.objects.bulk_create(r for r in rows if r.question_id not in kept_questions)
    _touch(question_set)
    return question_set


@transaction.atomic
def question_set_item_add(
    *, question_set: QuestionSet, actor, question: Question
) -> QuestionSetItem:
    question_set = _check_editable(actor=actor, question_set=question_set)
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
def question_set_item_remove(*, question_set: QuestionSet, item_id: int, actor) -> None:
    question_set = _check_editable(actor=actor, question_set=question_set)
    _locked_item(question_set, item_id).delete()
    _renumber(question_set, _ordered_ids(question_set))
    _touch(question_set)


@transaction.atomic
def question_set_item_move(*, question_set: QuestionSet, item_id: int, actor, offset: int) -> None:
    """Move an item up (negative) or down (positive) by `offset` places, clamped to the ends."""
    question_set = _check_editable(actor=actor, question_set=question_set)
    item = _locked_item(question_set, item_id)
    ids = _ordered_ids(question_set)
    index = ids.index(item.pk)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    _renumber(question_set, ids)
    _touch(question_set)


@transaction.atomic
def question_set_reorder(*, question_set: QuestionSet, actor, item_ids: list[int]) -> None:
    """Put the items in the given order (drag and drop); the list must name every item once."""
    question_set = _check_editable(actor=actor, question_set=question_set)
    current = _ordered_ids(question_set)
    if len(item_ids) != len(current) or set(item_ids) != set(current):
        raise ValidationError(
            {"order": [_("The new order must list every item of the set exactly once.")]}
        )
    _renumber(question_set, item_ids)
    _touch(question_set)


@transaction.atomic
def question_set_item_set_points(
    *, question_set: QuestionSet, item_id: int, actor, points
) -> QuestionSetItem:
    question_set = _check_editable(actor=actor, question_set=question_set)
    item = _locked_item(question_set, item_id)
    item.points = _validate_points(points)
    item.save(update_fields=["points"])
    _touch(item.question_set)
    return item


def _swap_draw(question_set: QuestionSet, item: QuestionSetItem, seed) -> random.Random:
    """The draw of a random swap: from `seed` when given, else from the set's own seed with the
    item's place and question, so a set swaps the same way each time it is in the same state
    (like its draw); a set with no seed (made by hand) swaps at random."""
    if seed is None and (question_set.blueprint or {}).get("seed") is not None:
        seed = f"{question_set.blueprint['seed']}:{item.position}:{item.question_id}"
    return random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret


@transaction.atomic
def question_set_item_swap(
    *,
    question_set: QuestionSet,
    item_id: int,
    actor,
    replacement: Question | None = None,
    seed: int | None = None,
) -> QuestionSetItem:
    """Replace the item's question with another that fits the same slot; keep its position.

    Points follow the new question's default unless the interviewer had changed them."""
    question_set = _check_editable(actor=actor, question_set=question_set)
    item = _locked_item(question_set, item_id)
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
        replacement = Question.objects.get(pk=_swap_draw(question_set, item, seed).choice(ids))
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
    """Archive (or restore) the set; a set already in that state is left as it is."""
    locked = _locked(actor=actor, question_set=question_set)
    if locked.is_archived != archived:
        locked.archived_at = timezone.now() if archived else None
        locked.save(update_fields=["archived_at", "updated_at"])
    return locked
