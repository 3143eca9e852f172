"""Regenerate the pictures in docs/img/ from the `dcpower plot` commands the docs name.

An image block in a markdown file is a `dcpower plot ... -o img/NAME.png` command in a marker,
then the image link, then an end marker:

    <!-- dcpower plot sankey -o img/sankey.png -->
    ![...the picture's title...](img/sankey.png)
    <!-- end -->

The -o path is relative to the markdown file and must lie in docs/img/. The command runs
in-process (click's CliRunner on ``dcpower.cli.cli``, DCPOWER_SPECS unset). Beside each image
a sidecar ``NAME.png.json`` holds the command, the numbers the picture was drawn from
(``dcpower.output.plot.recording``), the image's SHA-256 and the matplotlib version that drew it.

A picture is current when (1) the numbers drawn today equal the sidecar's, (2) the image file's
SHA-256 is the sidecar's (the image is the one drawn from those numbers), and, where the
matplotlib version is the sidecar's, (3) today's bytes equal the file's (the same version
draws the same bytes; another version may differ in pixels, so there only the numbers count).

tools/build_docs.py calls :func:`render` and :func:`problems`; tests/test_docs.py runs the same check.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "img"
OUTPUT = ("-o", "--output")


class ImageError(Exception):
    """An image command that cannot run, or whose output path is not allowed."""


@dataclass(frozen=True)
class Rendered:
    image: Path          # where the picture belongs
    sidecar: Path        # NAME.png.json beside it
    picture: bytes       # the picture as drawn today
    sidecar_text: str    # the sidecar as it should read
    body: str            # the text between the markers: the image link


def is_image_command(command: str) -> bool:
    """A `dcpower plot ...` command that writes a file: an image block."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return False
    return argv[1:2] == ["plot"] and any(a in OUTPUT or a.startswith("--output=") for a in argv)


def _target(argv: list[str], doc: Path) -> tuple[list[str], str]:
    """``(argv without -o, the -o path as written)``; ImageError unless it lies in docs/img/."""
    rest, out, i = [], None, 0
    while i < len(argv):
        if argv[i] in OUTPUT and i + 1 < len(argv):
            out, i = argv[i + 1], i + 2
            continue
        if argv[i].startswith("--output="):
            out = argv[i].split("=", 1)[1]
        else:
            rest.append(argv[i])
        i += 1
    path = (doc.parent / out).resolve() if out else None
    if path is None or path.parent != IMAGES or path.suffix.lower() not in (".png", ".svg"):
        raise ImageError(f"'-o {out}': an image block writes a .png or .svg in docs/img/")
    return rest, out


def _draw(argv: list[str], suffix: str) -> tuple[bytes, dict]:
    """Run ``dcpower plot ...`` in-process into a temporary file: its bytes and its data."""
    from click.testing import CliRunner

    from dcpower.cli import cli
    from dcpower.output import plot

    with tempfile.TemporaryDirectory() as tmp, plot.recording() as drawn:
        out = Path(tmp) / f"picture{suffix}"
        result = CliRunner().invoke(cli, [*argv[1:], "-o", str(out)], prog_name="dcpower",
                                    env={"DCPOWER_SPECS": None})
        if result.exit_code != 0 or result.exception is not None or not drawn:
            exc = result.exception
            detail = f"{exc.__class__.__name__}: {exc}" if exc and not isinstance(exc, SystemExit) else ""
            raise ImageError(f"'{shlex.join(argv)}' failed (exit status {result.exit_code}): "
                             f"{(result.output or '').strip()} {detail}".strip())
        return out.read_bytes(), drawn[-1][1]


def render(command: str, doc: Path) -> Rendered:
    """Draw the picture of an image block today, with its sidecar and the block's text."""
    import matplotlib

    argv, shown = _target(shlex.split(command), doc)
    image = (doc.parent / shown).resolve()
    picture, data = _draw(argv, image.suffix.lower())
    sidecar = {"command": shlex.join(argv), "image": image.name, "sha256": hashlib.sha256(picture).hexdigest(),
               "matplotlib": matplotlib.__version__, "data": data}
    text = _compact(json.dumps(sidecar, indent=1, ensure_ascii=False)) + "\n"
    title = " ".join(str(data.get("title", argv[2])).split()).replace("]", ")").replace("[", "(")
    return Rendered(image, image.with_name(image.name + ".json"), picture, text, f"![{title}]({shown})\n")


def _compact(text: str) -> str:
    """Lists of plain values on one line each: a sidecar short enough to read in a diff."""
    return re.sub(r"\[\s*([^\[\]{}]*?)\s*\]", lambda m: "[" + re.sub(r",\n\s*", ", ", m.group(1)) + "]", text)


def problems(r: Rendered) -> list[str]:
    """Why the committed picture or sidecar is not today's; empty when current."""
    rel = r.image.relative_to(ROOT)
    if not r.image.is_file() or not r.sidecar.is_file():
        return [f"{rel}: image or its sidecar {r.sidecar.name} is missing"]
    try:
        old = json.loads(r.sidecar.read_text(encoding="utf-8"))
    except ValueError:
        return [f"{r.sidecar.relative_to(ROOT)}: not valid JSON"]
    new = json.loads(r.sidecar_text)
    found = []
    if old.get("data") != new["data"] or old.get("command") != new["command"]:
        found.append(f"{rel}: drawn from other numbers than dcpower gives today")
    if hashlib.sha256(r.image.read_bytes()).hexdigest() != old.get("sha256"):
        found.append(f"{rel}: not the image its sidecar {r.sidecar.name} describes")
    elif old.get("matplotlib") == new["matplotlib"] and r.image.read_bytes() != r.picture:
        found.append(f"{rel}: drawn differently today (same matplotlib {new['matplotlib']})")
    return found


def files(r: Rendered) -> dict[Path, bytes | str]:
    """What to write for a stale picture: the image and its sidecar."""
    return {r.image: r.picture, r.sidecar: r.sidecar_text}
