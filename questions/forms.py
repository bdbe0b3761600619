"""Forms of the bank pages: parse input only; rules live in services."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from .limits import MARKDOWN_MAX_CHARS
from .models import QuestionKind, Skill
from .services import UNCHANGED

# The skill select's value for "no skill": a long-form question. An absent value keeps the skill.
NO_SKILL = "none"


def _markdown_field(label, *, rows: int, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MARKDOWN_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class QuestionEditForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=QuestionKind.choices,
        help_text=_(
            "Making a choice question open-ended removes its options and key; the version "
            "before stays in the history."
        ),
    )
    skill = forms.ChoiceField(
        label=_("Category and skill"),
        required=False,
        help_text=_("The category follows the skill. Long-form questions may have none."),
    )
    difficulty = forms.IntegerField(
        label=_("Difficulty (1-10)"),
        min_value=1,
        max_value=10,
        required=False,
        widget=forms.NumberInput(attrs={"class": "number-narrow"}),
        help_text=_("Leave empty to keep a long-form question unrated."),
    )
    prompt_md = _markdown_field(_("Prompt (markdown)"), rows=8, required=True)
    explanation_md = _markdown_field(_("Explanation (markdown)"), rows=4)
    reference_answer_md = _markdown_field(_("Reference answer (markdown)"), rows=10)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, skills: list[Skill], **kwargs):
        super().__init__(*args, **kwargs)
        self._skills = {str(s.pk): s for s in skills}
        groups: dict[str, list[tuple[str, str]]] = {}
        for s in skills:
            label = _("%(skill)s (difficulty %(d)s)") % {"skill": s.name, "d": s.difficulty}
            groups.setdefault(s.category.name, []).append((str(s.pk), label))
        self.fields["skill"].choices = [
            (NO_SKILL, _("No skill (long-form)")),
            *groups.items(),
        ]

    def clean_skill(self):
        """The chosen Skill, None for "no skill", or UNCHANGED when the form did not say."""
        value = self.cleaned_data["skill"]
        if not value:
            return UNCHANGED
        return None if value == NO_SKILL else self._skills[value]


class ChoiceForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=4, required=False)
    text_md = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MARKDOWN_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_correct = forms.BooleanField(label=_("Correct"), required=False)


# One blank row lets a browser without JavaScript add an option per save; with JavaScript the
# page adds and removes rows itself (static/js/bank.js).
ChoiceFormSet = formset_factory(ChoiceForm, extra=1, max_num=10, can_delete=True)


class MarkdownPreviewForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        max_length=MARKDOWN_MAX_CHARS,
        error_messages={
            "max_length": _(
                "A preview takes at most %(limit_value)s characters (this text has %(show_value)s)."
            )
        },
    )


class BankUploadForm(forms.Form):
    file = forms.FileField(label=_("Bank file (.md)"))
    dry_run = forms.BooleanField(
        label=_("Check only (write nothing)"), required=False, initial=False
    )
