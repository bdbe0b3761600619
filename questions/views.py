"""Bank pages: browse and filter, read a question, edit it, upload a bank file."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import capability_required
from accounts.roles import user_can

from .filters import QuestionFilter
from .forms import (
    NO_SKILL,
    BankUploadForm,
    ChoiceFormSet,
    MarkdownPreviewForm,
    QuestionEditForm,
)
from .import_jobs import bank_import_job_for, bank_upload_import
from .importer import BankImportError
from .markdown import render_markdown
from .models import BankImportJob, QuestionBank, QuestionKind
from .paging import KnownCountPaginator, uncounted_page
from .selectors import (
    bank_list,
    bank_skills,
    category_in_bank,
    category_list,
    kept_question_count,
    question_list,
    question_rows,
    skill_in_bank,
    skill_list,
)
from .services import ChoiceInput, StaleQuestionVersion, question_update

PAGE_SIZE = 25
# Filters that a link of the category tree carries over: the tree chooses where to look, the
# search, kind and difficulty say what to look for.
TREE_KEPT_FILTERS = ("search", "kind", "difficulty_min", "difficulty_max")


def _without(data: QueryDict, names: tuple[str, ...]) -> str:
    """The bank page's query string with the named filters (and the page number) removed."""
    rest = data.copy()
    for name in (*names, "page"):
        rest.pop(name, None)
    return rest.urlencode()


def _tree_query(params: QueryDict) -> str:
    """The filters a link of the category tree keeps, as a query string ('' when none)."""
    kept = QueryDict(mutable=True)
    for name in TREE_KEPT_FILTERS:
        if params.get(name):
            kept[name] = params[name]
    return kept.urlencode()


def _difficulty_words(low, high) -> str:
    if low is not None and high is not None:
        return _("Difficulty %(low)s to %(high)s") % {"low": low, "high": high}
    if low is not None:
        return _("Difficulty from %(low)s") % {"low": low}
    return _("Difficulty up to %(high)s") % {"high": high}


def _filter_chips(data: QueryDict, cleaned: dict, category, skill) -> list[dict]:
    """One chip per active filter: what it says and the link that removes it."""
    kinds = dict(QuestionKind.choices)
    chips = []
    if cleaned.get("search"):
        chips.append((_("Search: %(value)s") % {"value": cleaned["search"]}, ("search",)))
    if category is not None:
        label = _("Category: %(value)s") % {"value": category.name}
        chips.append((label, ("category", "skill")))  # a skill lies inside its category
    if skill is not None:
        chips.append((_("Skill: %(value)s") % {"value": skill.name}, ("skill",)))
    if cleaned.get("kind") in kinds:
        chips.append((_("Kind: %(value)s") % {"value": kinds[cleaned["kind"]]}, ("kind",)))
    low, high = cleaned.get("difficulty_min"), cleaned.get("difficulty_max")
    if low is not None or high is not None:
        low, high = (int(v) if v is not None else None for v in (low, high))
        chips.append((_difficulty_words(low, high), ("difficulty_min", "difficulty_max")))
    if cleaned.get("long_form"):
        chips.append((_("Long-form questions"), ("long_form",)))
    return [{"label": label, "query": _without(data, removes)} for label, removes in chips]


def _where(data: QueryDict, bank) -> tuple:
    """(category, skill, its category's skills) the request looks in; a skill outside the
    chosen category is dropped from `data` (the category was changed after it was chosen)."""
    category = category_in_bank(bank=bank, pk=data.get("category"))
    skill = None
    if data.get("skill"):
        skill = skill_in_bank(bank_id=bank.pk, pk=data["skill"])
        if skill is not None and not data.get("category"):
            category = skill.category
        if skill is None or category is None or skill.category_id != category.pk:
            skill = None
            data.pop("skill")
    skills = list(skill_list(category=category)) if category is not None else []
    return category, skill, skills


