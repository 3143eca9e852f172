"""Command-line interface: parse, call the library, render. Nothing else lives here."""

from __future__ import annotations

import sys

import click

from dcpower.errors import DcpowerError, InputError

FORMAT_CHOICES = ("table", "json", "csv", "markdown")
# the forms dcpower.physics.sizing reads (distributed redundant: any xN/y)
REDUNDANCY_EXAMPLES = ("N", "N+1", "2N", "2N+1", "2(N+1)", "4N/3")


class QuantityType(click.ParamType):
    """A click parameter holding a pint Quantity of a given dimension (``--host-power "2 kW"``)."""

    name = "quantity"

    def __init__(self, dimension: str):
        self.dimension = dimension

    def convert(self, value, param, ctx):
        from dcpower.units import parse_quantity

        if hasattr(value, "units"):
            return value
        try:
            return parse_quantity(value, self.dimension, f"--{param.name.replace('_', '-')}" if param else "value")
        except DcpowerError as exc:
            self.fail(str(exc), param, ctx)


class ShareType(QuantityType):
    """A share of a whole, 0 <= F <= 1, typed as a number or a percentage (``0.8``, ``80%``)."""

    name = "share"

    def __init__(self):
        super().__init__("[dimensionless]")

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        x = float(super().convert(value, param, ctx).to("dimensionless").magnitude)
        if not 0 <= x <= 1:
            bare = "%" not in str(value) and "percent" not in str(value)
            hint = f"; {value} looks like a percentage: write {x / 100:g} or {x:g}%" if bare and 1 < x <= 100 else ""
            self.fail(f"{value!r} is not a share: give 0 <= F <= 1, such as 0.8 or 80%{hint}", param, ctx)
        return x


def format_option(choices=FORMAT_CHOICES, default="table"):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


def _specs_dirs(ctx) -> tuple:
    return tuple(ctx.find_root().params.get("specs") or ())


def _quiet(ctx) -> bool:
    """``dcpower -q ...`` or ``dcpower COMMAND -q``."""
    return bool(ctx.find_root().params.get("quiet") or ctx.meta.get("dcpower.quiet"))


def _set_quiet(ctx, param, value):
    if value:
        ctx.meta["dcpower.quiet"] = True


_QUIET = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set_quiet,
                      help="No warnings or progress on stderr (the same as dcpower -q).")


# ------------------------------------------------------------------ shell completion
# Catalog ids are read only when the shell asks for them (the catalog loads on first use).

def _matching(values, incomplete: str):
    from click.shell_completion import CompletionItem

    return [CompletionItem(v) for v in values if v.startswith(incomplete)]


def _catalog_ids(ctx, category: str) -> list[str]:
    from dcpower.catalog.loader import load_catalog

    try:
        return load_catalog(_specs_dirs(ctx)).ids(category)
    except DcpowerError:  # a broken user catalog: complete nothing rather than fail in the shell
        return []


def complete_ids(category: str):
    """A ``shell_complete`` callback offering the catalog's ids of ``category``."""
    def complete(ctx, param, incomplete):
        return _matching(_catalog_ids(ctx, category), incomplete)
    return complete


def complete_scenario(ctx, param, incomplete):
    """Scenario ids, and TOML files once the text looks like a path."""
    from click.shell_completion import CompletionItem

    from dcpower.catalog.scenario import scenario_ids

    items = _matching(scenario_ids(_specs_dirs(ctx)), incomplete)
    if not items or "/" in incomplete or "." in incomplete:
        items.append(CompletionItem(incomplete, type="file"))
    return items


def complete_category(ctx, param, incomplete):
    from dcpower.catalog.models import SPEC_TYPES

    return _matching(list(SPEC_TYPES), incomplete)


def complete_any_id(ctx, param, incomplete):
    from dcpower.catalog.loader import load_catalog

    try:
        cat = load_catalog(_specs_dirs(ctx))
    except DcpowerError:
        return []
    return _matching(sorted({s.id for s in cat.all()}), incomplete)


def _electrical_ids(ctx, kind: str) -> list[str]:
    from dcpower.catalog.loader import load_catalog

    try:
        cat = load_catalog(_specs_dirs(ctx))
        return [i for i in cat.ids("electrical") if cat.get("electrical", i).kind == kind]
    except DcpowerError:
        return []


def complete_results(ctx, param, incomplete):
    """Result names, comma-separated: completes the last one."""
    from dcpower.chain.result import RESULT_UNITS

    done, _, last = incomplete.rpartition(",")
    prefix = done + "," if done else ""
    return _matching([prefix + n for n in list(RESULT_UNITS) + ["all"] if n.startswith(last)], incomplete)


