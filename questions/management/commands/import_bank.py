"""python manage.py import_bank PATH [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions.importer import BankImportError, bank_import_path


class Command(BaseCommand):
    help = (
        "Import a question bank file (面试题集 markdown). Atomic and idempotent: re-importing "
        "updates questions in place and never overwrites questions edited in the app."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, write nothing"
        )

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            result = bank_import_path(path=path, dry_run=dry_run)
        except BankImportError as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError(
                f"{path}: refused, nothing was written ({len(exc.issues)} problem(s))",
                returncode=1,
            ) from None
        for line in result.warnings + result.conflicts:
            self.stderr.write(line)
        self.stdout.write(result.summary())
