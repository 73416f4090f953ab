"""The import-linter contracts hold, and they would catch the violations they name."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    script = ("import sys; sys.path.insert(0, '.');"
              "from importlinter.cli import lint_imports_command; lint_imports_command()")
    command = [sys.executable, "-c", script]
    return subprocess.run(command, cwd=where, capture_output=True, text=True, timeout=120)


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    for name in ("modules", "persistence", "examples"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_contracts_are_kept() -> None:
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("file", "line", "contract"), [
    ("modules/book/domain/book.py", "import sqlalchemy",
     "The domain imports no framework and no storage"),
    ("modules/author/domain/name.py", "from pydantic import BaseModel",
     "The domain imports no framework and no storage"),
    ("modules/book/application/add_book.py",
     "from modules.author.infrastructure.repository import SqlAlchemyAuthorRepository",
     "The Book module reaches the Author module only through its public API"),
    ("modules/author/application/add_author.py",
     "from modules.book.domain.book import Book",
     "The Author module reaches the Book module only through its events"),
    ("modules/book/integration_events/mapping.py", "import faststream",
     "The Book module's published language imports no framework and no other layer"),
    ("examples/author_statistics/statistics.py",
     "from modules.book.integration_events.contract import PUBLISHED",
     "The example consumer knows bookshelf only by its published contract"),
])
def test_a_violation_breaks_its_contract(
    copy_of_the_code: Path, file: str, line: str, contract: str
) -> None:
    target = copy_of_the_code / file
    target.write_text(line + "  # noqa\n" + target.read_text())

    result = lint_imports(copy_of_the_code)

    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout
