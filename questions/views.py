"""Bank pages: browse and filter, read a question, edit it, upload a bank file."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import capability_required
from accounts.roles import user_can

from .filters import QuestionFilter
from .forms import BankUploadForm, ChoiceFormSet, QuestionEditForm
from .import_jobs import bank_import_job_for, bank_upload_import
from .importer import BankImportError
from .models import BankImportJob, QuestionBank, QuestionKind
from .selectors import bank_list, bank_tree, question_list
from .services import ChoiceInput, StaleQuestionVersion, question_update

PAGE_SIZE = 25


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
    filterset = QuestionFilter(data, queryset=question_list(bank=bank), request=request)
    queryset = filterset.qs if filterset.is_valid() else question_list(bank=bank).none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    categories, long_form_count = bank_tree(bank=bank)
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else {}
    selected_skill = cleaned.get("skill")
    selected_category = cleaned.get("category") or next(
        (c.pk for c in categories for s in c.skills.all() if s.pk == selected_skill), None
    )
    query = data.copy()
    query.pop("page", None)
    context |= {
        "filter": filterset,
        "page": page,
        "categories": categories,
        "long_form_count": long_form_count,
        "selected_category": selected_category,
        "selected_skill": selected_skill,
        "query": query.urlencode(),
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


@capability_required("bank.edit")
def question_edit(request, pk):
    question = get_object_or_404(question_list(include_inactive=True), pk=pk)
    if request.method == "POST":
        form = QuestionEditForm(request.POST)
        formset = ChoiceFormSet(request.POST, prefix="choices")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            choices = [
                ChoiceInput(c["label"], c["text_md"], c["is_correct"])
                for c in formset.cleaned_data
                if c and (c.get("label") or c.get("text_md"))
            ]
            try:
                saved = question_update(
                    question=question,
                    actor=request.user,
                    kind=data["kind"],
                    prompt_md=data["prompt_md"],
                    explanation_md=data["explanation_md"],
                    reference_answer_md=data["reference_answer_md"],
                    difficulty=data["difficulty"],
                    choices=choices if data["kind"] != QuestionKind.OPEN_ENDED else [],
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
            else:
                if saved.version == data["version"]:
                    messages.info(request, _("Nothing changed, so no new version was saved."))
                else:
                    messages.success(request, _("Saved as a new version."))
                return redirect("questions:question_detail", pk=question.pk)
    else:
        form = QuestionEditForm(
            initial={
                "kind": question.kind,
                "difficulty": question.difficulty,
                "prompt_md": question.prompt_md,
                "explanation_md": question.explanation_md,
                "reference_answer_md": question.reference_answer_md,
                "version": question.version,
            }
        )
        formset = ChoiceFormSet(
            prefix="choices",
            initial=[
                {"label": c.label, "text_md": c.text_md, "is_correct": c.is_correct}
                for c in question.choices.all()
            ],
        )
    return render(
        request,
        "questions/question_edit.html",
        {"question": question, "form": form, "formset": formset},
    )


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
