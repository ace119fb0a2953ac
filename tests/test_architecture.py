"""The layout's one rule, kept by a test: imports run one way.

blueprints → domain packages and ``web`` → ``models`` → ``extensions``. No blueprint imports
another blueprint; domain packages and ``web`` import no blueprint; ``transfer`` is used only by
the CLI; ``extensions`` imports nothing of ours.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
BLUEPRINTS = {
    "blog", "moderation", "auth", "editor", "feeds", "privacy", "reports", "roster", "my_comment"
}  # fmt: skip
DOMAIN = {"discussion", "publishing", "classroom"}

# What each part of the package may import from the rest of it (the kernel modules by name).
KERNEL = {"models", "extensions", "text", "config"}
ALLOWED: dict[str, set[str]] = {
    "extensions": set(),
    "config": set(),
    "text": set(),
    "models": {"extensions"},
    "errors": {"extensions"},
    "startup": {"extensions"},
    "web": KERNEL | {"web"},
    "discussion": KERNEL | {"discussion"},
    "classroom": KERNEL | {"classroom"},
    "publishing": KERNEL | {"publishing", "discussion"},
    "transfer": KERNEL | {"transfer", "discussion", "publishing", "classroom"},
    "cli": KERNEL | {"startup", "transfer", "classroom", "discussion", "publishing"},
    # A blueprint may use the domain, the web plumbing and itself, never another blueprint.
    **{name: KERNEL | DOMAIN | {"web", name} for name in BLUEPRINTS},
}


def part_of(module: str) -> str:
    """``app.discussion.rules`` → ``discussion``; ``app`` itself → ``app``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "app"


def module_name(path: Path, root: Path = APP) -> str:
    """``root/discussion/rules.py`` → ``app.discussion.rules``."""
    parts = ["app", *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = APP) -> set[str]:
    """Every module of our package that ``path`` imports, relative imports resolved."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from .. import text" names the kernel module it imports.
            found |= {f"app.{a.name}" for a in node.names} if target == "app" else {target}
    return {module for module in found if module == "app" or module.startswith("app.")}


def forbidden_imports(root: Path) -> list[str]:
    """``importer → imported`` for each import that breaks the rule, under ``root``."""
    broken = []
    for path in sorted(root.rglob("*.py")):
        importer = part_of(module_name(path, root))
        if importer == "app":  # create_app wires everything together
            continue
        allowed = ALLOWED.get(importer)
        assert allowed is not None, f"{path}: a new part of the package needs a rule here"
        for module in sorted(imported_modules(path, root)):
            target = part_of(module)
            if target not in allowed and target != "app":
                broken.append(f"{module_name(path, root)} → {module}")
    return broken


def test_imports_run_one_way():
    assert forbidden_imports(APP) == []


@pytest.mark.parametrize(
    ("module", "source", "offence"),
    [
        ("blog/views.py", "from ..moderation.queries import pending_count\n", "blueprint"),
        ("discussion/rules.py", "from ..web.security import has_login_session\n", "domain"),
        ("moderation/views.py", "from ..transfer import seed\n", "transfer"),
        ("extensions.py", "from .models import Post\n", "extensions"),
    ],
)
def test_the_rule_catches_a_wrong_import(tmp_path, module, source, offence):
    """The check itself can fail: a copy of the package with one wrong import is refused."""
    copy = tmp_path / "app"
    for path in APP.rglob("*.py"):
        target = copy / path.relative_to(APP)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    wrong = copy / module
    wrong.write_text(source + wrong.read_text(encoding="utf-8"), encoding="utf-8")
    broken = forbidden_imports(copy)
    assert len(broken) == 1, (offence, broken)
    assert broken[0].startswith(module_name(wrong, copy) + " → ")


# Views read and answer; the domain writes and sends.

SESSION_WRITES = {"add", "add_all", "commit", "delete", "execute", "flush", "merge", "rollback"}
SENDING_MODULES = {"smtplib", "app.discussion.outbox"}


def writes_and_sends(path: Path) -> list[str]:
    """Each ``db.session.<write>(...)`` call and each import of a mail sender in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [
        f"line {node.lineno}: session.{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SESSION_WRITES
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "session"
    ]
    plain_imports = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    senders = (imported_modules(path) | plain_imports) & SENDING_MODULES
    return found + [f"imports {module}" for module in sorted(senders)]


@pytest.mark.parametrize("blueprint", sorted(BLUEPRINTS))
def test_views_neither_write_the_database_nor_send_mail(blueprint):
    assert writes_and_sends(APP / blueprint / "views.py") == []