def _results_page(request, filterset, cleaned: dict, bank, category, skill):
    """The page of results asked for: searches in relevance order and uncounted, the rest in the
    bank's order, counted from the kept counts where the filters allow."""
    number = request.GET.get("page")
    if not filterset.is_valid():
        return KnownCountPaginator(filterset.queryset.none(), PAGE_SIZE).get_page(1)
    if filterset.question_search() is not None:
        ranked = filterset.search_ranked(size=bank.question_count)
        return uncounted_page(ranked, PAGE_SIZE, number)
    count = kept_question_count(filters=cleaned, bank=bank, category=category, skill=skill)
    return KnownCountPaginator(filterset.qs, PAGE_SIZE, count=count).get_page(number)


@capability_required("bank.view")
def bank_index(request):
    banks = list(bank_list())
    bank_id = request.GET.get("bank")
    bank = next((b for b in banks if str(b.pk) == bank_id), banks[0] if banks else None)
    context = {"banks": banks, "bank": bank, "can_import": user_can(request.user, "bank.import")}
    if bank is None:
        return render(request, "questions/bank.html", context)
    data = request.GET.copy()
    data["bank"] = str(bank.pk)
    category, skill, skills = _where(data, bank)
    filterset = QuestionFilter(
        data, queryset=question_rows(bank=bank), request=request, defer_search=True
    )
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else {}
    query = data.copy()
    query.pop("page", None)
    context |= {
        "filter": filterset,
        "page": _results_page(request, filterset, cleaned, bank, category, skill),
        # Read only when the tree is drawn, not when it comes from the cache (_tree.html).
        "categories": SimpleLazyObject(lambda: list(category_list(bank=bank))),
        "skills": skills,
        "selected_category": getattr(category, "pk", None),
        "selected_skill": getattr(skill, "pk", None),
        "query": query.urlencode(),
        "tree_query": _tree_query(request.GET),
        "chips": _filter_chips(data, cleaned, category, skill),
        # Answers are searched only for who may read them (QuestionFilter.question_search).
        "search_includes_answers": user_can(request.user, "bank.view_keys"),
        "kinds": QuestionKind.choices,
        "difficulties": range(1, 11),
    }
    template = "questions/_results.html" if request.htmx else "questions/bank.html"
    return render(request, template, context)


@capability_required("bank.view")
def question_detail(request, pk):
    question = get_object_or_404(
        question_list(include_inactive=True).select_related("last_edited_by"), pk=pk
    )
    return render(
        request,
        "questions/question_detail.html",
        {
            "question": question,
            "show_keys": user_can(request.user, "bank.view_keys"),
            "can_edit": user_can(request.user, "bank.edit"),
            "revisions": question.revisions.select_related("author")[:20],
        },
    )


def _edit_forms(request, question, skills):
    if request.method == "POST":
        return (
            QuestionEditForm(request.POST, skills=skills),
            ChoiceFormSet(request.POST, prefix="choices"),
        )
    form = QuestionEditForm(
        skills=skills,
        initial={
            "kind": question.kind,
            "skill": question.skill_id or NO_SKILL,
            "difficulty": question.difficulty,
            "prompt_md": question.prompt_md,
            "explanation_md": question.explanation_md,
            "reference_answer_md": question.reference_answer_md,
            "version": question.version,
        },
    )
    formset = ChoiceFormSet(
        prefix="choices",
        initial=[
            {"label": c.label, "text_md": c.text_md, "is_correct": c.is_correct}
            for c in question.choices.all()
        ],
    )
    return form, formset


def _submitted_choices(formset) -> list[ChoiceInput]:
    """The option rows kept (not removed) that say something, in page order."""
    return [
        ChoiceInput(c["label"], c["text_md"], c["is_correct"])
        for c in formset.cleaned_data
        if c and not c.get("DELETE") and (c.get("label") or c.get("text_md"))
    ]


