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
from dcpower.catalog.models import ID_PATTERN, SPEC_TYPES, Spec, expand_table_source
from dcpower.inputs import MAX_CACHE_BYTES, MAX_TOML_BYTES, MAX_TOML_DEPTH, nesting_depth, read_input, remember_input

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
    """Directories given with ``--specs`` first, then those in ``DCPOWER_SPECS``; one path may
    be given alone (a bare string is one folder, not a folder per letter)."""
    if isinstance(extra, (str, os.PathLike)):
        extra = [extra]
    elif extra is None:
        extra = []
    elif not isinstance(extra, (list, tuple)):
        raise SpecError(f"specs directories must be a path or a list of paths, got {extra!r}")
    if any(not str(d).strip() for d in extra):
        raise SpecError("a specs directory is an empty name; give a folder such as my-specs/")
    dirs = [Path(d) for d in extra]
    env = os.environ.get(ENV_VAR, "")
    dirs += [Path(d) for d in env.split(os.pathsep) if d.strip()]
    for d in dirs:
        if not d.is_dir():
            what = "is a file, not a folder" if d.exists() else "does not exist"
            raise SpecError(f"specs directory '{d}' {what}; check --specs or {ENV_VAR}")
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
    msg = describe_error(err)
    return f"{where}: field '{loc}': {msg}" if loc else f"{where}: {msg}"


def describe_error(err: dict) -> str:
    """One pydantic error as words a user can act on: what was given, what is wanted."""
    msg = _bound_message(err) or _type_message(err)
    return msg or err["msg"].removeprefix("Value error, ")


def _type_message(err: dict) -> str | None:
    """``"5 is not text; write it in quotes"`` for pydantic's type errors ("Input should be a valid string")."""
    kind, got, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    name = str(err["loc"][-1]) if err["loc"] else "the value"
    if kind == "missing":
        return "missing; add it"
    if kind == "string_type" and isinstance(got, dict):
        return (f"takes a name in quotes, not a table; to change the fields of the spec it names, "
                f"use --set {name}.FIELD=VALUE or a spec file of your own (--specs DIR)")
    if kind == "string_type":
        return f"{got!r} is not text; write it in quotes, e.g. {name} = \"...\""
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{got!r} is not a table; give {name} as a table of keys, e.g. [{name}] and its keys below it"
    if kind == "list_type":
        return f"{got!r} is not a list; write {name} = [ ... ] (or [[{name}]] tables)"
    if kind in ("bool_type", "bool_parsing"):
        return f"{got!r} is not true or false"
    if kind == "literal_error":
        return f"{got!r} is not allowed; use {ctx.get('expected', 'one of the listed values')}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
        return (f"{got!r} is not an id; use lowercase letters, digits, '-' and '.', starting with a letter "
                "or digit, e.g. 'my-chip'")
    return None


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


def read_toml(path: Path, what: str = "a TOML spec file", *, cached: bool = True) -> dict:
    """Parse a TOML file, turning every failure into a one-line :class:`SpecError`.

    The file must be a regular file of at most :data:`~dcpower.inputs.MAX_TOML_BYTES` with
    tables nested at most :data:`~dcpower.inputs.MAX_TOML_DEPTH` deep. Parsed files are
    cached as JSON in the user cache directory, keyed by the SHA-256 of the file's bytes: a
    changed file is simply parsed again. JSON is data only, so the cache never executes
    anything; an entry that fails its checksum or is not the plain data a TOML parse gives is
    deleted and the file parsed again, and what it returns is validated by the spec models
    exactly as a fresh parse is. ``cached=False`` (what ``dcpower specs validate`` uses) or ``DCPOWER_NO_CACHE=1``
    bypasses it.
    """
    raw = read_input(path, what, MAX_TOML_BYTES, SpecError)
    digest = hashlib.sha256(raw).hexdigest()
    data = _cached(digest) if cached else None
    if data is None:
        data = _parse_toml(raw, path)
        _write_cache(digest, data)
    return data


def _parse_toml(raw: bytes, path: Path) -> dict:
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))  # -sig: a byte-order mark (Windows Notepad) is dropped
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc}); fix the syntax at that line") from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not UTF-8 text ({exc}); save the file as UTF-8") from None
    except RecursionError:
        data = None
    if data is None or nesting_depth(data, MAX_TOML_DEPTH) > MAX_TOML_DEPTH:
        raise SpecError(f"{path}: tables or arrays nested more than {MAX_TOML_DEPTH} deep; "
                        "a spec file needs a few levels at most, flatten it")
    return data


