"""Team pages: the dashboard; question sets: list, assemble from a blueprint, refine with htmx,
print."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import capability_required
from accounts.roles import user_can
from questions.filters import QuestionFilter
from questions.models import Question, QuestionKind
from questions.selectors import bank_list, bank_tree, kind_counts, question_list

from . import services
from .assembly import Blueprint, BlueprintError
from .forms import DEFAULT_BANDS, QuestionSetForm, blueprint_data_from_post
from .models import MAX_TIME_LIMIT_MINUTES, QuestionSet, QuestionSetItem
from .parsing import whole_number
from .selectors import (
    question_set_assemble,
    question_set_can_edit,
    question_set_items,
    question_set_list,
    set_summary,
    swap_candidates,
)

PAGE_SIZE = 25
SWAP_OPTIONS = 8


def _set_for(request, pk) -> QuestionSet:
    return get_object_or_404(QuestionSet.objects.select_related("bank", "owner"), pk=pk)


def _editable_set(request, pk) -> QuestionSet:
    question_set = _set_for(request, pk)
    if not question_set_can_edit(request.user, question_set):
        raise PermissionDenied
    return question_set


@capability_required("question_set.view")
def set_list(request):
    show_archived = request.GET.get("archived") == "1"
    page = Paginator(
        question_set_list(user=request.user, include_archived=show_archived), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "interviews/set_list.html",
        {
            "page": page,
            "show_archived": show_archived,
            "can_build": user_can(request.user, "question_set.edit"),
        },
    )


# How the builder page names the blueprint fields that errors are reported against.
BLUEPRINT_LABELS = {
    "bank": gettext_lazy("Bank"),
    "count": gettext_lazy("Number of questions"),
    "categories": gettext_lazy("Categories"),
    "skills": gettext_lazy("Skills"),
    "difficulty_min": gettext_lazy("Difficulty from"),
    "difficulty_max": gettext_lazy("Difficulty to"),
    "bands": gettext_lazy("Bands with counts"),
    "kinds": gettext_lazy("Questions per kind"),
    "seed": gettext_lazy("Seed"),
}


def _builder_context(request, bank, data: dict, initial: dict | None = None) -> dict:
    categories = bank_tree(bank=bank)
    in_bank = kind_counts(bank=bank)
    return {
        "banks": bank_list(),
        "bank": bank,
        "categories": categories,
        "data": data,
        "band_rows": _band_rows(data),
        "kinds": [
            (k, k.label, (data.get("kinds") or {}).get(k), in_bank.get(k, 0)) for k in QuestionKind
        ],
        # The title is required to save; Assemble and Draw again skip the browser's check.
        "form": QuestionSetForm(initial=initial or {}),
        # An htmx answer replaces the set's fields above the draft too (with their errors).
        "oob": bool(request.htmx),
    }


def _band_rows(data: dict) -> list[dict]:
    given = data.get("bands") or []
    rows = []
    for i, (low, high) in enumerate(DEFAULT_BANDS):
        band = given[i] if i < len(given) else {}
        rows.append(
            {
                "index": i,
                "min": band.get("min", low),
                "max": band.get("max", high),
                "count": band.get("count", ""),
            }
        )
    return rows


@capability_required("question_set.edit")
def set_builder(request):
    """Draw a draft from a blueprint (htmx preview), then save it as a set."""
    banks = list(bank_list())
    if not banks:
        messages.warning(request, _("Import a question bank before building sets."))
        return redirect("questions:bank")
    source = request.POST if request.method == "POST" else request.GET
    bank = next((b for b in banks if str(b.pk) == source.get("bank")), banks[0])
    if request.method != "POST":
        data = {"bank": bank.pk, "count": 10, "mode": "bands"}
        data["bands"] = [
            {"min": 2, "max": 4, "count": 3},
            {"min": 5, "max": 7, "count": 4},
            {"min": 8, "max": 10, "count": 3},
        ]
        return render(request, "interviews/builder.html", _builder_context(request, bank, data))

    post = request.POST.copy()
    action = post.get("action", "preview")
    # Every draw has a seed, shown with the draft (the assembly chooses one when none is given):
    # a redraw asks for a new one, and saving keeps exactly the set that was shown, whatever
    # the seed field says (it still holds a typed seed after "Draw again").
    if action == "redraw":
        post["seed"] = ""
    elif action == "save" and post.get("draft_seed"):
        post["seed"] = post["draft_seed"]
    data = blueprint_data_from_post(post)
    data["mode"] = post.get("mode", "range")
    saved_fields = {k: post.get(k, "") for k in ("title", "time_limit_minutes")}
    context = _builder_context(request, bank, data, initial=saved_fields)
    context["seed"] = post.get("seed", "")
    try:
        blueprint = Blueprint.from_data(data)
        assembly = question_set_assemble(blueprint=blueprint)
    except BlueprintError as exc:
        context["blueprint_errors"] = [
            (BLUEPRINT_LABELS.get(field, field), errors) for field, errors in exc.errors.items()
        ]
        template = "interviews/_draft.html" if request.htmx else "interviews/builder.html"
        return render(request, template, context, status=400)
    context["assembly"] = assembly
    context["seed"] = data["seed"] = assembly.blueprint.seed
    context["summary"] = assembly.summary
    limit = whole_number(post.get("time_limit_minutes", ""))
    # the draft's time is compared with a limit that could be saved, and with nothing else
    context["time_limit"] = limit if limit and 1 <= limit <= MAX_TIME_LIMIT_MINUTES else None
    if action == "save":
        form = QuestionSetForm(post)
        if form.is_valid():
            try:
                question_set = services.question_set_create_from_assembly(
                    owner=request.user, assembly=assembly, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Question set saved."))
                if request.htmx:
                    response = render(request, "interviews/_draft.html", context)
                    response["HX-Redirect"] = question_set.get_absolute_url()
                    return response
                return redirect(question_set.get_absolute_url())
        context["form"] = form
        status = 400  # the draft comes back with what to fix before it can be saved
    else:
        status = 200
    template = "interviews/_draft.html" if request.htmx else "interviews/builder.html"
    return render(request, template, context, status=status)


def _editor_context(request, question_set: QuestionSet) -> dict:
    items = question_set_items(question_set)
    return {
        "question_set": question_set,
        "items": items,
        "summary": set_summary([(i.question, i.points) for i in items]),
        "time_limit": question_set.time_limit_minutes,
        "can_edit": question_set_can_edit(request.user, question_set)
        and not question_set.is_archived,
        "can_manage": question_set_can_edit(request.user, question_set),
        "can_clone": user_can(request.user, "question_set.edit"),
        "show_keys": user_can(request.user, "bank.view_keys"),
    }


@capability_required("question_set.view")
def set_detail(request, pk):
    question_set = _set_for(request, pk)
    context = _editor_context(request, question_set)
    context["kinds"] = QuestionKind.choices
    context["form"] = QuestionSetForm(
        initial={
            "title": question_set.title,
            "time_limit_minutes": question_set.time_limit_minutes,
            "description": question_set.description,
        }
    )
    return render(request, "interviews/set_detail.html", context)


def _editor_response(
    request,
    question_set,
    error: str | None = None,
    error_item: int | None = None,
    status=200,
    announce: str | None = None,
    announce_item: int | None = None,
    typed_points: str | None = None,
):
    """The editor fragment; an error is shown in the row it concerns, or above the list.

    `announce` names what just happened to `announce_item` ("moved", "swapped", "removed",
    "points", "added"): the fragment carries it in words for screen readers. Refused
    `typed_points` stay in their field, marked invalid, for the user to correct."""
    context = _editor_context(request, question_set)
    context["announce"], context["announce_item"] = announce, announce_item
    if error_item is not None and any(i.pk == error_item for i in context["items"]):
        context["item_error"], context["error_item"] = error, error_item
        context["typed_points"] = typed_points
    else:
        context["error"] = error
    return render(request, "interviews/_editor.html", context, status=status)


def _item(question_set, item_pk) -> QuestionSetItem:
    return get_object_or_404(
        QuestionSetItem.objects.select_related("question", "question_set"),
        pk=item_pk,
        question_set=question_set,
    )


def _run(
    request,
    question_set,
    action,
    item: int | None = None,
    announce: str = "",
    typed_points: str | None = None,
):
    """Call a service for an htmx editor action; answer with the refreshed editor.

    A refused action changes nothing and answers 422 with the reason, next to the `item` (id)
    if given (with the points typed, if they were refused); an action on an item removed
    meanwhile answers 409 with the set as it is now.
    On success the editor says what happened (`announce`); an added item is also named in an
    event, for the page to scroll to it and mark its search result as added."""
    try:
        result = action()
    except ValidationError as exc:
        text = " ".join(
            m for msgs in getattr(exc, "message_dict", {"": exc.messages}).values() for m in msgs
        )
        return _editor_response(
            request,
            question_set,
            error=text,
            error_item=item,
            status=422,
            typed_points=typed_points,
        )
    except services.ItemRemoved as exc:
        return _editor_response(request, question_set, error=str(exc), status=409)
    if not request.htmx:
        return redirect(question_set.get_absolute_url())
    added = announce == "added"
    response = _editor_response(
        request,
        question_set,
        announce=announce,
        announce_item=result.pk if added else item,
    )
    if added:
        response["HX-Trigger-After-Settle"] = json.dumps({"set-item-added": {"item": result.pk}})
    return response


@require_POST
@capability_required("question_set.edit")
def item_move(request, pk, item_pk, direction):
    question_set = _editable_set(request, pk)
    offset = {"up": -1, "down": 1, "top": -10_000, "bottom": 10_000}.get(direction)
    if offset is None:
        raise Http404
    return _run(
        request,
        question_set,
        lambda: services.question_set_item_move(
            question_set=question_set, item_id=item_pk, actor=request.user, offset=offset
        ),
        item=item_pk,
        announce="moved",
    )


@require_POST
@capability_required("question_set.edit")
def items_reorder(request, pk):
    question_set = _editable_set(request, pk)
    order = [whole_number(v) for raw in request.POST.getlist("order") for v in raw.split(",") if v]
    return _run(
        request,
        question_set,
        lambda: services.question_set_reorder(
            question_set=question_set, actor=request.user, item_ids=order
        ),
    )


@require_POST
@capability_required("question_set.edit")
def item_remove(request, pk, item_pk):
    question_set = _editable_set(request, pk)
    return _run(
        request,
        question_set,
        lambda: services.question_set_item_remove(
            question_set=question_set, item_id=item_pk, actor=request.user
        ),
        item=item_pk,
        announce="removed",
    )


@require_POST
@capability_required("question_set.edit")
def item_swap(request, pk, item_pk):
    """Swap for the question named in the POST, or for a random one that fits the slot."""
    question_set = _editable_set(request, pk)
    replacement = _posted_question(request) if request.POST.get("question") else None
    return _run(
        request,
        question_set,
        lambda: services.question_set_item_swap(
            question_set=question_set,
            item_id=item_pk,
            actor=request.user,
            replacement=replacement,
        ),
        item=item_pk,
        announce="swapped",
    )


@capability_required("question_set.edit")
def item_swap_options(request, pk, item_pk):
    """The questions that fit an item's slot, for the interviewer to choose from."""
    question_set = _editable_set(request, pk)
    item = _item(question_set, item_pk)
    candidates = swap_candidates(item=item).select_related("skill", "category")
    return render(
        request,
        "interviews/_swap_options.html",
        {
            "question_set": question_set,
            "item": item,
            "candidates": candidates.order_by("difficulty", "pk")[:SWAP_OPTIONS],
            "more": max(0, candidates.count() - SWAP_OPTIONS),
        },
    )


