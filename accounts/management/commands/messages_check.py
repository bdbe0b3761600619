"""Fail when translations are stale: untranslated text, or a .mo not built from its .po."""

import filecmp
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

IGNORE = [".venv/*", "staticfiles/*", "var/*", "tests/*", "bench/*"]


class Command(BaseCommand):
    help = "Check that every message is translated and every committed .mo matches its .po."

    def handle(self, *args, **options):
        if not shutil.which("msgfmt"):
            raise CommandError("gettext is not installed (msgfmt not found).")
        problems = []
        for po in sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.po")):
            problems += self._check_catalogue(po)
        if problems:
            raise CommandError("Translations are stale:\n" + "\n".join(problems))
        self.stdout.write("Translations are complete and compiled.")

    def _check_catalogue(self, po: Path) -> list[str]:
        problems = []
        locale = po.parent.parent.name
        with tempfile.TemporaryDirectory() as tmp:
            saved = Path(tmp) / "saved.po"
            shutil.copy2(po, saved)
            try:
                # Regenerate from the sources, then look for what has no translation.
                call_command(
                    "makemessages",
                    locale=[locale],
                    no_obsolete=True,
                    ignore_patterns=IGNORE,
                    verbosity=0,
                )
                for flag, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
                    out = subprocess.run(
                        ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                    ids = [line[7:-1] for line in out.splitlines() if line.startswith('msgid "')]
                    ids = [i for i in ids if i]
                    problems += [f"{po}: {what}: {i}" for i in ids]
            finally:
                shutil.copy2(saved, po)
            built = Path(tmp) / "built.mo"
            subprocess.run(["msgfmt", "-o", str(built), str(po)], check=True)
            mo = po.with_suffix(".mo")
            if not mo.exists() or not filecmp.cmp(built, mo, shallow=False):
                problems.append(f"{mo}: not compiled from {po.name}; run `make messages`.")
        return problems