def complete_settings(ctx, param, incomplete):
    """``--set KEY=VALUE`` keys: the scenario's fields and the fields of the specs it selects
    (``cooling.fan_minimum_speed=``), then the catalog ids of a field that names a spec."""
    from dcpower.catalog.models import SPEC_TYPES
    from dcpower.catalog.scenario import ELECTRICAL_KINDS, ID_FIELDS, SPEC_FIELDS, scenario_keys

    key, sep, _ = incomplete.partition("=")
    if sep:
        field = key.rpartition(".")[2]
        category = ID_FIELDS.get(field)
        ids = _catalog_ids(ctx, category) if category else []
        if category == "electrical" and field in ELECTRICAL_KINDS:
            ids = _electrical_ids(ctx, ELECTRICAL_KINDS[field])
        ids += ["none"] if field in ("support", "mv_distribution", "hv_transformer") else []
        return _matching([f"{key}={i}" for i in ids], incomplete)
    keys = set(scenario_keys())
    for head, category in SPEC_FIELDS.items():
        keys |= {f"{head}.{f}" for f in SPEC_TYPES[category].model_fields if f not in ("id", "category")}
    return _matching(sorted(k + "=" for k in keys), incomplete)


_VARY_IDS = {"accelerator": "accelerator", "server": "server", "site": "site", "cooling": "cooling"}


def complete_vary(ctx, param, incomplete):
    """``--vary FIELD=A,B``: the option fields first, then the catalog ids of that field."""
    field, sep, values = incomplete.partition("=")
    if not sep:
        return _matching([f"{k}=" for k in ("gpus", "accelerator", "server", "site", "cooling", "utilization",
                                               "pue")], incomplete)
    if field not in _VARY_IDS:
        return []
    done, _, last = values.rpartition(",")
    prefix = f"{field}={done + ',' if done else ''}"
    return _matching([prefix + i for i in _catalog_ids(ctx, _VARY_IDS[field]) if i.startswith(last)], incomplete)


# Scenario options: the same on every command that computes (estimate, size, grid, compare,
# sweep, fit, plot). ``skip`` leaves out what a command varies itself.
_SCENARIO_OPTIONS = {
    "scenario": click.option("--scenario", "scenario", shell_complete=complete_scenario,
                             help="Scenario id or TOML file (default: memphis)."),
    "gpus": click.option("--gpus", type=click.IntRange(min=1), help="Number of accelerators."),
    "accelerator": click.option("--accelerator", shell_complete=complete_ids("accelerator"),
                                help="Accelerator id, e.g. h100-sxm, b200, mi300x."),
    "server": click.option("--server", shell_complete=complete_ids("server"),
                           help="Server id (default: the accelerator's usual server)."),
    "gpus_per_server": click.option("--gpus-per-server", type=click.IntRange(min=1),
                                    help="Custom node: accelerators per server."),
    "host_power": click.option("--host-power", type=QuantityType("[power]"),
                               help="Custom node: power of everything but the accelerators, e.g. '2.5 kW'."),
    "utilization": click.option("--utilization", type=ShareType(),
                                help="Share of time the accelerators are busy, 0 <= F <= 1 (0.8 or 80%)."),
    "workload": click.option("--workload", shell_complete=complete_ids("workload"),
                             help="What a busy accelerator runs: training, inference, hpl, idle."),
    "site": click.option("--site", shell_complete=complete_ids("site"), help="Site id: memphis, ashburn, phoenix."),
    "weather": click.option("--weather", type=click.Path(dir_okay=False), help="Any EnergyPlus weather file (.epw)."),
    "cooling": click.option("--cooling", shell_complete=complete_ids("cooling"),
                            help="Cooling id: air-chiller, rear-door, dlc-tower, dlc-drycooler, immersion, "
                                 "air-economizer, air-aircooled-chiller."),
    "pue": click.option("--pue", type=click.FloatRange(min=1), help="Replace the cooling and electrical model by a "
                                                                     "fixed PUE, 1 to 4."),
    "settings": click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", shell_complete=complete_settings,
                             help="Set any scenario field or a field of a selected spec, e.g. "
                                  "electrical.ups_efficiency=0.97, cooling.cycles_of_concentration=6."),
}
_KWARGS = ("gpus", "accelerator", "server", "gpus_per_server", "host_power", "utilization", "workload", "site",
           "weather", "cooling", "pue")


def scenario_options(*skip):
    """The scenario options, less ``skip``, and ``-q/--quiet`` (every command that computes has them)."""
    def deco(f):
        f = _QUIET(f)
        for name, opt in reversed(list(_SCENARIO_OPTIONS.items())):
            if name not in skip:
                f = opt(f)
        return f
    return deco


def _output_path(ctx, param, value):
    """Refuse a ``-o`` target that must not be replaced (device, FIFO, read-only...) before any work."""
    if value is not None:
        from dcpower.output.files import check_output

        check_output(value)
    return value


def output_options(formats=FORMAT_CHOICES, units=True, output=True):
    """``--format``, ``--units`` and ``-o/--output``, shared like sqlite-utils shares its output options."""
    opts = [format_option(formats)]
    if units:
        opts.append(click.option("--units", type=click.Choice(["si", "us"]), default="si", show_default=True,
                                 help="SI or US units (Mgal, tons of refrigeration, gpm, ft^2)."))
    if output:
        opts.append(click.option("-o", "--output", type=click.Path(dir_okay=False), callback=_output_path,
                                 help="Write to FILE instead of stdout (whole or not at all)."))

    def deco(f):
        for opt in reversed(opts):
            f = opt(f)
        return f
    return deco


