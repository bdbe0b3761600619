"""factory_boy factories shared by the test tree."""

import factory
from django.contrib.auth import get_user_model

from accounts.roles import Role
from accounts.services import user_role_set


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            user_role_set(user=self, role=Role(extracted))


def drawn_set(*, owner, title: str, **blueprint):
    """A question set drawn from a blueprint (with its bank id) and saved, as the builder does."""
    from interviews.assembly import Blueprint
    from interviews.selectors import question_set_assemble
    from interviews.services import question_set_create_from_assembly

    assembly = question_set_assemble(blueprint=Blueprint.from_data(blueprint))
    return question_set_create_from_assembly(owner=owner, title=title, assembly=assembly)