def _cache_dir() -> Path | None:
    from dcpower.cache import cache_dir

    return cache_dir("toml")


_CACHE_FORMAT = "dcpower parsed TOML, format 2"


def _cached(digest: str) -> dict | None:
    """The parsed data of the file whose bytes hash to ``digest``, if a sound entry holds it.

    An entry is a header line (format, the source's SHA-256, the body's SHA-256) and a JSON
    body. A body that does not match its checksum (damaged, or edited by hand) or is not the
    plain data a TOML parse gives is deleted; what passes is validated by the spec models
    like freshly parsed data, so an entry is never trusted beyond what a file would be.
    """
    from dcpower.cache import discard

    d = _cache_dir()
    if d is None:
        return None
    f = d / f"{digest}.json"
    if not f.exists():
        return None
    try:
        head, _, body = read_input(f, "a spec cache entry", MAX_CACHE_BYTES, SpecError, remember=False).partition(b"\n")
        header = json.loads(head)
        if header == {"format": _CACHE_FORMAT, "source": digest, "body": hashlib.sha256(body).hexdigest()}:
            data = json.loads(body)
            if _is_toml_data(data):
                return data
    except Exception:  # noqa: BLE001 - whatever is wrong with an entry, it is rebuilt
        pass
    discard(f)
    return None


def _is_toml_data(data) -> bool:
    """Whether ``data`` is what a TOML parse can give: a table of tables, arrays, strings,
    numbers and booleans (JSON's null is not), nested within the limit."""
    if not isinstance(data, dict) or nesting_depth(data, MAX_TOML_DEPTH) > MAX_TOML_DEPTH:
        return False
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not isinstance(item, (str, int, float, bool)):
            return False
    return True


def _write_cache(digest: str, data: dict) -> None:
    from dcpower.cache import store

    d = _cache_dir()
    if d is None:
        return
    try:
        body = json.dumps(data, allow_nan=True).encode("utf-8")  # TOML has nan and inf; so does this JSON
    except (TypeError, ValueError):
        return  # dates and times have no JSON form: such a file is parsed every time
    header = {"format": _CACHE_FORMAT, "source": digest, "body": hashlib.sha256(body).hexdigest()}
    store(d / f"{digest}.json", json.dumps(header).encode("utf-8") + b"\n" + body)


def _raw_entries(path: Path, cached: bool = True) -> list[tuple[str, str, dict]]:
    """``(category, id, table)`` for every entry of one catalog file, unvalidated."""
    if cached:
        try:
            return _entries_of(path, read_toml(path))
        except SpecError:
            pass  # a cache entry of the wrong shape is not fatal: the file itself decides
    return _entries_of(path, read_toml(path, cached=False))


def _entries_of(path: Path, data: dict) -> list[tuple[str, str, dict]]:
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
        # validated on every load, whether the data came from the file or from the cache
        try:
            spec = _validate(category, ident, items[ident], self.origin[key])
        except SpecError:
            spec = self._validate_fresh(category, ident)
        self._check_spec_references(spec)
        self._valid[key] = spec
        return spec

    def folder_of(self, category: str, ident: str) -> Path:
        """The specs folder whose file defines a spec: the paths that spec names are read from it."""
        origin = self.origin[(category, ident)].resolve()
        folders = [d.resolve() for d in self.dirs]
        inside = [d for d in folders if origin.is_relative_to(d)]
        return max(inside, key=lambda d: len(d.parts)) if inside else origin.parent

    def _validate_fresh(self, category: str, ident: str) -> Spec:
        """Validate the entry as its file says now, past the cache: a cache entry that fails
        validation is replaced, never fatal; a file that fails raises its error."""
        path = self.origin[(category, ident)]
        fresh = {(c, i): e for c, i, e in _raw_entries(path, cached=False)}
        entry = fresh.get((category, ident), self.raw[category][ident])
        spec = _validate(category, ident, entry, path)
        self.raw[category][ident] = entry
        return spec

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
        """Validate every entry, every cross-reference and every data file a spec names (a
        site's weather); raise on the first problem, as an estimate using it would."""
        for spec in self.all():
            if spec.category == "site":
                self._check_weather(spec)
        return self

    def _check_weather(self, site) -> None:
        where = self.origin[("site", site.id)]
        folder = self.folder_of("site", site.id)
        path = data_path(folder, site.weather, f"{where}: site '{site.id}' weather")
        if not path.is_file():
            raise SpecError(f"{where}: site '{site.id}': weather file '{site.weather}' not found in {folder}; "
                            "put it there or fix the path")

    check_references = validate_all