def parse_settings(texts) -> dict:
    """``--set KEY=VALUE`` options as a dict; a key set twice to different values is refused
    (the last one used to win without a word)."""
    from dcpower.catalog.scenario import parse_setting

    out: dict = {}
    for text in texts:
        key, value = parse_setting(text)
        if key in out and out[key] != value:
            raise InputError(f"--set {key} is given twice ({out[key]!r} and {value!r}); keep the one you mean")
        out[key] = value
    return out


def scenario_kwargs(ctx, params: dict) -> dict:
    """Library keyword arguments from the parsed scenario options (popped from ``params``)."""
    kw = {k: params.pop(k, None) for k in _KWARGS}
    kw = {k: v for k, v in kw.items() if v is not None}
    kw["scenario"] = params.pop("scenario", None)
    kw["settings"] = parse_settings(params.pop("settings", ()) or ())
    kw["specs_dirs"] = _specs_dirs(ctx)
    return kw


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def progress_callback(ctx, what: str):
    """Progress on stderr for long runs, only on a terminal and not with --quiet."""
    if _quiet(ctx) or not _stderr_is_terminal():
        return None

    def report(done: int, total: int) -> None:
        click.echo(f"\r{what}: {done:,}/{total:,}", err=True, nl=done >= total)
    return report


def emit(ctx, report, fmt: str, output=None) -> None:
    """Data to stdout (or whole to ``-o FILE``); in text formats warnings go to stderr, in JSON
    they are the document's ``warnings`` list."""
    from dcpower.report import render

    text = render(report, fmt, warnings=False)
    if output is None:
        click.echo(text)
    else:
        from dcpower.output.files import write_atomic

        write_atomic(output, text + "\n")
        if not _quiet(ctx):
            click.echo(f"wrote {output}", err=True)
    if fmt != "json" and not _quiet(ctx):
        for w in report.warnings:
            click.echo(f"warning: {w}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dcpower")
@click.option("--specs", "specs", multiple=True, type=click.Path(file_okay=False),
              help="Directory of your own spec files, laid over the built-in catalog (repeatable; "
                   "also DCPOWER_SPECS).")
@click.option("-q", "--quiet", is_flag=True, help="No warnings or progress on stderr (JSON keeps its warnings).")
def cli(specs, quiet):
    """What a GPU cluster needs from the grid, the cooling plant and the water supply.

    \b
    Examples:
      dcpower estimate --gpus 100000
      dcpower estimate --accelerator b200 --cooling air-economizer --site phoenix
      dcpower specs show h100-sxm
    """


# ------------------------------------------------------------------ estimate

# A P5-P95 band needs a sample beyond each end: one draw in twenty lies below P5.
MIN_BAND_SAMPLES = 20


def _band_samples(ctx, param, value):
    if value is not None and value < MIN_BAND_SAMPLES:
        raise click.BadParameter(f"{value} sample{'' if value == 1 else 's'} cannot give a P5-P95 band; it needs at "
                                 f"least {MIN_BAND_SAMPLES} (one in twenty lies beyond each end); "
                                 f"try {param.opts[0]} 1000", ctx, param)
    return value


def _band_samples_or_none(ctx, param, value):
    """As :func:`_band_samples`, with 0 for no bands at all."""
    return value if value == 0 else _band_samples(ctx, param, value)


@cli.command()
@scenario_options()
@output_options()
@click.option("--explain", is_flag=True, help="Show every step: formula, inputs with sources, results.")
@click.option("--uncertainty", "samples", type=click.IntRange(max=1_000_000), metavar="N",
              callback=_band_samples,
              help="Draw N seeded Monte Carlo samples of the spec ranges (N of 20 or more): P5/P50/P95 of "
                   "every result and a sensitivity (tornado) table.")
@click.option("--seed", type=click.IntRange(min=0), help="Seed of the --uncertainty samples (default: fixed, "
              "reproducible).")
@click.option("--spread", type=click.FloatRange(min=0, max=10), default=1.0, show_default=True,
              help="Scale every --uncertainty range about its value (0.5: half as wide).")
@click.option("--hourly", "hourly", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write the 8,760 hourly series to FILE: .csv, or .parquet (needs pandas and pyarrow); "
                   "units as --units, in the header.")
@click.pass_context
def estimate(ctx, fmt, units, output, explain, samples, seed, spread, hourly, **params):
    """Estimate IT load, cooling, losses, facility power, water and grid draw.

    \b
    Examples:
      dcpower estimate                      # Memphis default, 100,000 H100
      dcpower estimate --gpus 20000 --cooling air-chiller --format json
      dcpower estimate --set electrical.ups_efficiency=0.97 --explain
      dcpower estimate --uncertainty 10000 --seed 7
      dcpower estimate --hourly memphis.csv
    """
    from dcpower.chain.estimate import estimate_resolved
    from dcpower.chain.resolve import resolve

    from dcpower.chain.run import shown_results

    if hourly is not None:
        import os

        from dcpower.output.hourly import check_hourly_path

        check_hourly_path(hourly)
        if output is not None and os.path.realpath(output) == os.path.realpath(hourly):
            raise InputError(f"--hourly and -o both name {hourly}: the table would replace the hourly series; "
                             "give them different files")
    kw = scenario_kwargs(ctx, params)
    result = estimate_resolved(resolve(**kw))
    if hourly is not None:
        _write_hourly(ctx, result, hourly, units)
    if samples is not None:
        from dcpower.studies.uncertainty import uncertainty

        unc = uncertainty(samples=samples, seed=seed, spread=spread, estimate=result,
                          progress=progress_callback(ctx, "samples"))
        emit(ctx, unc.report(units, explain=explain), fmt, output)
        return
    # the tables leave equipment sizing to `dcpower size` (its warnings still show); JSON has all
    emit(ctx, result.report(units, explain=explain, shown=None if explain else shown_results(result.results)), fmt,
         output)


