"""Every source a shipped spec cites is one a user can open.

A spec value cites a published document (title, publisher, year, and a URL where one exists),
or says ``source = "assumption"`` and gives the reasoning in its note. Internal working notes,
files outside the project, local paths and remarks about how a spec was written are never a
source: a user who reads ``dcpower --explain`` or a spec file cannot open them.

The checks run on the text of every built-in TOML file (values and comments alike), on the
values of the built-in catalog as :func:`dcpower.catalog.loader.load_catalog` loads them, and
on every sourced table of the scenario and measurement files. The last tests run the same
checks on a deliberately bad spec directory to show that they fail.
"""

from __future__ import annotations

import re
import textwrap
import tomllib
from pathlib import Path

import pytest

from dcpower.catalog.loader import builtin_dir, load_catalog
from dcpower.catalog.models import SpecCurve, SpecValue
from dcpower.catalog.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]

# Text that points a user at something they cannot open.
FORBIDDEN = [
    (r"engineering-values|physics-review|peer-tools|reference compilation", "cites an internal note"),
    (r"shared reference|\bshared/|(?<![\w-])reference/", "cites an internal reference folder"),
    (r"\bthis session\b|\blead report\b|\breported to (?:the )?lead\b|\bthe lead runs\b"
     r"|\bfind_string\b|\bsearch tool\b|\bissue \d+\b", "speaks of how the spec was written, not of a source"),
    (r"(?<![\w.])(?:/work|/tmp|/home|/Users|/mnt|/root|/opt|~)/|\b[A-Za-z]:\\", "names a local path"),
    (r"[\w./-]+\.md\b", "cites a Markdown file, which the package does not ship"),
]
URL = re.compile(r"https?://\S+")
FILE_PATH = re.compile(r"(?<![\w.:/-])((?:[\w.-]+/)+[\w.-]+\.(?:py|toml|csv|json|txt|gz|epw))\b")
CITING_KEYS = {"source", "url", "note", "year"}


def spec_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.toml"))


def path_exists(token: str, specs: Path) -> bool:
    """A relative path is fine when it names a file of the project or of the spec folder."""
    rel = token.removeprefix("specs/")
    return (ROOT / token).is_file() or (specs / rel).is_file() or (specs / token).is_file()


def text_problems(text: str, where: str, specs: Path) -> list[str]:
    """What is wrong with one piece of spec text (a line, a value, a note)."""
    problems = [f"{where}: {why}: {m.group(0)!r}"
                for pattern, why in FORBIDDEN for m in re.finditer(pattern, URL.sub("", text), re.I)]
    for m in FILE_PATH.finditer(URL.sub("", text)):
        if not path_exists(m.group(1), specs):
            problems.append(f"{where}: names a file that is not in the project: {m.group(1)!r}")
    return problems


def file_problems(specs: Path) -> list[str]:
    """Problems in the text of every TOML file under ``specs``, comments included, by line."""
    out = []
    for path in spec_files(specs):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            out += text_problems(line, f"{path.relative_to(specs)}:{n}", specs)
    return out


def citation_problems(source: str, url: str | None, year: int | None, where: str) -> list[str]:
    """A citation needs a year unless it is an assumption or user input; a URL needs a scheme."""
    out = []
    kind = source.strip().lower()
    if kind != "assumption" and not kind.startswith("user input") and year is None:
        out.append(f"{where}: source {source!r} has no year")
    if url is not None and not url.startswith(("https://", "http://")):
        out.append(f"{where}: url {url!r} does not start with https:// or http://")
    return out


def catalog_problems(specs: Path) -> list[str]:
    """Citation problems of every value of the catalog entries that come from ``specs``
    (the built-in catalog, or a user directory loaded on top of it)."""
    catalog = load_catalog() if specs == builtin_dir() else load_catalog([specs])
    out = []
    for spec in catalog.all():
        if not catalog.origin[(spec.category, spec.id)].is_relative_to(specs):
            continue
        for name in type(spec).model_fields:
            v = getattr(spec, name)
            if isinstance(v, (SpecValue, SpecCurve)):
                where = f"{spec.category} {spec.id}.{name}"
                out += citation_problems(v.source, v.url, v.year, where)
                for key in ("source", "url", "note"):
                    out += text_problems(getattr(v, key) or "", f"{where}.{key}", specs)
    return out


