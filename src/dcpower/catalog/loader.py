"""Load, validate and look up the spec catalog.

The built-in catalog is the TOML files under ``specs/`` (shipped inside the package as
``dcpower/specs``). Users add or override entries from directories of their own
(``--specs DIR`` or the ``DCPOWER_SPECS`` environment variable, several joined with the
path separator): an entry with the id of a built-in one replaces it, a new id adds one.

A catalog file holds arrays of tables named by category::

    [[accelerator]]
    id = "h100-sxm"
    ...

Scenario files live in ``scenarios/`` and are read by :mod:`dcpower.catalog.scenario`;
``weather/`` and ``measurements/`` hold data files that specs point to.
Loading a spec never executes code: TOML is parsed with :mod:`tomllib` and validated by
the pydantic models of :mod:`dcpower.catalog.models`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from dcpower.errors import SpecError
from dcpower.catalog.models import SPEC_TYPES, Spec, expand_table_source

DATA_SUBDIRS = {"scenarios", "weather", "measurements"}
ENV_VAR = "DCPOWER_SPECS"


def builtin_dir() -> Path:
    """Directory of the built-in spec files.

    Inside an installed wheel they sit in ``dcpower/specs``; in a source checkout (or an
    editable install) they are the repository's ``specs/``.
    """
    packaged = Path(__file__).resolve().parents[1] / "specs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "specs"


def user_dirs(extra: list[str | Path] | tuple = ()) -> list[Path]:
    """Directories given with ``--specs`` first, then those in ``DCPOWER_SPECS``."""
    if any(not str(d).strip() for d in extra):
        raise SpecError("a specs directory is an empty name; give a folder such as my-specs/")
    dirs = [Path(d) for d in extra]
    env = os.environ.get(ENV_VAR, "")
    dirs += [Path(d) for d in env.split(os.pathsep) if d.strip()]
    for d in dirs:
        if not d.is_dir():
            raise SpecError(f"specs directory '{d}' does not exist; check --specs or {ENV_VAR}")
    return dirs


def format_validation_error(exc: ValidationError, where: str, model=None) -> str:
    """One line naming what is wrong, and how to fix it.

    Unknown keys come first, each with the closest valid key of ``model`` (the pydantic
    model validated, when given); then every missing field at once; otherwise the first
    problem.
    """
    errors = exc.errors()
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    missing = [_loc(e) for e in errors if e["type"] == "missing"]
    parts = []
    for e in unknown:
        close = difflib.get_close_matches(str(e["loc"][-1]), _fields_at(model, e["loc"][:-1]), n=1, cutoff=0.6)
        hint = f"did you mean '{_join(e['loc'][:-1], close[0])}'?" if close else "remove it or fix its spelling"
        parts.append(f"unknown key '{_loc(e)}' ({hint})")
    if missing:
        parts.append(f"missing required field{'s' if len(missing) > 1 else ''} "
                     f"{', '.join(repr(m) for m in missing)}; add {'them' if len(missing) > 1 else 'it'}")
    if parts:
        tail = "" if model is not None else " (see 'dcpower specs show' for the fields)"
        return f"{where}: {'; '.join(parts)}{tail if unknown else ''}"
    err = errors[0]
    loc = _loc(err)
    msg = _bound_message(err) or err["msg"].removeprefix("Value error, ")
    return f"{where}: field '{loc}': {msg}" if loc else f"{where}: {msg}"


def _loc(err: dict) -> str:
    return ".".join(str(p) for p in err["loc"])


def _join(prefix, name: str) -> str:
    return ".".join([*(str(p) for p in prefix), name])


def _fields_at(model, path) -> list[str]:
    """Field names of the (nested) pydantic model ``model`` at ``path``; [] when unknown."""
    import typing

    from pydantic import BaseModel

    for part in path:
        if model is None or not hasattr(model, "model_fields") or part not in model.model_fields:
            return []
        ann = model.model_fields[part].annotation
        candidates = [ann, *typing.get_args(ann)]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return list(model.model_fields) if model is not None and hasattr(model, "model_fields") else []


_BOUND_WORDS = {"greater_than": "above", "greater_than_equal": "at least", "less_than": "below",
                "less_than_equal": "at most"}


def _bound_message(err: dict) -> str | None:
    """``"0 is out of range: must be at least 1"`` for pydantic's numeric-constraint errors."""
    kind, ctx, got = err["type"], err.get("ctx") or {}, err.get("input")
    if kind in _BOUND_WORDS:
        limit = next(iter(ctx.values()), None)
        return f"{got!r} is out of range: must be {_BOUND_WORDS[kind]} {limit}"
    if kind == "finite_number":
        return f"{got!r} is not a finite number"
    if kind in ("int_parsing", "int_from_float", "float_parsing", "int_type", "float_type"):
        return f"{got!r} is not a number; write e.g. 8 or 1.2"
    return None