def suggest(ident: str, valid: list[str]) -> str:
    """``did you mean h100-sxm, h100-pcie?`` from the valid ids most like ``ident``."""
    prefix = [v for v in valid if v.startswith(ident) or ident in v]
    close = prefix or difflib.get_close_matches(ident, valid, n=3, cutoff=0.5)
    if close:
        return f"did you mean {', '.join(sorted(close)[:5])}?"
    return f"valid ids: {', '.join(sorted(valid))}" if valid else "none are defined"


def data_path(folder: Path, relative: str, what: str) -> Path:
    """The data file (weather...) that a spec file in ``folder`` names, relative to ``folder``.

    A spec may only point inside its own specs folder: an absolute path, or one that leads
    out with ``..`` (or through a link), is refused with one line.
    """
    p = Path(relative)
    root = Path(os.path.realpath(folder))
    # realpath, not resolve(): a symbolic-link loop raised RuntimeError; its read names it instead
    if p.is_absolute() or not Path(os.path.realpath(root / p)).is_relative_to(root):
        raise SpecError(f"{what}: '{relative}' leads outside its specs folder {folder}; put the file "
                        "inside that folder and give its path relative to the folder")
    return Path(folder) / p


def catalog_files(directory: Path) -> list[Path]:
    out = []
    # Only the folder's own files: a specs folder is flat (its data sits in the subfolders of
    # DATA_SUBDIRS), and ``--specs .`` in a big tree must not walk it.
    for path in sorted(directory.glob("*.toml")):
        out.append(path)
    return out


_CACHE: dict[tuple, Catalog] = {}


def load_catalog(specs_dirs: list[str | Path] | tuple = (), *, builtin: bool = True,
                 cached: bool = True) -> Catalog:
    """The validated catalog: built-in specs, then each user directory's on top.

    ``cached=False`` reads every file afresh, past the in-process and user caches.

    Raises
    ------
    SpecError
        For the first malformed file, invalid entry, duplicate id or dangling reference.
    """
    dirs = user_dirs(specs_dirs)
    key = (builtin, tuple(str(d.resolve()) for d in dirs),
           tuple(p.stat().st_mtime_ns for d in dirs for p in catalog_files(d)))
    if cached and key in _CACHE:
        for path in _CACHE[key].origin.values():
            remember_input(path)  # read by an earlier command of this process: still an input
        return _CACHE[key]
    catalog = Catalog(dirs=([builtin_dir()] if builtin else []) + dirs)
    if builtin:
        for path in catalog_files(builtin_dir()):
            for category, ident, entry in _raw_entries(path, cached):
                catalog.add_raw(category, ident, entry, path, replace=False)
    for directory in dirs:
        add_user_files(catalog, catalog_files(directory), directory, cached)
    _CACHE[key] = catalog
    return catalog


def add_user_files(catalog: Catalog, files: list[Path], where, cached: bool = True) -> None:
    """Lay a user's spec files over ``catalog``: a built-in id is replaced, an id defined
    twice among ``files`` is an error, and every entry is validated at once."""
    seen: set[tuple[str, str]] = set()
    for path in files:
        for category, ident, entry in _raw_entries(path, cached):
            if (category, ident) in seen:
                raise SpecError(f"{path}: {category} id '{ident}' is defined twice in "
                                f"{where}; ids must be unique, rename one")
            seen.add((category, ident))
            catalog.add_raw(category, ident, entry, path, replace=True)
    for category, ident in seen:
        catalog.get(category, ident)


def validate_files(paths: list[Path]) -> Catalog:
    """Validate user spec files or directories on top of the built-in catalog, read afresh
    (never from the cache: what is validated is what the files say)."""
    catalog = Catalog()
    for path in catalog_files(builtin_dir()):
        for category, ident, entry in _raw_entries(path, cached=False):
            catalog.add_raw(category, ident, entry, path, replace=False)
    files = []
    for p in paths:
        if not p.exists():
            why = "a symbolic link that leads nowhere or loops" if os.path.lexists(p) else "file not found"
            raise SpecError(f"{p}: {why}; give the path of a spec file or folder")
        found = catalog_files(p) if p.is_dir() else [p]
        if not found:  # "ok" would say files were checked that were never read
            raise SpecError(f"{p}: no .toml spec files in this folder (subfolders are not read); "
                            "give the folder that holds them, or the files themselves")
        files += found
    # the same rules as an estimate reading these files with --specs, read afresh
    add_user_files(catalog, files, ", ".join(str(p) for p in paths), cached=False)
    return catalog.validate_all()