def _write_hourly(ctx, result, path, units) -> None:
    from dcpower.output.files import write_atomic
    from dcpower.output.hourly import hourly_data

    write_atomic(path, hourly_data(result, path, units))
    if not _quiet(ctx):
        click.echo(f"wrote {path}", err=True)


# ------------------------------------------------------------------ specs

@cli.group()
def specs():
    """List, show and validate the spec catalog."""


@specs.command("list")
@click.argument("category", required=False, shell_complete=complete_category)
@format_option(("table", "json"))
@click.pass_context
def specs_list(ctx, category, fmt):
    """List specs, optionally of one CATEGORY.

    \b
    Examples:
      dcpower specs list
      dcpower specs list accelerator --format json
    """
    from dcpower.catalog.loader import load_catalog, suggest
    from dcpower.errors import InputError
    from dcpower.output.render import table, to_json
    from dcpower.catalog.models import SPEC_TYPES

    cat = load_catalog(_specs_dirs(ctx))
    if category is not None:
        category = category.rstrip("s") if category.rstrip("s") in SPEC_TYPES else category
        if category not in SPEC_TYPES:
            raise InputError(f"unknown category '{category}'; {suggest(category, list(SPEC_TYPES))}")
    cats = [category] if category else list(SPEC_TYPES)
    rows = [(c, i, cat.get(c, i).name) for c in cats for i in cat.ids(c)]
    if fmt == "json":
        click.echo(to_json([{"category": c, "id": i, "name": n} for c, i, n in rows]))
    else:
        click.echo(table(["category", "id", "name"], rows, "table"))


@specs.command("show")
@click.argument("ident", shell_complete=complete_any_id)
@click.option("--category", shell_complete=complete_category, help="Category, when an id exists in several.")
@format_option(("table", "json"))
@click.pass_context
def specs_show(ctx, ident, category, fmt):
    """Show every value of spec IDENT with its unit and source.

    \b
    Example:
      dcpower specs show h100-sxm
    """
    from dcpower.catalog.loader import load_catalog, suggest
    from dcpower.errors import InputError
    from dcpower.output.render import spec_rows, spec_to_json, table, to_json

    cat = load_catalog(_specs_dirs(ctx))
    found = [s for s in cat.all() if s.id == ident and (category is None or s.category == category)]
    if not found:
        every = sorted({s.id for s in cat.all()})
        raise InputError(f"no spec with id '{ident}'; {suggest(ident, every)}")
    if fmt == "json":
        data = [spec_to_json(s) for s in found]
        click.echo(to_json(data[0] if len(data) == 1 else data))
        return
    for s in found:
        click.echo(f"{s.category} {s.id}: {s.name}   (from {cat.origin[(s.category, s.id)]})")
        click.echo(table(["field", "value", "source"], spec_rows(s), "table"))


@specs.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.pass_context
def specs_validate(ctx, paths):
    """Validate the built-in catalog, or spec files and directories of your own.

    \b
    Examples:
      dcpower specs validate
      dcpower specs validate my-specs/
    """
    from pathlib import Path

    from dcpower.catalog.loader import load_catalog, validate_files

    if paths:
        cat = validate_files([Path(p) for p in paths])
    else:
        cat = load_catalog(_specs_dirs(ctx), cached=False).validate_all()  # the files, not the cache
    n = sum(len(v) for v in cat.raw.values())
    click.echo(f"ok: {n} specs valid" + (f" ({', '.join(paths)} on top of the built-in catalog)" if paths else ""))


# ------------------------------------------------------------------ scenario

@cli.group()
def scenario():
    """Show the built-in scenarios, to copy and edit."""


@scenario.command("list")
@click.pass_context
def scenario_list(ctx):
    """List scenario ids."""
    from dcpower.catalog.scenario import scenario_ids

    for s in scenario_ids(_specs_dirs(ctx)):
        click.echo(s)


@scenario.command("show")
@click.argument("name", default="memphis", shell_complete=complete_scenario)
@click.pass_context
def scenario_show(ctx, name):
    """Print scenario NAME as a TOML file you can copy and edit.

    \b
    Example:
      dcpower scenario show memphis > my.toml && dcpower estimate --scenario my.toml
    """
    from dcpower.catalog.scenario import scenario_path
    from dcpower.errors import SpecError
    from dcpower.inputs import MAX_TOML_BYTES, read_input

    path = scenario_path(name, _specs_dirs(ctx))
    text = read_input(path, "a scenario TOML file", MAX_TOML_BYTES, SpecError).decode("utf-8", "replace")
    click.echo(text.rstrip())


