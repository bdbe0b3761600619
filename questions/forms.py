"""Forms of the bank pages: parse input only; rules live in services."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from .limits import MARKDOWN_MAX_CHARS
from .models import QuestionKind


class QuestionEditForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=QuestionKind.choices,
        help_text=_(
            "Making a choice question open-ended removes its options and key; the version "
            "before stays in the history."
        ),
    )
    difficulty = forms.IntegerField(
        label=_("Difficulty (1-10)"),
        min_value=1,
        max_value=10,
        required=False,
        help_text=_("Leave empty to keep a long-form question unrated."),
    )
    prompt_md = forms.CharField(
        label=_("Prompt (markdown)"),
        max_length=MARKDOWN_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    explanation_md = forms.CharField(
        label=_("Explanation (markdown)"),
        required=False,
        max_length=MARKDOWN_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reference_answer_md = forms.CharField(
        label=_("Reference answer (markdown)"),
        required=False,
        max_length=MARKDOWN_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ChoiceForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=4, required=False)
    text_md = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MARKDOWN_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_correct = forms.BooleanField(label=_("Correct"), required=False)


ChoiceFormSet = formset_factory(ChoiceForm, extra=1, max_num=10)


class BankUploadForm(forms.Form):
    file = forms.FileField(label=_("Bank file (.md)"))
    dry_run = forms.BooleanField(
        label=_("Check only (write nothing)"), required=False, initial=False
    )