@require_POST
@capability_required("question_set.edit")
def item_points(request, pk, item_pk):
    question_set = _editable_set(request, pk)
    raw = request.POST.get("points", "")
    return _run(
        request,
        question_set,
        lambda: services.question_set_item_set_points(
            question_set=question_set, item_id=item_pk, actor=request.user, points=raw
        ),
        item=item_pk,
        announce="points",
        typed_points=raw[:20],
    )


def _posted_question(request) -> Question:
    """The question named by the POST's `question` id; 404 for a missing or malformed id."""
    pk = whole_number(request.POST.get("question", ""))
    if pk is None or pk < 1:
        raise Http404
    return get_object_or_404(Question, pk=pk)


@require_POST
@capability_required("question_set.edit")
def item_add(request, pk):
    question_set = _editable_set(request, pk)
    question = _posted_question(request)
    return _run(
        request,
        question_set,
        lambda: services.question_set_item_add(
            question_set=question_set, actor=request.user, question=question
        ),
        announce="added",
    )


@capability_required("question_set.edit")
def add_search(request, pk):
    """The bank search panel of the editor: matching questions not yet in the set."""
    question_set = _editable_set(request, pk)
    data = request.GET.copy()
    data["bank"] = str(question_set.bank_id)
    base = question_list(bank=question_set.bank).exclude(set_items__question_set=question_set)
    filterset = QuestionFilter(data, queryset=base, request=request)
    results = filterset.qs[:10] if filterset.is_valid() else []
    return render(
        request,
        "interviews/_add_results.html",
        {"question_set": question_set, "results": results, "filter": filterset},
    )