@scenario.command("new")
@click.argument("name")
@click.option("--from", "base", default="memphis", show_default=True, help="Scenario to build on (id or file).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: NAME.toml).")
@click.pass_context
def scenario_new(ctx, name, base, output):
    """Write NAME.toml: a scenario that extends a base, every field commented with its value,
    range and source; uncomment what differs.

    \b
    Example:
      dcpower scenario new my-site --from memphis && dcpower estimate --scenario my-site.toml
    """
    from pathlib import Path

    from dcpower.catalog.scenario import scenario_template
    from dcpower.output.files import write_atomic

    if not name.strip():
        raise InputError("scenario new: NAME is empty; give the scenario a name, e.g. dcpower scenario new my-site")
    # "my-site.toml" names the file itself, not my-site.toml.toml
    target = Path(output or (name if name.lower().endswith(".toml") else f"{name}.toml"))
    if target.exists() or target.is_symlink():
        raise InputError(f"{target} already exists; choose another NAME or -o FILE (dcpower never overwrites "
                           "a scenario)")
    write_atomic(target, scenario_template(base, target.stem, _specs_dirs(ctx)))
    if not _quiet(ctx):
        click.echo(f"wrote {target}; run: dcpower estimate --scenario {target}", err=True)


# ------------------------------------------------------------------ units

@cli.command("units")
@format_option(("table", "json", "markdown"))
@click.option("--definitions", is_flag=True, help="Print the registry's definition lines instead (units.txt).")
def units_cmd(fmt, definitions):
    """The units dcpower reads, per quantity, with an example, and what --units si|us shows.

    Any SI prefix works with a metric unit (kW, MW, GW; ML; kPa). A value with no unit is a
    plain number. Absolute temperatures (degC, degF) and temperature differences (K, delta_degC,
    delta_degF) are different quantities: 25 degC is refused where a difference is asked.

    \b
    Examples:
      dcpower units
      dcpower units --format json
    """
    from dcpower.chain.result import display_pairs
    from dcpower.output.render import table
    from dcpower.units import DEFINITIONS, unit_guide

    if definitions:
        for line in DEFINITIONS.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and "=" in line and not line.startswith("["):
                click.echo(line)
        return
    guide = unit_guide(display_pairs())
    if fmt == "json":
        import json

        click.echo(json.dumps([{**g, "shown": [{"si": si, "us": us} for si, us in g["shown"]]} for g in guide],
                              indent=2))
        return
    rows = [(g["quantity"], ", ".join(g["spellings"]), g["example"],
             ", ".join(si if si == us else f"{si} -> {us}" for si, us in g["shown"])) for g in guide]
    click.echo(table(["quantity", "dcpower reads", "example", "results shown in (si -> us)"], rows, fmt))


# ------------------------------------------------------------------ size and grid

def _view(ctx, view_name: str, title: str, params: dict, fmt, units, output, explain, extra: dict) -> None:
    from dcpower.chain.estimate import estimate_resolved
    from dcpower.chain.resolve import resolve
    from dcpower.output import views

    kw = scenario_kwargs(ctx, params)
    kw["settings"].update(extra)
    result = estimate_resolved(resolve(**kw))
    report = views.view_report(result, getattr(views, view_name), title, units)
    if explain:
        report.steps = result.steps
        report.data["steps"] = [s.to_dict() for s in result.steps]
    emit(ctx, report, fmt, output)


@cli.command("size")
@scenario_options()
@output_options()
@click.option("--explain", is_flag=True, help="Show every step of the estimate first.")
@click.option("--redundancy", shell_complete=lambda ctx, param, incomplete: _matching(REDUNDANCY_EXAMPLES, incomplete),
              help="Redundancy of UPS and MV/LV transformers: " + ", ".join(REDUNDANCY_EXAMPLES) + ".")
@click.pass_context
def size_cmd(ctx, fmt, units, output, explain, redundancy, **params):
    """What to build: UPS modules, transformers, substation, generators, cooling plant, space.

    \b
    Examples:
      dcpower size                                  # Memphis, 2N electrical, N+1 plant
      dcpower size --redundancy N+1 --units us
      dcpower size --set sizing.generator_rating=standby --format json
    """
    extra = {"sizing.electrical_redundancy": redundancy} if redundancy is not None else {}
    _view(ctx, "SIZE_VIEW", "size", params, fmt, units, output, explain, extra)


@cli.command("grid")
@scenario_options()
@output_options()
@click.option("--explain", is_flag=True, help="Show every step of the estimate first.")
@click.option("--ramp-limit", "ramp_limit", type=QuantityType("[ramp_rate]"),
              help="Fastest change of grid draw the battery must hold, e.g. '10 MW/min' (default 10 MW/min).")
@click.pass_context
def grid_cmd(ctx, fmt, units, output, explain, ramp_limit, **params):
    """How the cluster looks to the grid: training swing, ramp rate, battery, phases.

    \b
    Examples:
      dcpower grid                                  # Memphis, 10 MW/min
      dcpower grid --ramp-limit "1 MW/min"
      dcpower grid --scenario memphis-phased
    """
    extra = {"ramp_limit": f"{ramp_limit.magnitude} {ramp_limit.units}"} if ramp_limit is not None else {}
    _view(ctx, "GRID_VIEW", "grid", params, fmt, units, output, explain, extra)


# ------------------------------------------------------------------ planning: compare, sweep, fit

