"""Load, validate and look up the spec catalog.

The built-in catalog is the TOML files under ``specs/`` (shipped inside the package as
``dcpower/specs``). Users add or override entries from directories of their own
(``--specs DIR`` or the ``DCPOWER_SPECS`` environment variable, several joined with the
path separator): an entry with the id of a built-in one replaces it, a new id adds one.

A catalog file holds arrays of tables named by category::

    [[accelerator]]
    id = "h100-sxm"
    ...

Scenario files live in ``scenarios/`` and are read by :mod:`dcpower.scenario`;
``weather/`` and ``measurements/`` hold data files that specs point to.
Loading a spec never executes code: TOML is parsed with :mod:`tomllib` and validated by
the pydantic models of :mod:`dcpower.spec_models`.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from dcpower.errors import SpecError
from dcpower.spec_models import SPEC_TYPES, Spec

DATA_SUBDIRS = {"scenarios", "weather", "measurements"}
ENV_VAR = "DCPOWER_SPECS"


def builtin_dir() -> Path:
    """Directory of the built-in spec files.

    Inside an installed wheel they sit in ``dcpower/specs``; in a source checkout (or an
    editable install) they are the repository's ``specs/``.
    """
    packaged = Path(__file__).with_name("specs")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "specs"


def user_dirs(extra: list[str | Path] | tuple = ()) -> list[Path]:
    """Directories given with ``--specs`` first, then those in ``DCPOWER_SPECS``."""
    dirs = [Path(d) for d in extra]
    env = os.environ.get(ENV_VAR, "")
    dirs += [Path(d) for d in env.split(os.pathsep) if d.strip()]
    for d in dirs:
        if not d.is_dir():
            raise SpecError(f"specs directory '{d}' does not exist; check --specs or {ENV_VAR}")
    return dirs


def format_validation_error(exc: ValidationError, where: str) -> str:
    """One line naming the first problem of a pydantic error, and how to fix it."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{where}: unknown key '{loc}'; remove it or fix its spelling (see 'dcpower specs show' for the fields)"
    if kind == "missing":
        return f"{where}: missing required field '{loc}'; add it with a value and a source"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: field '{loc}': {msg}" if loc else f"{where}: {msg}"