def _save_edit(request, question, form, formset):
    """Save the edit through the service; None (with errors added to the form) if refused."""
    data = form.cleaned_data
    try:
        return question_update(
            question=question,
            actor=request.user,
            kind=data["kind"],
            skill=data["skill"],
            prompt_md=data["prompt_md"],
            explanation_md=data["explanation_md"],
            reference_answer_md=data["reference_answer_md"],
            difficulty=data["difficulty"],
            choices=_submitted_choices(formset) if data["kind"] != QuestionKind.OPEN_ENDED else [],
            expected_version=data["version"],
        )
    except StaleQuestionVersion as exc:
        form.add_error(
            None,
            _(
                "Someone saved this question while you were editing (now version "
                "%(version)s). Reload the page and apply your change again."
            )
            % {"version": exc.question.version},
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    return None


@capability_required("bank.edit")
def question_edit(request, pk):
    question = get_object_or_404(question_list(include_inactive=True), pk=pk)
    skills = list(bank_skills(bank=question.bank))
    form, formset = _edit_forms(request, question, skills)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        saved = _save_edit(request, question, form, formset)
        if saved is not None:
            if saved.version == form.cleaned_data["version"]:
                messages.info(request, _("Nothing changed, so no new version was saved."))
            else:
                messages.success(request, _("Saved as a new version."))
            return redirect("questions:question_detail", pk=question.pk)
    return render(
        request,
        "questions/question_edit.html",
        {
            "question": question,
            "form": form,
            "formset": formset,
            "choice_kinds": " ".join(
                k for k in QuestionKind.values if k != QuestionKind.OPEN_ENDED
            ),
            "previewable": PREVIEWABLE_FIELDS,
        },
    )


# The edit form's fields with a preview button: the posted `field` names which one to render.
PREVIEWABLE_FIELDS = ("prompt_md", "explanation_md", "reference_answer_md")


@capability_required("bank.edit")
@require_POST
def markdown_preview(request):
    """The field's markdown rendered as the question page will show it (same sanitiser)."""
    field = request.POST.get("field", "")
    if field not in PREVIEWABLE_FIELDS:
        return HttpResponseBadRequest(_("Nothing to preview."))
    form = MarkdownPreviewForm({"text": request.POST.get(field, "")})
    if not form.is_valid():
        return render(
            request, "questions/_preview.html", {"errors": form.errors["text"]}, status=400
        )
    html = mark_safe(render_markdown(form.cleaned_data["text"]))  # noqa: S308 - nh3-sanitised
    return render(request, "questions/_preview.html", {"html": html})


@capability_required("bank.import")
def bank_upload(request):
    result = errors = None
    form = BankUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.BANK_UPLOAD_MAX_BYTES
        if upload.size > limit:
            errors = [
                _("%(name)s is %(size)s bytes, over the %(limit)s-byte limit.")
                % {"name": upload.name, "size": f"{upload.size:,}", "limit": f"{limit:,}"}
            ]
        else:
            try:
                result = bank_upload_import(
                    data=upload.read(),
                    source_name=upload.name,
                    dry_run=form.cleaned_data["dry_run"],
                    requested_by=request.user,
                )
            except BankImportError as exc:
                errors = exc.lines()
            if isinstance(result, BankImportJob):  # a large file: its page shows the progress
                return redirect("questions:bank_import_job", pk=result.pk)
    return render(
        request,
        "questions/bank_upload.html",
        {"form": form, "result": result, "errors": errors, "banks": QuestionBank.objects.all()},
        status=400 if errors else 200,
    )


@capability_required("bank.import")
def bank_import_job(request, pk):
    """A background import's status; htmx polls the fragment until the job has finished."""
    job = bank_import_job_for(user=request.user, pk=pk)
    if job is None:
        raise Http404
    context = {"job": job, "result": job.result, "errors": job.errors}
    if request.htmx:
        return render(request, "questions/_import_job.html", context)
    context |= {"form": BankUploadForm(), "banks": QuestionBank.objects.all()}
    return render(request, "questions/bank_upload.html", context)