def _results_option(default_text: str):
    return click.option("--results", "results_text", metavar="NAME,NAME", shell_complete=complete_results,
                        help=f"Results to show, comma-separated, or 'all' (default: {default_text}).")


def _parse_results(text, default):
    if text is None:
        return default
    if text.strip() == "all":
        return None
    return [r.strip() for r in text.split(",") if r.strip()]


@cli.command("compare")
@click.argument("scenarios", nargs=-1, shell_complete=complete_scenario)
@click.option("--vary", "vary", multiple=True, metavar="FIELD=A,B,...", shell_complete=complete_vary,
              help="Variants of one field: an estimate option (gpus, accelerator, server, workload, site, cooling, "
                   "utilization, pue, ...) "
                   "or a --set key (cooling.approach). Repeat for every combination.")
@scenario_options()
@_results_option("a dozen headline results")
@output_options()
@click.pass_context
def compare_cmd(ctx, scenarios, vary, results_text, fmt, units, output, **params):
    """Side by side: scenario files, or variants of a field, with the change against the first.

    \b
    Examples:
      dcpower compare --vary cooling=air-chiller,dlc-tower,dlc-drycooler,immersion
      dcpower compare --vary site=memphis,ashburn,phoenix --gpus 50000
      dcpower compare memphis my.toml --format json
    """
    from dcpower.studies.compare import DEFAULT_RESULTS, compare

    kw = scenario_kwargs(ctx, params)
    base = kw.pop("scenario")
    if base is not None and scenarios:
        raise click.UsageError("give scenarios as arguments or --scenario, not both")
    listed = list(scenarios) or ([base] if base is not None and not vary else [])
    if vary and base is not None:
        listed = [base]
    res = compare(listed, vary=list(vary), results=_parse_results(results_text, DEFAULT_RESULTS), units=units,
                  progress=progress_callback(ctx, "variants"), **kw)
    emit(ctx, res.report(units), fmt, output)


def _sweep_field(gpus_range, utilization_range, field_range) -> tuple[str, str]:
    from dcpower.errors import InputError

    given = [(n, v) for n, v in (("gpus", gpus_range), ("utilization", utilization_range)) if v]
    if field_range:
        key, sep, text = field_range.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--field '{field_range}': write KEY=START..STOP, e.g. cooling.approach=2K..6K")
        given.append((key.strip(), text))
    if len(given) != 1:
        raise InputError("give exactly one range: --gpus START..STOP, --utilization START..STOP or "
                         "--field KEY=START..STOP")
    return given[0]


def sweep_options(f):
    for opt in reversed([
        click.option("--gpus", "gpus_range", metavar="START..STOP", help="Sweep the GPU count, e.g. 1000..200000."),
        click.option("--utilization", "utilization_range", metavar="START..STOP",
                     help="Sweep utilization, e.g. 0.5..1."),
        click.option("--field", "field_range", metavar="KEY=START..STOP",
                     help="Sweep any --set key, e.g. cooling.approach='2 K..6 K' or "
                          "electrical.design_loading=0.3..0.9."),
        click.option("--steps", type=int, default=10, show_default=True,
                     help="Number of steps, ends included (2 to 10,000)."),
        click.option("--log", "log", is_flag=True, help="Geometric steps instead of linear."),
        scenario_options("gpus", "utilization"),
    ]):
        f = opt(f)
    return f


def _run_sweep(ctx, gpus_range, utilization_range, field_range, steps, log, results, params, units="si"):
    from dcpower.errors import InputError
    from dcpower.studies.sweep import parse_range, sweep

    field_name, text = _sweep_field(gpus_range, utilization_range, field_range)
    start, stop = parse_range(text)
    kw = scenario_kwargs(ctx, params)
    if field_name in kw:
        raise InputError(f"--{field_name} is what the sweep varies; drop the fixed value")
    return sweep(field_name, start, stop, steps=steps, log=log, results=results, units=units,
                 progress=progress_callback(ctx, "steps"), **kw)


@cli.command("sweep")
@sweep_options
@_results_option("headline power, energy, water and cost")
@output_options()
@click.pass_context
def sweep_cmd(ctx, gpus_range, utilization_range, field_range, steps, log, results_text, fmt, units, output,
              **params):
    """One field over a range, one row per step.

    \b
    Examples:
      dcpower sweep --gpus 1000..200000 --steps 12 --log
      dcpower sweep --utilization 0.5..1 --steps 6 --format csv
      dcpower sweep --field cooling.approach=2K..6K --steps 5
    """
    from dcpower.studies.sweep import SWEEP_RESULTS

    res = _run_sweep(ctx, gpus_range, utilization_range, field_range, steps, log,
                     _parse_results(results_text, SWEEP_RESULTS), params, units)
    emit(ctx, res.report(units), fmt, output)