def read_toml(path: Path) -> dict:
    """Parse a TOML file, turning every failure into a one-line :class:`SpecError`."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc}); fix the syntax at that line") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from None


def load_spec_file(path: Path) -> list[Spec]:
    """Validate every entry of one catalog file."""
    data = read_toml(path)
    specs: list[Spec] = []
    for category, entries in data.items():
        model = SPEC_TYPES.get(category)
        if model is None:
            close = difflib.get_close_matches(category, SPEC_TYPES, n=1)
            hint = f"did you mean [[{close[0]}]]?" if close else f"use one of: {', '.join(SPEC_TYPES)}"
            raise SpecError(f"{path}: unknown category '{category}'; {hint}")
        if not isinstance(entries, list):
            raise SpecError(f"{path}: '{category}' must be an array of tables; write [[{category}]]")
        for i, entry in enumerate(entries):
            ident = entry.get("id", f"#{i + 1}") if isinstance(entry, dict) else f"#{i + 1}"
            try:
                specs.append(model.model_validate(entry))
            except ValidationError as exc:
                raise SpecError(format_validation_error(exc, f"{path}: {category} '{ident}'")) from None
    return specs


@dataclass
class Catalog:
    """All specs by category and id, with the file each came from."""

    entries: dict[str, dict[str, Spec]] = field(default_factory=lambda: {c: {} for c in SPEC_TYPES})
    origin: dict[tuple[str, str], Path] = field(default_factory=dict)
    dirs: list[Path] = field(default_factory=list)

    def add(self, spec: Spec, path: Path, replace: bool) -> None:
        key = (spec.category, spec.id)
        if key in self.origin and not replace:
            raise SpecError(f"{path}: {spec.category} id '{spec.id}' is already defined in "
                            f"{self.origin[key]}; ids must be unique, rename one")
        self.entries[spec.category][spec.id] = spec
        self.origin[key] = path

    def get(self, category: str, ident: str) -> Spec:
        """The spec ``ident`` of ``category``; an unknown id names the closest valid ones."""
        from dcpower.errors import InputError

        items = self.entries.get(category, {})
        if ident in items:
            return items[ident]
        raise InputError(f"unknown {category} '{ident}'; {suggest(ident, list(items))}")

    def ids(self, category: str) -> list[str]:
        return sorted(self.entries.get(category, {}))

    def all(self):
        for category, items in self.entries.items():
            yield from items.values()

    def check_references(self) -> None:
        for spec in self.all():
            for fld, target in spec.references.items():
                ref = getattr(spec, fld)
                if ref is not None and ref not in self.entries[target]:
                    where = self.origin[(spec.category, spec.id)]
                    raise SpecError(f"{where}: {spec.category} '{spec.id}': field '{fld}' names "
                                    f"{target} '{ref}', which does not exist; "
                                    f"{suggest(ref, self.ids(target))}")


def suggest(ident: str, valid: list[str]) -> str:
    """``did you mean h100-sxm, h100-pcie?`` from the valid ids most like ``ident``."""
    prefix = [v for v in valid if v.startswith(ident) or ident in v]
    close = prefix or difflib.get_close_matches(ident, valid, n=3, cutoff=0.5)
    if close:
        return f"did you mean {', '.join(sorted(close)[:5])}?"
    return f"valid ids: {', '.join(sorted(valid))}" if valid else "none are defined"


def catalog_files(directory: Path) -> list[Path]:
    out = []
    for path in sorted(directory.rglob("*.toml")):
        rel = path.relative_to(directory)
        if rel.parts[0] in DATA_SUBDIRS:
            continue
        out.append(path)
    return out


_CACHE: dict[tuple, Catalog] = {}


def load_catalog(specs_dirs: list[str | Path] | tuple = (), *, builtin: bool = True) -> Catalog:
    """The validated catalog: built-in specs, then each user directory's on top.

    Raises
    ------
    SpecError
        For the first malformed file, invalid entry, duplicate id or dangling reference.
    """
    dirs = user_dirs(specs_dirs)
    key = (builtin, tuple(str(d.resolve()) for d in dirs),
           tuple(p.stat().st_mtime_ns for d in dirs for p in catalog_files(d)))
    if key in _CACHE:
        return _CACHE[key]
    catalog = Catalog(dirs=([builtin_dir()] if builtin else []) + dirs)
    if builtin:
        for path in catalog_files(builtin_dir()):
            for spec in load_spec_file(path):
                catalog.add(spec, path, replace=False)
    for directory in dirs:
        seen: set[tuple[str, str]] = set()
        for path in catalog_files(directory):
            for spec in load_spec_file(path):
                k = (spec.category, spec.id)
                if k in seen:
                    raise SpecError(f"{path}: {spec.category} id '{spec.id}' is defined twice in "
                                    f"{directory}; ids must be unique, rename one")
                seen.add(k)
                catalog.add(spec, path, replace=True)
    catalog.check_references()
    _CACHE[key] = catalog
    return catalog


def validate_files(paths: list[Path]) -> Catalog:
    """Validate user spec files or directories on top of the built-in catalog."""
    catalog = Catalog()
    for path in catalog_files(builtin_dir()):
        for spec in load_spec_file(path):
            catalog.add(spec, path, replace=False)
    for p in paths:
        files = catalog_files(p) if p.is_dir() else [p]
        if not p.exists():
            raise SpecError(f"{p}: file not found")
        for f in files:
            for spec in load_spec_file(f):
                catalog.add(spec, f, replace=True)
    catalog.check_references()
    return catalog
