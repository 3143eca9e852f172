"""Command-line interface: parse, call the library, render. Nothing else lives here."""

from __future__ import annotations

import json
import sys

import click

from dcpower.errors import DcpowerError

FORMAT_CHOICES = ("table", "json", "csv", "markdown")


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


def format_option(choices=FORMAT_CHOICES, default="table"):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


def _specs_dirs(ctx) -> tuple:
    return tuple(ctx.find_root().params.get("specs") or ())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dcpower")
@click.option("--specs", "specs", multiple=True, type=click.Path(file_okay=False),
              help="Directory of your own spec files, laid over the built-in catalog (repeatable; "
                   "also DCPOWER_SPECS).")
def cli(specs):
    """What a GPU cluster needs from the grid, the cooling plant and the water supply.

    \b
    Examples:
      dcpower estimate --gpus 100000
      dcpower estimate --accelerator b200 --cooling dlc-drycooler --site phoenix
      dcpower specs show h100-sxm
    """


# ------------------------------------------------------------------ estimate

@cli.command()
@click.option("--gpus", type=click.IntRange(min=1), help="Number of accelerators.")
@click.option("--accelerator", help="Accelerator id, e.g. h100-sxm, b200, mi300x.")
@click.option("--server", help="Server id (default: the accelerator's usual server).")
@click.option("--gpus-per-server", type=click.IntRange(min=1), help="Custom node: accelerators per server.")
@click.option("--host-power", type=QuantityType("[power]"),
              help="Custom node: power of everything but the accelerators, e.g. '2.5 kW'.")
@click.option("--utilization", type=float, help="Average accelerator power as a fraction of maximum, 0 < F <= 1.")
@click.option("--site", help="Site id: memphis, ashburn, phoenix.")
@click.option("--weather", type=click.Path(dir_okay=False), help="Any EnergyPlus weather file (.epw).")
@click.option("--cooling", help="Cooling id: air-chiller, rear-door, dlc-tower, dlc-drycooler, immersion.")
@click.option("--pue", type=float, help="Replace the cooling and electrical model by a fixed PUE (>= 1).")
@click.option("--scenario", "scenario", help="Scenario id or TOML file (default: memphis).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Set any scenario field or a field of a selected spec, e.g. electrical.ups_efficiency=0.97, "
                   "cooling.cycles_of_concentration=6.")
@format_option()
@click.option("--units", type=click.Choice(["si", "us"]), default="si", show_default=True,
              help="Units for water and heat (US: Mgal, tons of refrigeration).")
@click.option("--explain", is_flag=True, help="Show every step: formula, inputs with sources, results.")
@click.pass_context
def estimate(ctx, gpus, accelerator, server, gpus_per_server, host_power, utilization, site, weather,
             cooling, pue, scenario, settings, fmt, units, explain):
    """Estimate IT load, cooling, losses, facility power, water and grid draw.

    \b
    Examples:
      dcpower estimate                      # Memphis default, 100,000 H100
      dcpower estimate --gpus 20000 --cooling air-chiller --format json
      dcpower estimate --set electrical.ups_efficiency=0.97 --explain
    """
    from dcpower.pipeline import estimate as run
    from dcpower.render import render_estimate, render_explain
    from dcpower.scenario import parse_setting

    if utilization is not None and not 0 < utilization <= 1:
        raise click.BadParameter(f"{utilization:g} is outside (0, 1]; e.g. 0.8", param_hint="'--utilization'")
    if pue is not None and pue < 1:
        raise click.BadParameter(f"{pue:g} is below 1, which no facility can reach; e.g. 1.2", param_hint="'--pue'")
    kv = dict(parse_setting(s) for s in settings)
    result = run(scenario, specs_dirs=_specs_dirs(ctx), settings=kv, gpus=gpus, accelerator=accelerator,
                 server=server, gpus_per_server=gpus_per_server,
                 host_power=f"{host_power.magnitude} {host_power.units}" if host_power is not None else None,
                 utilization=utilization, site=site, weather=weather, cooling=cooling, pue=pue)
    if explain:
        click.echo(render_explain(result, "markdown" if fmt == "markdown" else "table"))
        if fmt in ("json", "csv"):
            click.echo(render_estimate(result, fmt, units))
        return
    click.echo(render_estimate(result, fmt, units))