@cli.command("fit")
@click.option("--power", help="Budget for facility power at design peak, e.g. '150 MW'.")
@click.option("--grid", "grid_budget", help="Budget at the meter (after on-site turbines), e.g. '150 MW'.")
@click.option("--water", help="Budget for site water, annual mean, e.g. '1 Mgal/day'.")
@scenario_options("gpus")
@output_options()
@click.pass_context
def fit_cmd(ctx, power, grid_budget, water, fmt, units, output, **params):
    """How many GPUs fit in a power, grid or water budget (or several), and which one binds.

    \b
    Examples:
      dcpower fit --power "150 MW"
      dcpower fit --power "150 MW" --accelerator b200
      dcpower fit --water "1 Mgal/day" --power "150 MW" --format json
    """
    from dcpower.studies.fit import fit

    res = fit(power=power, grid=grid_budget, water=water, progress=progress_callback(ctx, "fit"),
              **scenario_kwargs(ctx, params))
    emit(ctx, res.report(units), fmt, output)


@cli.command("validate")
@click.option("--samples", type=click.IntRange(min=0, max=100_000), default=500, show_default=True,
              callback=_band_samples_or_none,
              help=f"Monte Carlo samples per case for the P5-P95 band: 0 for none, else {MIN_BAND_SAMPLES} or more.")
@click.option("--seed", type=click.IntRange(min=0), default=20261129, show_default=True, help="Seed of the samples.")
@click.option("--data", type=click.Path(dir_okay=False), help="Your own TOML file of [[case]] measurements "
                                                               "(default: the shipped TOP500/Green500 set).")
@click.option("--summary", is_flag=True, help="Only the median errors and the band coverage.")
@click.option("--campuses", is_flag=True, help="Instead: the plant model against operator-reported annual PUE "
                                               "and WUE of hyperscale campuses (--data then names a campus TOML).")
@click.option("--archetypes", is_flag=True, help="Instead: each cooling archetype against its published typical "
                                                 "annual PUE and WUE (--data then names an archetype TOML).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="Override a field for every case, "
                                                                            "e.g. workload.host_busy_load=0.3.")
@output_options(units=False)
@click.pass_context
def validate_cmd(ctx, samples, seed, data, summary, campuses, archetypes, settings, fmt, output):
    """dcpower against measured machines: per case, the measured power, dcpower's IT estimate
    and its P5-P95, and two simple methods (TDP x N, 1.82 x TDP x N); then the median errors.

    With --campuses: dcpower's annual PUE and site WUE of a stated air-cooled hall, run with each
    campus's cooling archetype on a nearby station's typical year, beside what the operator
    published (specs/validation/campuses.toml); nothing is fitted to them.

    With --archetypes: each cooling archetype's annual PUE and site WUE in a U.S. climate zone,
    beside the published typical values for that design and zone
    (specs/validation/archetypes.toml); nothing is fitted to them either.

    Exit status 1 when a measured case (or a campus, or an archetype case) cannot be reproduced.

    \b
    Examples:
      dcpower validate
      dcpower validate --summary
      dcpower validate --format json --samples 2000
      dcpower validate --campuses
      dcpower validate --archetypes
    """
    from dcpower.studies.validate import validate

    overrides = parse_settings(settings)
    if campuses and archetypes:
        raise InputError("--campuses and --archetypes are two data sets; name one of them")
    if campuses:
        _validate_campuses(ctx, data, summary, overrides, fmt, output)
        return
    if archetypes:
        _validate_archetypes(ctx, data, summary, overrides, fmt, output)
        return
    res = validate(data, samples=samples, seed=seed, specs_dirs=_specs_dirs(ctx),
                   settings=overrides, progress=progress_callback(ctx, "validate"))
    report = res.report()
    if summary:
        report.tables = report.tables[1:2]
        report.csv = report.tables[0]
    emit(ctx, report, fmt, output)
    if res.failures:
        ctx.exit(1)


def _validate_campuses(ctx, data, summary, settings, fmt, output):
    from dcpower.studies.campuses import validate_campuses

    if summary:
        raise InputError("--summary is for the measured cases; --campuses prints one table per data set, "
                         "drop --summary")
    res = validate_campuses(data, specs_dirs=_specs_dirs(ctx), settings=settings,
                            progress=progress_callback(ctx, "validate --campuses"))
    emit(ctx, res.report(), fmt, output)
    if res.failures:
        ctx.exit(1)


def _validate_archetypes(ctx, data, summary, settings, fmt, output):
    from dcpower.studies.archetypes import validate_archetypes

    if summary:
        raise InputError("--summary is for the measured cases; --archetypes prints one table, drop --summary")
    res = validate_archetypes(data, specs_dirs=_specs_dirs(ctx), settings=settings,
                              progress=progress_callback(ctx, "validate --archetypes"))
    emit(ctx, res.report(), fmt, output)
    if res.failures:
        ctx.exit(1)


# ------------------------------------------------------------------ plot

@cli.group("plot")
def plot_group():
    """Pictures (needs matplotlib: pip install ".[plot]"); PNG or SVG by the -o extension."""


_plot_output = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), callback=_output_path,
                            help="Output file, .png or .svg.")


def _plot_estimate(ctx, params):
    from dcpower.chain.estimate import estimate_resolved
    from dcpower.chain.resolve import resolve

    return estimate_resolved(resolve(**scenario_kwargs(ctx, params)))


def _plotted(ctx, output, warnings=()) -> None:
    if not _quiet(ctx):
        click.echo(f"wrote {output}", err=True)
        for w in warnings:
            click.echo(f"warning: {w}", err=True)


