"""Regenerate the dcpower output quoted in README.md and docs/*.md, and docs/assumptions.md.

A generated block is a dcpower command line in an HTML comment on a line of its own, then the
output, then an end marker:

    <!-- dcpower estimate --gpus 100000 -->
    ```text
    $ dcpower estimate --gpus 100000
    ...what the command prints on stdout...
    ```
    <!-- end -->

The command runs in-process on the installed package (click's CliRunner on ``dcpower.cli.cli``),
with DCPOWER_SPECS unset so only the built-in catalog counts; stdout only, trailing spaces
removed. Markers inside fenced code are ignored. A command that writes a file (-o/--output) is
refused, except `dcpower plot ... -o img/NAME.png`: an image block, whose picture in docs/img/
is redrawn with a sidecar of the numbers it shows (tools/build_images.py).

Usage: python tools/build_docs.py [--check]
    (no option)  rewrite every stale block, picture and docs/assumptions.md
    --check      write nothing; exit 1 listing the stale blocks, pictures and files
A command that fails (or a marker without its end) prints the command and its error and exits
with status 2; nothing is written then. tests/test_docs.py runs the same check.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = re.compile(r"^<!--\s*(dcpower(?:\s.*?)?)\s*-->\s*$")
END = re.compile(r"^<!--\s*end\s*-->\s*$")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
REFUSED = ("-o", "--output")


class DocsError(Exception):
    """A block that cannot be regenerated: its command failed, or its marker is malformed."""


@dataclass(frozen=True)
class Block:
    path: Path
    line: int      # 1-based line of the start marker
    command: str   # "dcpower estimate --gpus 100000"
    start: int     # index of the first line after the start marker
    end: int       # index of the end marker line
    body: str      # the current text between the markers

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def doc_files() -> list[Path]:
    """README.md and every docs/*.md, in that order."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [f for f in files if f.is_file()]


def find_blocks(path: Path) -> list[Block]:
    """The generated blocks of one markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    blocks, fence, i = [], None, 0
    while i < len(lines):
        text = lines[i].rstrip("\n")
        m = FENCE.match(text)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not text.strip()[len(m.group(1)):]:
                fence = None
            i += 1
            continue
        if m:
            fence = m.group(1)
            i += 1
            continue
        start = START.match(text)
        if start is None:
            i += 1
            continue
        for j in range(i + 1, len(lines)):
            if END.match(lines[j]):
                break
            if START.match(lines[j]):
                raise DocsError(f"{path.relative_to(ROOT)}:{i + 1}: block '{start.group(1)}' has no "
                                f"<!-- end --> before the next block at line {j + 1}")
        else:
            raise DocsError(f"{path.relative_to(ROOT)}:{i + 1}: block '{start.group(1)}' has no <!-- end -->")
        blocks.append(Block(path, i + 1, " ".join(start.group(1).split()), i + 1, j, "".join(lines[i + 1:j])))
        i = j + 1
    return blocks


def all_blocks() -> list[Block]:
    return [b for f in doc_files() for b in find_blocks(f)]


def run_command(command: str) -> str:
    """What ``command`` prints on stdout, run in-process; DocsError when it fails."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise DocsError(f"'{command}': cannot parse the command line: {exc}") from None
    if not argv or argv[0] != "dcpower":
        raise DocsError(f"'{command}': a generated block must run dcpower")
    if any(a in REFUSED or a.startswith("--output=") for a in argv[1:]):
        raise DocsError(f"'{command}': writes a file; a generated block shows stdout only")

    from click.testing import CliRunner

    from dcpower.cli import cli

    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2: keep stderr apart
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stdout and stderr apart
    result = runner.invoke(cli, argv[1:], prog_name="dcpower", env={"DCPOWER_SPECS": None})
    if result.exit_code != 0 or result.exception is not None:
        detail = (result.stderr or "").strip()
        exc = result.exception
        if exc is not None and not isinstance(exc, SystemExit):
            detail = f"{detail}\n{exc.__class__.__name__}: {exc}".strip()
        raise DocsError(f"'{command}' failed (exit status {result.exit_code}): {detail or 'no message'}")
    out = "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip("\n")
    if not out:
        raise DocsError(f"'{command}' printed nothing on stdout")
    return out


def render_block(command: str, output: str) -> str:
    """The text between the markers: the command and its output in a fenced code block."""
    fence = "```"
    while fence in output:
        fence += "`"
    return f"{fence}text\n$ {command}\n{output}\n{fence}\n"


def _tool(name: str):
    """A sibling module of this script (list_assumptions, build_images)."""
    import importlib

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def _assumptions():
    return _tool("list_assumptions")


def expected(block: Block) -> tuple[str, dict[Path, bytes | str], list[str]]:
    """``(the block's text today, files to write when stale, why they are stale)``.

    A text block's files are empty; an image block's are its picture and sidecar, listed
    only when they are out of date. DocsError when the command fails.
    """
    images = _tool("build_images")
    if not images.is_image_command(block.command):
        return render_block(block.command, run_command(block.command)), {}, []
    try:
        r = images.render(block.command, block.path)
    except images.ImageError as exc:
        raise DocsError(str(exc)) from None
    found = images.problems(r)
    return r.body, (images.files(r) if found else {}), found


def build() -> tuple[dict[Path, str | bytes], list[str]]:
    """``(new text of every file that changes, what is stale)``; DocsError on any failure."""
    outputs: dict[tuple[Path, str], str | None] = {}
    errors: list[str] = []
    changed: dict[Path, str | bytes] = {}
    stale: list[tuple[int, int, str]] = []  # (file, line, what): listed in reading order
    for order, path in enumerate(doc_files()):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        try:
            blocks = find_blocks(path)
        except DocsError as exc:
            errors.append(str(exc))
            continue
        for b in blocks:
            if (path, b.command) not in outputs:
                try:
                    outputs[path, b.command], files, found = expected(b)
                except DocsError as exc:
                    errors.append(f"{b.where}: {exc}")
                    outputs[path, b.command] = None
                    continue
                changed.update(files)
                stale += [(order, b.line, f"{b.where}: {what}") for what in found]
        for b in reversed(blocks):  # from the end, so earlier line indices stay valid
            new = outputs[path, b.command]
            if new is not None and new != b.body:
                stale.append((order, b.line, f"{b.where}: {b.command}"))
                lines[b.start:b.end] = [new]
        text = "".join(lines)
        if text != path.read_text(encoding="utf-8"):
            changed[path] = text
    la = _assumptions()
    try:
        doc = la.document()
    except Exception as exc:  # noqa: BLE001 - report which generator failed, with its error
        errors.append(f"tools/list_assumptions.py failed: {exc.__class__.__name__}: {exc}")
    else:
        if not la.DOC.is_file() or la.DOC.read_text(encoding="utf-8") != doc:
            stale.append((sys.maxsize, 0, f"{la.DOC.relative_to(ROOT)}: tools/list_assumptions.py"))
            changed[la.DOC] = doc
    if errors:
        raise DocsError("\n".join(errors))
    return changed, [what for *_, what in sorted(stale)]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    unknown = [a for a in args if a != "--check"]
    if unknown:
        print(f"usage: python tools/build_docs.py [--check]; unknown: {' '.join(unknown)}", file=sys.stderr)
        return 2
    try:
        changed, stale = build()
    except DocsError as exc:
        print(f"build_docs: nothing written; fix these first:\n{exc}", file=sys.stderr)
        return 2
    if "--check" in args:
        if stale:
            print("stale (run python tools/build_docs.py):\n  " + "\n  ".join(stale), file=sys.stderr)
            return 1
        print("docs are current")
        return 0
    for path, text in changed.items():
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    if not changed:
        print("docs are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
