"""seed_demo: every role, the built-in bank and ready sets; running it twice changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.roles import Role, user_role
from interviews.models import QuestionSet, QuestionSetItem
from questions.models import Question, QuestionBank


def snapshot():
    return (
        list(get_user_model().objects.values_list("username", "password").order_by("username")),
        QuestionBank.objects.count(),
        Question.objects.count(),
        list(QuestionSetItem.objects.values_list("question_set__title", "question_id", "position")),
    )


@pytest.mark.django_db
def test_seed_demo_is_complete_and_idempotent(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "interviewer / interviewer-demo" in text and "manager / manager-demo" in text
    users = {u.username: user_role(u) for u in get_user_model().objects.all()}
    assert users == {
        "admin": Role.ADMIN,
        "interviewer": Role.INTERVIEWER,
        "manager": Role.HIRING_MANAGER,
    }
    assert Question.objects.count() == 129
    assert QuestionSet.objects.count() == 2
    assert all(qs.items.count() == qs.blueprint["count"] for qs in QuestionSet.objects.all())
    before = snapshot()
    call_command("seed_demo", stdout=StringIO())
    assert snapshot() == before


@pytest.mark.django_db
def test_seed_demo_outside_debug_uses_random_passwords(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "admin-demo" not in out.getvalue()
    assert not get_user_model().objects.get(username="admin").check_password("admin-demo")