def read_toml(path: Path) -> dict:
    """Parse a TOML file, turning every failure into a one-line :class:`SpecError`.

    Parsed files are cached as JSON in the user cache directory, keyed by the SHA-1 of the
    file's bytes (the way pint caches its definitions): a changed file is simply parsed
    again. JSON is data only, so the cache never executes anything; set
    ``DCPOWER_NO_CACHE=1`` to bypass it.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from None
    cached = _cache_file(raw)
    if cached is not None:
        try:
            return json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc}); fix the syntax at that line") from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not UTF-8 text ({exc}); save the file as UTF-8") from None
    _write_cache(raw, data)
    return data


def _cache_dir() -> Path | None:
    from dcpower.cache import cache_dir

    return cache_dir("toml")


def _cache_file(raw: bytes) -> Path | None:
    d = _cache_dir()
    if d is None:
        return None
    p = d / (hashlib.sha1(raw).hexdigest() + ".json")
    return p if p.is_file() else None


def _write_cache(raw: bytes, data: dict) -> None:
    d = _cache_dir()
    if d is None:
        return
    try:
        text = json.dumps(data)
        d.mkdir(parents=True, exist_ok=True)
        target = d / (hashlib.sha1(raw).hexdigest() + ".json")
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written only costs speed


_FINGERPRINT: list[str] = []


def _fingerprint() -> str:
    """Hash of the code that decides validity (spec models, unit definitions)."""
    if not _FINGERPRINT:
        here = Path(__file__).parent
        h = hashlib.sha1()
        for name in ("spec_models.py", "units.py", "units.txt", "catalog.py"):
            try:
                h.update((here / name).read_bytes())
            except OSError:
                h.update(name.encode())
        _FINGERPRINT.append(h.hexdigest())
    return _FINGERPRINT[0]


def _marker(path: Path) -> Path | None:
    """Cache marker saying this exact file passed full validation under this exact code."""
    d = _cache_dir()
    if d is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    return d.parent / "valid" / (hashlib.sha1(raw + _fingerprint().encode()).hexdigest())


def _is_trusted(path: Path) -> bool:
    m = _marker(path)
    return m is not None and m.is_file()


def _trust(path: Path) -> None:
    m = _marker(path)
    if m is None:
        return
    try:
        m.parent.mkdir(parents=True, exist_ok=True)
        m.touch()
    except OSError:
        pass


def _construct_value(annotation, value):
    import types
    import typing

    from pydantic import BaseModel

    if value is None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
        return _construct(annotation, value)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        for a in args:
            if isinstance(a, type) and issubclass(a, BaseModel) and isinstance(value, dict):
                return _construct(a, value)
        return value
    if origin is list and args and isinstance(value, list):
        return [_construct_value(args[0], v) for v in value]
    return value


def _construct(cls, data: dict):
    """Build a model from data that already passed validation, without validating again."""
    values = {name: _construct_value(field.annotation, data[name])
              for name, field in cls.model_fields.items() if name in data}
    return cls.model_construct(**values)


def _raw_entries(path: Path) -> list[tuple[str, str, dict]]:
    """``(category, id, table)`` for every entry of one catalog file, unvalidated."""
    data = read_toml(path)
    out = []
    for category, entries in data.items():
        if category not in SPEC_TYPES:
            close = difflib.get_close_matches(category, SPEC_TYPES, n=1)
            hint = f"did you mean [[{close[0]}]]?" if close else f"use one of: {', '.join(SPEC_TYPES)}"
            raise SpecError(f"{path}: unknown category '{category}'; {hint}")
        if not isinstance(entries, list):
            raise SpecError(f"{path}: '{category}' must be an array of tables; write [[{category}]]")
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise SpecError(f"{path}: {category} #{i + 1} must be a table; write [[{category}]]")
            ident = entry.get("id")
            ident = ident if isinstance(ident, str) else f"#{i + 1}"
            try:
                entry = expand_table_source(SPEC_TYPES[category], entry)
            except ValueError as exc:
                raise SpecError(f"{path}: {category} '{ident}': {exc}") from None
            out.append((category, ident, entry))
    return out


def _validate(category: str, ident: str, entry: dict, path: Path) -> Spec:
    try:
        return SPEC_TYPES[category].model_validate(entry)
    except ValidationError as exc:
        raise SpecError(format_validation_error(exc, f"{path}: {category} '{ident}'", SPEC_TYPES[category])) from None


def load_spec_file(path: Path) -> list[Spec]:
    """Validate every entry of one catalog file."""
    return [_validate(c, i, e, path) for c, i, e in _raw_entries(path)]


@dataclass
class Catalog:
    """All specs by category and id, with the file each came from.

    Entries are validated when first used (``get``), so an estimate pays only for the specs
    it reads; ``validate_all`` (and ``entries``) validate everything, as ``dcpower specs
    validate`` does.
    """

    raw: dict[str, dict[str, dict]] = field(default_factory=lambda: {c: {} for c in SPEC_TYPES})
    origin: dict[tuple[str, str], Path] = field(default_factory=dict)
    dirs: list[Path] = field(default_factory=list)
    _valid: dict[tuple[str, str], Spec] = field(default_factory=dict)
    _trusted: dict[Path, bool] = field(default_factory=dict)

    def add_raw(self, category: str, ident: str, entry: dict, path: Path, replace: bool) -> None:
        key = (category, ident)
        if key in self.origin and not replace:
            raise SpecError(f"{path}: {category} id '{ident}' is already defined in "
                            f"{self.origin[key]}; ids must be unique, rename one")
        self.raw[category][ident] = entry
        self.origin[key] = path
        self._valid.pop(key, None)

    def get(self, category: str, ident: str) -> Spec:
        """The spec ``ident`` of ``category``; an unknown id names the closest valid ones."""
        from dcpower.errors import InputError

        key = (category, ident)
        if key in self._valid:
            return self._valid[key]
        items = self.raw.get(category, {})
        if ident not in items:
            raise InputError(f"unknown {category} '{ident}'; {suggest(ident, list(items))}")
        path = self.origin[key]
        if path not in self._trusted:
            self._trusted[path] = _is_trusted(path)
        if self._trusted[path]:
            # this exact file passed full validation under this exact code before
            spec = _construct(SPEC_TYPES[category], items[ident])
        else:
            spec = _validate(category, ident, items[ident], path)
            self._validate_file_once(path)
        self._check_spec_references(spec)
        self._valid[key] = spec
        return spec

    def _validate_file_once(self, path: Path) -> None:
        """Validate every entry of ``path``; when all pass, remember it in the cache."""
        load_spec_file(path)
        _trust(path)
        self._trusted[path] = True

    def ids(self, category: str) -> list[str]:
        return sorted(self.raw.get(category, {}))

    def category(self, category: str) -> dict[str, Spec]:
        """Every spec of one category, validated, by id."""
        return {i: self.get(category, i) for i in self.raw.get(category, {})}

    @property
    def entries(self) -> dict[str, dict[str, Spec]]:
        """Every spec, validated, by category and id."""
        return {c: {i: self.get(c, i) for i in items} for c, items in self.raw.items()}

    def all(self):
        for category, items in self.raw.items():
            for ident in items:
                yield self.get(category, ident)

    def _check_spec_references(self, spec: Spec) -> None:
        for fld, target in spec.references.items():
            ref = getattr(spec, fld)
            if ref is not None and ref not in self.raw[target]:
                where = self.origin[(spec.category, spec.id)]
                raise SpecError(f"{where}: {spec.category} '{spec.id}': field '{fld}' names "
                                f"{target} '{ref}', which does not exist; "
                                f"{suggest(ref, self.ids(target))}")

    def validate_all(self) -> "Catalog":
        """Validate every entry and every cross-reference; raise on the first problem."""
        for _ in self.all():
            pass
        return self

    check_references = validate_all


def suggest(ident: str, valid: list[str]) -> str:
    """``did you mean h100-sxm, h100-pcie?`` from the valid ids most like ``ident``."""
    prefix = [v for v in valid if v.startswith(ident) or ident in v]
    close = prefix or difflib.get_close_matches(ident, valid, n=3, cutoff=0.5)
    if close:
        return f"did you mean {', '.join(sorted(close)[:5])}?"
    return f"valid ids: {', '.join(sorted(valid))}" if valid else "none are defined"


def catalog_files(directory: Path) -> list[Path]:
    out = []
    # Only the folder's own files: a specs folder is flat (its data sits in the subfolders of
    # DATA_SUBDIRS), and ``--specs .`` in a big tree must not walk it.
    for path in sorted(directory.glob("*.toml")):
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
            for category, ident, entry in _raw_entries(path):
                catalog.add_raw(category, ident, entry, path, replace=False)
    for directory in dirs:
        add_user_files(catalog, catalog_files(directory), directory)
    _CACHE[key] = catalog
    return catalog


def add_user_files(catalog: Catalog, files: list[Path], where) -> None:
    """Lay a user's spec files over ``catalog``: a built-in id is replaced, an id defined
    twice among ``files`` is an error, and every entry is validated at once."""
    seen: set[tuple[str, str]] = set()
    for path in files:
        for category, ident, entry in _raw_entries(path):
            if (category, ident) in seen:
                raise SpecError(f"{path}: {category} id '{ident}' is defined twice in "
                                f"{where}; ids must be unique, rename one")
            seen.add((category, ident))
            catalog.add_raw(category, ident, entry, path, replace=True)
    for category, ident in seen:
        catalog.get(category, ident)


def validate_files(paths: list[Path]) -> Catalog:
    """Validate user spec files or directories on top of the built-in catalog."""
    catalog = Catalog()
    for path in catalog_files(builtin_dir()):
        for category, ident, entry in _raw_entries(path):
            catalog.add_raw(category, ident, entry, path, replace=False)
    files = []
    for p in paths:
        if not p.exists():
            raise SpecError(f"{p}: file not found")
        files += catalog_files(p) if p.is_dir() else [p]
    # the same rules as an estimate reading these files with --specs
    add_user_files(catalog, files, ", ".join(str(p) for p in paths))
    return catalog.validate_all()
