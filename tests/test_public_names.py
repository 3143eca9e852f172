"""The public names: every name in dcpower.__all__ resolves, shows in dir(), and docs/reference.md lists it."""

import importlib
import re
from pathlib import Path

import pytest

import dcpower

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference.md"


@pytest.mark.parametrize("name", dcpower.__all__)
def test_each_public_name_resolves(name):
    assert getattr(dcpower, name) is not None
    assert name in dir(dcpower)


def test_entry_points_are_public():
    for name in ("estimate", "compare", "sweep", "fit", "uncertainty", "resolve", "load_scenario", "load_catalog",
                 "read_epw", "parse_quantity"):
        assert name in dcpower.__all__ and callable(getattr(dcpower, name)), name
    assert len(set(dcpower.__all__)) == len(dcpower.__all__)


def test_lazy_names_come_from_where_they_are_defined():
    # a lazily loaded name is the object of the module that defines it, not a copy
    for name, module in dcpower._LAZY.items():
        assert getattr(dcpower, name) is getattr(importlib.import_module(module), name)
    assert set(dcpower._LAZY) <= set(dcpower.__all__)


def test_dir_hides_the_helpers():
    assert not {"_LAZY", "annotations", "TYPE_CHECKING"} & set(dir(dcpower))


@pytest.mark.skipif(not REFERENCE.is_file(), reason="docs/ not in this tree")
def test_reference_lists_every_public_name():
    # the README's library section links to this list
    text = REFERENCE.read_text(encoding="utf-8")
    library = text[text.index("## Library"):].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([A-Za-z_]+)`", library)) - {"dcpower", "__all__"}
    assert listed == set(dcpower.__all__), f"docs/reference.md's Library section differs by {listed ^ set(dcpower.__all__)}"
