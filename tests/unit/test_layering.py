"""The layers of DESIGN §2 as the imports say them: HTTP and the voice translation reach the
database only through the use cases (ADR 0012), and the voice modules stay small."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import frontdesk

SRC = Path(frontdesk.__file__).parent
# Packages that must not import the database layer, and what counts as it.
DATABASE_FREE = ("voice", "api")
DATABASE = ("frontdesk.db", "sqlalchemy")
MAX_VOICE_MODULE_LINES = 400


def modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def _parse(path: Path) -> ast.Module:
    """The file's syntax tree. Parsed a second time after CPython 3.11's spurious "AST
    constructor recursion depth mismatch" (python/cpython#106905, "rarely in a threaded
    application"; seen once in CI under pytest-xdist). A real syntax problem fails both times."""
    source = path.read_text(encoding="utf-8")
    try:
        return ast.parse(source, str(path))
    except SystemError:
        return ast.parse(source, str(path))


def imported(path: Path, root: Path = SRC.parent) -> Iterator[tuple[int, str]]:
    """``(line, name)`` for every import in the file below ``root``, at any depth (also inside
    functions and ``TYPE_CHECKING`` blocks); ``from a import b`` yields ``a.b``, and relative
    imports are resolved against the file's package."""
    package = ".".join(path.parent.relative_to(root).parts)
    for node in ast.walk(_parse(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def reaches_database(name: str) -> bool:
    return any(name == layer or name.startswith(f"{layer}.") for layer in DATABASE)


@pytest.mark.parametrize("package", DATABASE_FREE)
def test_package_imports_nothing_of_the_database_layer(package: str) -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {name}"
        for path in modules(package)
        for line, name in imported(path)
        if reaches_database(name)
    ]
    assert modules(package), f"no modules found under {SRC / package}"
    assert found == [], "reach the database through a use case (booking/), not directly"


def test_the_check_sees_every_way_of_importing_the_database(tmp_path: Path) -> None:
    source = (
        "import sqlalchemy\n"
        "from frontdesk import db\n"
        "from frontdesk.db.engine import reading\n"
        "from ..db import tables\n"
        "def later():\n"
        "    from sqlalchemy.exc import DataError\n"
        "from frontdesk.dbx import nothing\n"
        "from frontdesk.booking import call_log\n"
    )
    module = tmp_path / "frontdesk" / "voice" / "example.py"
    module.parent.mkdir(parents=True)
    module.write_text(source, encoding="utf-8")
    names = [name for _line, name in imported(module, tmp_path) if reaches_database(name)]
    assert names == [
        "sqlalchemy",
        "frontdesk.db",
        "frontdesk.db.engine.reading",
        "frontdesk.db.tables",
        "sqlalchemy.exc.DataError",
    ]


def test_no_voice_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(SRC)): lines
        for path in modules("voice")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_VOICE_MODULE_LINES
    }
    assert long == {}


@pytest.mark.parametrize("package", ["booking", "business", "calendars", "access"])
def test_the_use_cases_speak_no_sqlalchemy(package: str) -> None:
    """booking/, business/, calendars/ and access/ reach the database through repositories and
    the unit of work (sessions as opaque handles, refusals as ``WriteRefused``), never through
    SQLAlchemy itself (issue 12)."""
    found = [
        f"{path.relative_to(SRC)}:{line}: {name}"
        for path in modules(package)
        for line, name in imported(path)
        if name == "sqlalchemy" or name.startswith("sqlalchemy.")
    ]
    assert modules(package)
    assert found == []
