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