@require_POST
@capability_required("question_set.edit")
def set_update(request, pk):
    question_set = _editable_set(request, pk)
    form = QuestionSetForm(request.POST)
    if form.is_valid():
        try:
            services.question_set_update(
                question_set=question_set, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Check the title and the time limit (1 to 1440 minutes)."))
    return redirect(question_set.get_absolute_url())


@require_POST
@capability_required("question_set.edit")
def set_clone(request, pk):
    question_set = _set_for(request, pk)
    clone = services.question_set_clone(question_set=question_set, actor=request.user)
    messages.success(request, _("This is your copy; the original is unchanged."))
    return redirect(clone.get_absolute_url())


@require_POST
@capability_required("question_set.edit")
def set_archive(request, pk):
    question_set = _editable_set(request, pk)
    archived = request.POST.get("archived", "1") == "1"
    services.question_set_archive(question_set=question_set, actor=request.user, archived=archived)
    messages.success(request, _("Archived.") if archived else _("Restored."))
    return redirect(question_set.get_absolute_url())


@capability_required("question_set.view")
def set_print(request, pk, view):
    if view not in ("preview", "kit"):
        raise Http404
    question_set = _set_for(request, pk)
    if view == "kit" and not user_can(request.user, "bank.view_keys"):
        raise PermissionDenied
    items = question_set_items(question_set)
    return render(
        request,
        "interviews/set_print.html",
        {
            "question_set": question_set,
            "items": items,
            "kit": view == "kit",
            "summary": set_summary([(i.question, i.points) for i in items]),
            "time_limit": question_set.time_limit_minutes,
            "rubric": RUBRIC,
        },
    )


RUBRIC = (
    (0, gettext_lazy("No answer, or wrong in substance.")),
    (1, gettext_lazy("Fragments: names ideas without understanding them.")),
    (2, gettext_lazy("Partly right: the main idea with gaps or errors.")),
    (3, gettext_lazy("Right and clear, with minor gaps.")),
    (4, gettext_lazy("Complete and precise: trade-offs, examples, depth beyond the reference.")),
)


def home(request):
    """The dashboard: what the bank holds and the question sets to carry on with."""
    context = {}
    if user_can(request.user, "bank.view"):
        context["banks"] = list(bank_list().order_by("title")[:5])
    if user_can(request.user, "question_set.view"):
        sets = question_set_list(user=request.user)
        context["my_sets"] = list(sets.filter(owner=request.user)[:5])
        context["recent_sets"] = list(sets.exclude(owner=request.user)[:5])
        context["can_build"] = user_can(request.user, "question_set.edit")
    return render(request, "interviews/dashboard.html", context)
