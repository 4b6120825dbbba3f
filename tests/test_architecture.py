"""The import contracts in pyproject.toml ([tool.importlinter]) hold: layers, no cycles."""

from pathlib import Path

import pytest

importlinter_cli = pytest.importorskip("importlinter.cli")

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@pytest.mark.skipif(not PYPROJECT.exists(), reason="needs the checkout's pyproject.toml")
def test_import_contracts_are_kept():
    assert importlinter_cli.lint_imports(config_filename=str(PYPROJECT)) == 0
