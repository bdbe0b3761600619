"""Demo data for a first run: one user per role, printed with their passwords."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.roles import Role
from accounts.services import user_role_set
from interviews.assembly import Blueprint
from interviews.models import QuestionSet
from interviews.selectors import question_set_assemble
from interviews.services import question_set_create_from_assembly
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
        self._demo_sets()
        self.stdout.write("Demo logins:\n" + "\n".join(lines))

    def _demo_sets(self):
        """Two ready sets for the demo interviewer, drawn with fixed seeds (once)."""
        owner = get_user_model().objects.filter(username="interviewer").first()
        bank = QuestionBank.objects.order_by("pk").first()
        if owner is None or bank is None or QuestionSet.objects.filter(owner=owner).exists():
            return
        distributed = bank.categories.filter(name="分布式训练与系统架构").first()
        blueprints = [
            (
                "大模型训练初筛（30 分钟）",
                30,
                {
                    "bank": bank.pk,
                    "count": 10,
                    "kinds": {"single_choice": 10},
                    "seed": 7,
                    "bands": [
                        {"min": 2, "max": 4, "count": 4},
                        {"min": 5, "max": 7, "count": 4},
                        {"min": 8, "max": 10, "count": 2},
                    ],
                },
            ),
            (
                "分布式训练深入面试",
                60,
                {
                    "bank": bank.pk,
                    "count": 8,
                    "seed": 11,
                    "difficulty_min": 4,
                    "categories": [distributed.pk] if distributed else [],
                    "kinds": {"open_ended": 6, "single_choice": 2},
                },
            ),
        ]
        for title, minutes, data in blueprints:
            assembly = question_set_assemble(blueprint=Blueprint.from_data(data))
            question_set_create_from_assembly(
                owner=owner, title=title, assembly=assembly, time_limit_minutes=minutes
            )
        self.stdout.write(f"Created {len(blueprints)} demo question sets.")