# ------------------------------------------------------------------ specs

@cli.group()
def specs():
    """List, show and validate the spec catalog."""


@specs.command("list")
@click.argument("category", required=False)
@format_option(("table", "json"))
@click.pass_context
def specs_list(ctx, category, fmt):
    """List specs, optionally of one CATEGORY.

    \b
    Examples:
      dcpower specs list
      dcpower specs list accelerator --format json
    """
    from dcpower.catalog import load_catalog, suggest
    from dcpower.errors import InputError
    from dcpower.render import table
    from dcpower.spec_models import SPEC_TYPES

    cat = load_catalog(_specs_dirs(ctx))
    if category is not None:
        category = category.rstrip("s") if category.rstrip("s") in SPEC_TYPES else category
        if category not in SPEC_TYPES:
            raise InputError(f"unknown category '{category}'; {suggest(category, list(SPEC_TYPES))}")
    cats = [category] if category else list(SPEC_TYPES)
    rows = [(c, i, cat.get(c, i).name) for c in cats for i in cat.ids(c)]
    if fmt == "json":
        click.echo(json.dumps([{"category": c, "id": i, "name": n} for c, i, n in rows], indent=2))
    else:
        click.echo(table(["category", "id", "name"], rows, "table"))


@specs.command("show")
@click.argument("ident")
@click.option("--category", help="Category, when an id exists in several.")
@format_option(("table", "json"))
@click.pass_context
def specs_show(ctx, ident, category, fmt):
    """Show every value of spec IDENT with its unit and source.

    \b
    Example:
      dcpower specs show h100-sxm
    """
    from dcpower.catalog import load_catalog, suggest
    from dcpower.errors import InputError
    from dcpower.render import spec_rows, spec_to_json, table

    cat = load_catalog(_specs_dirs(ctx))
    found = [s for s in cat.all() if s.id == ident and (category is None or s.category == category)]
    if not found:
        every = sorted({s.id for s in cat.all()})
        raise InputError(f"no spec with id '{ident}'; {suggest(ident, every)}")
    if fmt == "json":
        data = [spec_to_json(s) for s in found]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2))
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

    from dcpower.catalog import load_catalog, validate_files

    if paths:
        cat = validate_files([Path(p) for p in paths])
    else:
        cat = load_catalog(_specs_dirs(ctx)).validate_all()
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
    from dcpower.scenario import scenario_ids

    for s in scenario_ids(_specs_dirs(ctx)):
        click.echo(s)


@scenario.command("show")
@click.argument("name", default="memphis")
@click.pass_context
def scenario_show(ctx, name):
    """Print scenario NAME as a TOML file you can copy and edit.

    \b
    Example:
      dcpower scenario show memphis > my.toml && dcpower estimate --scenario my.toml
    """
    from dcpower.scenario import scenario_path

    click.echo(scenario_path(name, _specs_dirs(ctx)).read_text(encoding="utf-8").rstrip())


# ------------------------------------------------------------------ units

@cli.command("units")
def units_cmd():
    """List the unit spellings dcpower defines for this field (TR, gpm, cfm, MMBtu, kVA...)."""
    from dcpower.units import DEFINITIONS

    for line in DEFINITIONS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "=" in line and not line.startswith("["):
            click.echo(line)


def main(argv=None) -> int:
    """Entry point: every expected failure is one line on stderr and exit status 2."""
    try:
        cli.main(args=argv, prog_name="dcpower", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        return 2 if exc.exit_code in (1, 2) else exc.exit_code
    except DcpowerError as exc:
        click.echo(f"Error: {exc}", err=True)
        return 2
    except (ValueError, TypeError, ArithmeticError) as exc:  # pint and numpy raise these on bad input
        click.echo(f"Error: {exc.__class__.__name__}: {exc}".splitlines()[0], err=True)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug must still not show a traceback
        click.echo(f"Error: internal error ({exc.__class__.__name__}: {exc}); please report it "
                   "with the command you ran".splitlines()[0], err=True)
        return 1
    return 0


def entry() -> None:
    sys.exit(main())