def sourced_tables(data, where: str):
    """``(where, table)`` for every table with a ``source`` key, at any depth."""
    if isinstance(data, dict):
        if "source" in data:
            yield where, data
        for key, value in data.items():
            yield from sourced_tables(value, f"{where}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from sourced_tables(value, f"{where}[{i}]")


def data_file_problems(specs: Path) -> list[str]:
    """Citation problems of every sourced table in the scenario and measurement files."""
    out = []
    for sub in ("scenarios", "measurements"):
        for path in spec_files(specs / sub):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            for where, table in sourced_tables(data, f"{sub}/{path.name}"):
                out += citation_problems(str(table["source"]), table.get("url"),
                                         table.get("year"), where)
                for key in CITING_KEYS - {"year"}:
                    if isinstance(table.get(key), str):
                        out += text_problems(table[key], f"{where}.{key}", specs)
    return out


def test_builtin_spec_files_cite_nothing_a_user_cannot_open():
    problems = file_problems(builtin_dir())
    assert not problems, "\n".join(problems)


def test_builtin_catalog_values_cite_openable_sources_with_years():
    problems = catalog_problems(builtin_dir())
    assert not problems, "\n".join(problems)


def test_scenario_and_measurement_values_cite_openable_sources_with_years():
    specs = builtin_dir()
    for path in spec_files(specs / "scenarios"):
        load_scenario(path)  # the files being checked are the ones the program reads
    assert list(spec_files(specs / "scenarios")) and list(spec_files(specs / "measurements"))
    problems = data_file_problems(specs)
    assert not problems, "\n".join(problems)


BAD_ACCELERATOR = """
# Values checked in this session against /work/shared/reference/engineering-values.md
[[accelerator]]
id = "bad-1"
name = "Accelerator with unopenable sources"
vendor = "Workshop"
form_factor = "OAM"
max_power = { value = "700 W", source = "NVIDIA datasheet (via shared reference)", url = "docs.nvidia.com/x", year = 2024, note = "see notes/values.md and data/table.csv" }
default_server = "hgx-h100-8gpu-liquid"
"""

BAD_SCENARIO_VALUE = ('grid_limit = { value = "150 MW", source = "local press", '
                      'note = "engineering-values.md section 7.4" }')


@pytest.fixture
def bad_specs(tmp_path):
    (tmp_path / "bad.toml").write_text(textwrap.dedent(BAD_ACCELERATOR))
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "bad.toml").write_text(f"[supply]\n{BAD_SCENARIO_VALUE}\n")
    (tmp_path / "measurements").mkdir()
    return tmp_path


def test_file_check_catches_internal_notes_paths_and_session_remarks(bad_specs):
    problems = "\n".join(file_problems(bad_specs))
    for expected in ["bad.toml:2: speaks of how the spec was written",
                     "bad.toml:2: names a local path: '/work/'",
                     "bad.toml:2: cites an internal note: 'engineering-values'",
                     "bad.toml:8: cites an internal reference folder: 'shared reference'",
                     "bad.toml:8: cites a Markdown file", "'data/table.csv'",
                     "scenarios/bad.toml:2: cites an internal note"]:
        assert expected in problems


def test_catalog_check_catches_a_url_without_scheme_and_an_internal_source(bad_specs):
    problems = "\n".join(catalog_problems(bad_specs))
    assert "accelerator bad-1.max_power: url 'docs.nvidia.com/x' does not start with https://" in problems
    assert "accelerator bad-1.max_power.source: cites an internal reference folder" in problems
    assert "accelerator bad-1.max_power.note: cites a Markdown file, which the package does not ship: 'notes/values.md'" in problems


def test_data_file_check_catches_a_missing_year_and_an_internal_note(bad_specs):
    problems = data_file_problems(bad_specs)
    assert "scenarios/bad.toml.supply.grid_limit: source 'local press' has no year" in problems
    assert any(p.startswith("scenarios/bad.toml.supply.grid_limit.note: cites an internal note")
               for p in problems)


@pytest.mark.parametrize("text", [
    "NVIDIA DGX B200 User Guide, https://docs.nvidia.com/dgx/dgxb200-user-guide/",
    "dcpower measurement (specs/measurements/h100-sxm-2026-11-26.toml, pattern_period)",
    "NVIDIA DGX SuperPOD reference architecture, storage table",
    "Large power transformer lead time",
])
def test_openable_text_passes(text):
    assert text_problems(text, "x", builtin_dir()) == []