@plot_group.command("sankey")
@scenario_options()
@_plot_output
@click.pass_context
def plot_sankey(ctx, output, **params):
    """Power flow from the grid through losses and cooling to IT, and out as heat.

    \b
    Example:
      dcpower plot sankey -o sankey.png
    """
    from dcpower.output import plot

    plot.check_output(output)
    plot.pyplot()
    est = _plot_estimate(ctx, params)
    plot.sankey(est, output)
    _plotted(ctx, output, est.warnings)


@plot_group.command("monthly")
@scenario_options()
@output_options(formats=("table",), output=False)
@_plot_output
@click.pass_context
def plot_monthly(ctx, fmt, units, output, **params):
    """Monthly PUE, WUE and site water over the typical year.

    \b
    Example:
      dcpower plot monthly --cooling air-chiller -o monthly.svg
    """
    from dcpower.output import plot

    plot.check_output(output)
    plot.pyplot()
    est = _plot_estimate(ctx, params)
    plot.monthly(est, output, units)
    _plotted(ctx, output, est.warnings)


@plot_group.command("sweep")
@sweep_options
@click.option("--results", "results_text", default="facility_power,pue,water_per_day", show_default=True,
              metavar="NAME,NAME", shell_complete=complete_results, help="Results to draw, one panel each.")
@_plot_output
@click.pass_context
def plot_sweep(ctx, gpus_range, utilization_range, field_range, steps, log, results_text, output, **params):
    """Curves of results against one swept field.

    \b
    Example:
      dcpower plot sweep --gpus 1000..200000 --steps 12 --log -o sweep.png
    """
    from dcpower.output import plot

    plot.check_output(output)
    plot.pyplot()
    names = _parse_results(results_text, None) or ["facility_power", "pue", "water_per_day"]
    sw = _run_sweep(ctx, gpus_range, utilization_range, field_range, steps, log, names, params)
    plot.sweep_curves(sw, output, names)
    _plotted(ctx, output, sorted({w for ws in sw.warnings for w in ws}))


@plot_group.command("tornado")
@scenario_options()
@click.option("--top", type=click.IntRange(min=1), default=12, show_default=True, help="Assumptions to show.")
@_plot_output
@click.pass_context
def plot_tornado(ctx, top, output, **params):
    """Which assumptions move facility power, annual energy and water most (one at a time).

    \b
    Example:
      dcpower plot tornado -o tornado.png
    """
    from dcpower.output import plot
    from dcpower.studies.uncertainty import uncertainty

    plot.check_output(output)
    plot.pyplot()
    est = _plot_estimate(ctx, params)
    plot.tornado(uncertainty(samples=1, estimate=est), output, top)
    _plotted(ctx, output, est.warnings)


def one_line(message: str) -> str:
    """``message`` on one printable line: what a user typed may hold newlines or control characters."""
    text = " ".join(message.split("\n"))
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def main(argv=None) -> int:
    """Entry point: every expected failure is one line on stderr and exit status 2."""
    import warnings

    from dcpower.errors import DcpowerWarning
    from dcpower.inputs import forget_inputs

    warnings.simplefilter("ignore", DcpowerWarning)  # the CLI prints them itself, on stderr
    forget_inputs()  # -o may not replace a file this command reads
    try:
        status = cli.main(args=argv, prog_name="dcpower", standalone_mode=False)
        if isinstance(status, int) and status:
            return status  # a command's own exit status (validate: 1 when a case cannot be reproduced)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as exc:
        click.echo(f"Error: {one_line(exc.format_message())}", err=True)
        return 2 if exc.exit_code in (1, 2) else exc.exit_code
    except DcpowerError as exc:
        click.echo(f"Error: {one_line(str(exc))}", err=True)
        return 2
    except (ValueError, TypeError, ArithmeticError) as exc:  # pint and numpy raise these on bad input
        click.echo(f"Error: {exc.__class__.__name__}: {one_line(str(exc))}", err=True)
        return 2
    except BrokenPipeError:
        return 0  # the reader went away (| head): stop quietly, as Unix tools do
    except OSError as exc:  # the output cannot be written: a full disk, a lost device
        click.echo(f"Error: {_os_error_message(exc)}", err=True)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug must still not show a traceback
        click.echo(f"Error: internal error ({exc.__class__.__name__}: {one_line(str(exc))}); please report it "
                   "with the command you ran", err=True)
        return 1
    return 0


def _os_error_message(exc: OSError) -> str:
    import errno

    if exc.filename:  # an OSError the library did not turn into its own error names its file
        return f"{exc.filename}: {exc.strerror or exc}; check the path and its permissions".splitlines()[0]
    fix = ("free some space or write elsewhere" if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", 0))
           else "check where the output goes")
    return f"cannot write the output ({exc.strerror or exc}); {fix}".splitlines()[0]


def _flush_stdout(code: int) -> int:
    """Flush standard output; if it is closed or full, drop what is left so that exit stays quiet."""
    import errno
    import os

    try:
        sys.stdout.flush()
    except OSError as exc:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        if exc.errno != errno.EPIPE and code == 0:
            click.echo(f"Error: {_os_error_message(exc)}", err=True)
            return 2
    return code


def entry() -> None:
    sys.exit(_flush_stdout(main()))
