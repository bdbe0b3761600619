"""Builder forms: they parse what the page sends; blueprint rules live in interviews.assembly."""

from django import forms
from django.utils.translation import gettext_lazy as _

from questions.models import QuestionKind

from .models import MAX_TIME_LIMIT_MINUTES

DEFAULT_BANDS = ((2, 4), (5, 7), (8, 10))


class QuestionSetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        min_value=1,
        max_value=MAX_TIME_LIMIT_MINUTES,
        required=False,
    )
    description = forms.CharField(
        label=_("Notes for interviewers"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def blueprint_data_from_post(post) -> dict:
    """The page's builder form as the blueprint dict the API takes (validated by Blueprint)."""

    def number(name):
        value = (post.get(name) or "").strip()
        return value or None

    data: dict = {
        "bank": number("bank"),
        "count": number("count"),
        "categories": [v for v in post.getlist("categories") if v],
        "skills": [v for v in post.getlist("skills") if v],
        "include_unrated": post.get("include_unrated") in ("on", "true", "1"),
        "seed": number("seed"),
    }
    if post.get("mode") == "bands":
        bands = []
        for i in range(len(DEFAULT_BANDS)):
            low, high, count = (number(f"band_{i}_{k}") for k in ("min", "max", "count"))
            if count not in (None, "0"):
                bands.append({"min": low, "max": high, "count": count})
        data["bands"] = bands
    else:
        data["difficulty_min"] = number("difficulty_min")
        data["difficulty_max"] = number("difficulty_max")
    kinds = {k: number(f"kind_{k}") for k in QuestionKind.values}
    data["kinds"] = {k: v for k, v in kinds.items() if v is not None}
    return data
