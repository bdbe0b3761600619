"""Demo data for a first run: one user per role, printed with their passwords."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.roles import Role
from accounts.services import user_role_set
from questions.importer import bank_import_path
from questions.models import QuestionBank

BUILTIN_BANK = settings.BASE_DIR / "data" / "banks" / "ai-llm-training.md"

DEMO_USERS = (
    ("admin", Role.ADMIN, "Ada", "Admin"),
    ("interviewer", Role.INTERVIEWER, "Ivan", "Interviewer"),
    ("manager", Role.HIRING_MANAGER, "Hana", "Manager"),
)


class Command(BaseCommand):
    help = "Create demo users (one per role) and demo content; running it twice changes nothing."

    def handle(self, *args, **options):
        if not QuestionBank.objects.exists():
            result = bank_import_path(path=BUILTIN_BANK)
            self.stdout.write(f"Imported the built-in bank: {result.summary()}")
        User = get_user_model()
        lines = []
        with transaction.atomic():
            for username, role, first, last in DEMO_USERS:
                # Known passwords only on a DEBUG (local) run; elsewhere random, shown once.
                password = f"{username}-demo" if settings.DEBUG else secrets.token_urlsafe(12)
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "email": f"{username}@example.com",
                    },
                )
                if created:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                    user_role_set(user=user, role=role)
                    lines.append(f"  {role.value:<16} {username} / {password}")
                elif settings.DEBUG and user.check_password(password):
                    lines.append(f"  {role.value:<16} {username} / {password}")
                else:
                    lines.append(f"  {role.value:<16} {username} (exists; password unchanged)")
        self.stdout.write("Demo logins:\n" + "\n".join(lines))
