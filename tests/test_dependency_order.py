"""The apps import each other in DESIGN.md's order, read from the code itself: interviews ->
candidates, questions, accounts; candidates -> accounts; questions -> accounts; accounts ->
nothing of ours. Imports inside functions count too: they are how a cycle hides."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Our top-level packages; config (settings, URLs) and bench may import any app, no app imports them.
OURS = {"accounts", "questions", "candidates", "interviews", "config", "bench", "tests"}
MAY_IMPORT = {
    "interviews": {"candidates", "questions", "accounts"},
    "candidates": {"accounts"},
    "questions": {"accounts"},
    "accounts": set(),
}


def imports_of(app: str) -> list[tuple[str, str]]:
    """(file:line, module) for every import of another of our packages in `app`'s code."""
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            found += [(where, m) for m in modules if m.split(".")[0] in OURS - {app}]
    return found


def test_the_reader_sees_imports_inside_functions(tmp_path, monkeypatch):
    package = tmp_path / "accounts"
    package.mkdir()
    (package / "views.py").write_text(
        "import os\n\ndef home():\n    from interviews.selectors import x\n    return x\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert imports_of("accounts") == [("accounts/views.py:4", "interviews.selectors")]


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_each_app_imports_only_what_is_below_it(app):
    if not (ROOT / app).is_dir():
        pytest.skip(f"{app}/ is not built yet")
    wrong = [
        f"{where} imports {module}"
        for where, module in imports_of(app)
        if module.split(".")[0] not in MAY_IMPORT[app]
    ]
    assert wrong == []


def test_no_test_module_imports_another():
    """Shared steps live in fixtures (tests/conftest.py) or helper modules (tests/factories.py,
    tests/e2e/helpers.py, ...), never in a test module that others then depend on."""
    wrong = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            wrong += [
                f"{path.relative_to(ROOT)}:{node.lineno} imports {module}"
                for module in modules
                if module.rsplit(".", 1)[-1].startswith(("test_", "conftest"))
            ]
    assert wrong == []
