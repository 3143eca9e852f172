"""Pydantic models of the spec catalog: what each kind of spec holds, with units checked.

A spec file is TOML. Every number in it is a :class:`SpecValue`: a quantity with its unit,
the source it came from (document, URL or standard, and year), an optional note and an
optional low/high range. A value with no published source says ``source = "assumption"``
and gives the reason in ``note``. Models forbid unknown keys, so a typo is an error, not a
silently ignored field.

Each numeric field declares its dimension with :class:`Dim`; the check runs when a spec is
validated, so a TDP of ``"700 kg"`` is rejected with the file and field named.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dcpower.catalog.bounds import Dim
from dcpower.errors import InputError
from dcpower.units import Q_, format_unit, parse_quantity

ID_PATTERN = r"^[a-z0-9][a-z0-9.\-]*$"


class SpecValue(BaseModel):
    """One sourced number: ``{ value = "700 W", source = "...", year = 2023 }``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    value: str | float | int
    source: str = Field(min_length=1)
    url: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    note: str | None = None
    low: str | float | int | None = None
    high: str | float | int | None = None
    # How the Monte Carlo draws between low and high: "triangular" (the default, value the most
    # likely) or "uniform" (a spread over a population in which no member is more likely, such
    # as a share fitted across measured systems).
    distribution: Literal["triangular", "uniform"] | None = None
    # A uniform spread that reaches past a hard limit (a power cap) at ``high``: the share of the
    # population beyond it, which the limit holds at ``high`` (the spread is censored there).
    at_high: float | None = Field(default=None, ge=0, lt=1)

    @field_validator("source")
    @classmethod
    def _source_text(cls, v):
        if not v.strip():
            raise ValueError("source is blank; name the document (title, publisher) or write \"assumption\"")
        return v

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _no_bool(cls, v, info):
        if v is None and info.field_name == "value":
            raise ValueError("no value given; give a number or a quantity such as '700 W'")
        if isinstance(v, bool):
            raise ValueError("must be a number or a quantity string such as '700 W', not true/false")
        if hasattr(v, "units") and hasattr(v, "magnitude") and np.ndim(v.magnitude) == 0:
            # a pint Quantity from the library (settings={"cooling.approach": Q_(4, "delta_degC")})
            return f"{float(v.magnitude)!r} {format_unit(v.units)}".strip()
        if isinstance(v, numbers.Real) and not isinstance(v, (int, float)):
            return float(v) if not isinstance(v, numbers.Integral) else int(v)  # numpy scalars
        if v is not None and not isinstance(v, (str, int, float)):
            raise ValueError(f"{v!r} is not one value; give a number or a quantity such as '700 W'")
        return v

    @model_validator(mode="after")
    def _at_high_needs_uniform(self):
        if self.at_high is not None and (self.distribution != "uniform" or self.high is None):
            raise ValueError("at_high is the share held at high of a uniform spread; it needs "
                             "distribution = \"uniform\" and a high")
        return self

    @model_validator(mode="after")
    def _sourced(self):
        if self.is_assumption:
            if not self.note:
                raise ValueError("an assumption needs a note giving the reason for the value; "
                                 "add note = \"...\"")
        elif self.year is None and not self.is_user_input:
            raise ValueError(f"source '{self.source}' needs a year; add year = YYYY "
                             "(or write source = \"assumption\" with a note)")
        return self

    @property
    def is_assumption(self) -> bool:
        return self.source.strip().lower() == "assumption"

    @property
    def is_user_input(self) -> bool:
        return self.source.strip().lower().startswith("user input")

    @functools.cached_property
    def quantity(self):
        """The value as a pint Quantity (parsed once per spec value)."""
        return _plain(parse_quantity(self.value))

    @property
    def low_quantity(self):
        return None if self.low is None else _plain(parse_quantity(self.low))

    @property
    def high_quantity(self):
        return None if self.high is None else _plain(parse_quantity(self.high))

    def citation(self) -> str:
        """``"NVIDIA H100 datasheet (2023)"`` or ``"assumption: <reason>"``."""
        if self.is_assumption:
            return f"assumption: {self.note}"
        if self.is_user_input:
            return self.source
        text = self.source
        if self.year is not None and str(self.year) not in text:
            text += f" ({self.year})"
        return text

    def check(self, dim: Dim) -> None:
        """Raise ``InputError`` unless value, low and high have ``dim``'s dimension and range, low <= value <= high."""
        q = parse_quantity(self.value, dim.dimension, str(self.value))
        dim.check(q, _shown(self.value))
        ends = []
        for name, end in (("low", self.low), ("high", self.high)):
            e = None if end is None else parse_quantity(end, dim.dimension, f"{name} = {end}")
            if e is not None:
                dim.check(e, f"{name} = {_shown(end)}")
            ends.append(e)
        lo, hi = ends
        if lo is not None and lo.to(q.units).magnitude > q.magnitude:
            raise InputError(f"low ({self.low}) is above the value ({self.value}); swap them")
        if hi is not None and hi.to(q.units).magnitude < q.magnitude:
            raise InputError(f"high ({self.high}) is below the value ({self.value}); swap them")


def _shown(value) -> str:
    return f"'{value}'" if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def _plain(q):
    """A dimensionless value as a plain fraction: the chain reads shares by magnitude, so
    '96 %' must be 0.96 there (read as 96 it gave a UPS efficiency of 96 and PUE -0.05)."""
    return q.to("dimensionless") if q.dimensionless and str(q.units) != "dimensionless" else q


class SpecCurve(BaseModel):
    """Efficiency against load fraction, from a datasheet or standard."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    load: list[float] = Field(min_length=2)
    efficiency: list[float] = Field(min_length=2)
    source: str = Field(min_length=1)
    url: str | None = None
    year: int | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if len(self.load) != len(self.efficiency):
            raise ValueError("load and efficiency need the same number of points")
        if any(b <= a for a, b in zip(self.load, self.load[1:])):
            raise ValueError("load points must increase")
        if any(not 0 < x <= 1.5 for x in self.load):
            raise ValueError("load points are fractions of rating, between 0 and 1.5")
        if any(not 0 < e < 1 for e in self.efficiency):
            raise ValueError("efficiencies are fractions between 0 and 1 (0.96, not 96)")
        if self.source.strip().lower() != "assumption" and self.year is None:
            raise ValueError(f"source '{self.source}' needs a year; add year = YYYY")
        if self.source.strip().lower() == "assumption" and not self.note:
            raise ValueError("an assumed curve needs a note giving the reason for its points; add note = \"...\"")
        return self

    def citation(self) -> str:
        if self.source.strip().lower() == "assumption":
            return f"assumption: {self.note}" if self.note else "assumption"
        text = self.source
        if self.year is not None and str(self.year) not in text:
            text += f" ({self.year})"
        return text


def field_dim(model_cls, name: str) -> Dim | None:
    """The :class:`Dim` declared on field ``name`` of ``model_cls``, if any."""
    field = model_cls.model_fields.get(name)
    if field is None:
        return None
    return next((m for m in field.metadata if isinstance(m, Dim)), None)


def check_field(model_cls, name: str, value):
    """Pydantic field check: a :class:`SpecValue` must have its field's dimension and range."""
    if isinstance(value, SpecValue):
        dim = field_dim(model_cls, name)
        if dim is not None:
            value.check(dim)
    return value


TABLE_SOURCE_KEYS = ("source", "year", "url")


def expand_table_source(cls, data):
    """Give each bare value of a spec table the table's own ``source``/``year``/``url``.

    ``max_power = "700 W"`` beside ``source = "NVIDIA H100 datasheet"`` and ``year = 2023``
    reads as ``max_power = { value = "700 W", source = "NVIDIA H100 datasheet", year = 2023 }``;
    a bare value with no source for the table is refused with the two ways to write one.
    """
    if not isinstance(data, dict):
        return data
    src = {k: data[k] for k in TABLE_SOURCE_KEYS if k in data}
    out = {k: v for k, v in data.items() if k not in TABLE_SOURCE_KEYS}
    for name, value in out.items():
        if field_dim(cls, name) is None or isinstance(value, (dict, SpecValue)) or value is None:
            continue
        if not src:
            raise ValueError(f"field '{name}': {value!r} needs a source; write {name} = {{ value = {value!r}, "
                             "source = \"...\", year = YYYY }, or give source and year once for the whole table")
        if str(src.get("source", "")).strip().lower() == "assumption":
            # the table's note describes the entry; an assumed value needs its own reason
            raise ValueError(f"field '{name}': {value!r} is a bare value under the table's source = \"assumption\", "
                             f"and each assumed value needs its reason: write {name} = {{ value = {value!r}, "
                             "source = \"assumption\", note = \"why\" }")
        out[name] = {"value": value, **src}
    return out


class Spec(BaseModel):
    """Base of every catalog entry: an id, a name, dimension-checked values."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    category: ClassVar[str] = ""
    references: ClassVar[dict[str, str]] = {}  # field -> category it must name

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _table_source(cls, data):
        return expand_table_source(cls, data)

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, v, info):
        return check_field(cls, info.field_name, v)

    @field_validator("name", "note")
    @classmethod
    def _not_blank(cls, v, info):
        if v is not None and not v.strip():
            raise ValueError(f"{info.field_name} is blank; write some text or leave the key out")
        return v

    def values(self) -> dict[str, SpecValue]:
        """The sourced values of this spec, by field name, in declaration order."""
        return {k: getattr(self, k) for k in type(self).model_fields
                if isinstance(getattr(self, k), SpecValue)}

    def q(self, field: str):
        """Field ``field`` as a Quantity (``None`` if not given)."""
        v = getattr(self, field)
        return None if v is None else v.quantity


def bounded(dimension: str, low=None, high=None, *, optional: bool = False, **kw):
    """A :class:`SpecValue` field type with a dimension and a physical range (see :mod:`.bounds`)."""
    return Annotated[SpecValue | None if optional else SpecValue, Dim(dimension, low, high, **kw)]


_EFF = dict(open_low=True, what="an efficiency", why="an efficiency is a fraction: 0.96, not 96")
Efficiency = bounded("[dimensionless]", 0, 1, **_EFF)
OptEfficiency = bounded("[dimensionless]", 0, 1, optional=True, **_EFF)
_SHARE = dict(what="a fraction", why="a share of a whole, between 0 and 1")
Share = bounded("[dimensionless]", 0, 1, **_SHARE)
OptShare = bounded("[dimensionless]", 0, 1, optional=True, **_SHARE)
_PF = dict(open_low=True, what="a power factor", why="a power factor is at most 1")
PowerFactor = bounded("[dimensionless]", 0, 1, **_PF)
Power = bounded("[power]", "0 W", what="a power", why="a power drawn cannot be negative")
OptPower = bounded("[power]", "0 W", optional=True, what="a power", why="a power drawn cannot be negative")
Rating = bounded("[power]", "0 W", open_low=True, what="a rating", why="equipment is rated above zero")
Count = bounded("[dimensionless]", 1, 1_000_000, integer=True, what="a count",
                why="things are counted in whole numbers, at least one")
OptCount = bounded("[dimensionless]", 1, 1_000_000, integer=True, optional=True, what="a count",
                   why="things are counted in whole numbers, at least one")
Bandwidth = bounded("[bandwidth]", "0 bit/s", open_low=True, what="a data rate")
# Liquid loops hold water or glycol above freezing, up to the warmest class ASHRAE defines
# (W+, above 45 degC).
_WATER = dict(what="a supply temperature",
              why="liquid loops run above freezing and below about 70 degC (ASHRAE W+ class is > 45 degC); "
                  "an airside economizer's supply air lies within 5-45 degC")
WaterTemperature = bounded("[temperature]", "1 degC", "70 degC", **_WATER)
OptWaterTemperature = bounded("[temperature]", "1 degC", "70 degC", optional=True, **_WATER)
_DT = dict(open_low=True, what="a temperature difference", why="a positive difference of a few to tens of kelvin")
# An approach is a difference that can shrink to nothing (a direct loop has no heat exchanger).
OptApproach = bounded("[temperature_difference]", "0 K", "40 K", optional=True, what="an approach",
                      why="a temperature difference of 0 to a few kelvin")
DeltaT = bounded("[temperature_difference]", "0 K", "40 K", **_DT)
OptDeltaT = bounded("[temperature_difference]", "0 K", "40 K", optional=True, **_DT)
# Outdoor air on Earth: WMO records are -89.2 degC (Vostok, 1983) and 56.7 degC (Death
# Valley, 1913); wet-bulb temperatures above about 35 degC have barely been observed.
_CLIMATE = "outdoor air stays within Earth's recorded extremes (WMO: -89.2 degC to 56.7 degC)"
OutdoorDryBulb = bounded("[temperature]", "-90 degC", "60 degC", what="an outdoor dry-bulb", why=_CLIMATE)
OptOutdoorDryBulb = bounded("[temperature]", "-90 degC", "60 degC", optional=True,
                            what="an outdoor dry-bulb", why=_CLIMATE)
OutdoorWetBulb = bounded("[temperature]", "-90 degC", "40 degC", what="an outdoor wet-bulb",
                         why="outdoor wet-bulb temperatures above about 35 degC have barely been observed")
OptOutdoorWetBulb = bounded("[temperature]", "-90 degC", "40 degC", optional=True, what="an outdoor wet-bulb",
                            why="outdoor wet-bulb temperatures above about 35 degC have barely been observed")
_PRESSURE = dict(open_low=True, what="a fan or pump pressure")
Pressure = bounded("[pressure]", "0 Pa", "2 MPa", **_PRESSURE)
OptPressure = bounded("[pressure]", "0 Pa", "2 MPa", optional=True, **_PRESSURE)
ApparentPower = bounded("[apparent_power]", "0 VA", open_low=True, what="a rating",
                        why="equipment is rated above zero")


# A site between the Dead Sea shore (-430 m) and the highest towns (about 5,100 m): the
# psychrometric and generator-derate equations are used only where people build.
Elevation = bounded("[length]", "-500 m", "6000 m", what="an elevation",
                    why="sites lie between the Dead Sea shore (-430 m) and the highest towns (about 5,100 m)")
CarbonIntensity = bounded("[carbon_intensity]", "0 kgCO2/kWh", "2 kgCO2/kWh", what="a carbon intensity",
                          why="the dirtiest grids emit about 1 kgCO2/kWh; write e.g. '0.4 kgCO2/kWh'")
EnergyPrice = bounded("[energy_price]", "0 USD/kWh", "10 USD/kWh", what="an energy price",
                      why="a price per kWh, e.g. '0.065 USD/kWh'")
OptEnergyPrice = bounded("[energy_price]", "0 USD/kWh", "10 USD/kWh", optional=True, what="an energy price",
                         why="a price per unit of energy, e.g. '2.5 USD/MMBtu' or '7 USD/MWh'")


class Accelerator(Spec):
    """A GPU or other accelerator package, rated by its maximum board/module power."""

    category: ClassVar[str] = "accelerator"
    references: ClassVar[dict[str, str]] = {"default_server": "server"}

    vendor: str
    form_factor: str
    # 10 kW is a sanity limit: the largest modules published draw 1.4 kW (B300) per GPU.
    max_power: Annotated[SpecValue, Dim("[power]", "0 W", "10 kW", open_low=True, what="an accelerator's power",
                                        why="accelerator modules draw up to about 1.5 kW; write watts, e.g. '700 W'")]
    idle_power: OptPower = None
    memory: Annotated[SpecValue | None, Dim("[information]", "0 B", open_low=True, what="a memory size")] = None
    default_server: str | None = None

    @model_validator(mode="after")
    def _idle_within_max(self):
        problem = self.order_problem({})
        if problem:
            raise ValueError(problem)
        return self

    def order_problem(self, tried: dict) -> str | None:
        """Why idle power above maximum power (values in ``tried`` replacing this entry's), or None:
        an idle accelerator above its maximum would draw more on average than at full load."""
        if self.idle_power is None:
            return None
        idle = _q(tried.get("idle_power", self.idle_power.quantity))
        peak = _q(tried.get("max_power", self.max_power.quantity))
        if np.any(idle.to("W").magnitude > peak.to("W").magnitude):
            return (f"idle_power ({_span_text(idle)}) is above max_power ({_span_text(peak)}); "
                    "an accelerator idles below its maximum: check both values and their units")
        return None


class Server(Spec):
    """A server (node) holding accelerators, with its host components' power at full load.

    Host component powers are DC powers at full load; wall power adds PSU losses.
    """

    category: ClassVar[str] = "server"
    references: ClassVar[dict[str, str]] = {"accelerator": "accelerator", "compute_fabric": "fabric"}

    vendor: str
    accelerator: str
    cooling: Literal["air", "liquid", "immersion"]
    gpus: Annotated[SpecValue, Dim("[dimensionless]", 1, 1000, integer=True, what="GPUs per server",
                                   why="a server holds a whole number of accelerators, at least one")]
    cpu_power: Power
    memory_power: Power
    nic_power: Power
    baseboard_power: Power
    drive_power: Power
    fan_power: Power
    other_power: OptPower = None
    psu_efficiency: Efficiency
    # Where the PSUs are published: how many, each one's output rating, and the efficiency
    # curve they meet. All installed PSUs share the load (active current sharing), so each
    # runs at the server's DC power over psus x psu_rating; without all three the fixed
    # psu_efficiency is used at every load.
    psus: OptCount = None
    psu_rating: Annotated[SpecValue | None, Dim("[power]", "0 W", "100 kW", open_low=True, what="a PSU rating",
                                                 why="one power supply delivers up to a few kW")] = None
    psu_efficiency_curve: SpecCurve | None = None
    nameplate_power: Annotated[SpecValue | None, Dim("[power]", "0 W", open_low=True, what="a rating")] = None
    rack_units: OptCount = None
    gpus_per_rack: OptCount = None
    # Share of the host components' full-load power they draw when the node is idle (CPUs in
    # low-power states, fans at minimum speed); hosts follow load between the two.
    host_idle_fraction: OptShare = None
    # The power limit the platform sets for each accelerator, where it runs them below their
    # rated maximum (JUPITER's BullSequana nodes run the 1,000 W GH200 module at 680 W).
    accelerator_power_limit: Annotated[SpecValue | None, Dim("[power]", "0 W", "10 kW", open_low=True,
                                                             what="an accelerator power limit")] = None
    # The compute fabric (a fabric id) such a server usually connects to; a scenario that
    # names no network.compute_fabric uses it.
    compute_fabric: str | None = None
    # Share of the server's heat its liquid loop captures (cold plates on GPUs only, on GPUs
    # and CPUs, a whole liquid-cooled rack, immersion); the rest goes to room air. Air-cooled
    # servers capture none; a liquid-cooled or immersion server must say.
    liquid_fraction: OptShare = None

    @model_validator(mode="after")
    def _liquid_share(self):
        if self.cooling == "air" and self.liquid_fraction is not None \
                and self.liquid_fraction.quantity.magnitude != 0:
            raise ValueError("an air-cooled server captures no heat in liquid: leave out liquid_fraction "
                             "or set cooling = \"liquid\"")
        if self.cooling != "air" and self.liquid_fraction is None:
            raise ValueError(f"a {self.cooling}-cooled server needs liquid_fraction, the share of its heat "
                             "the liquid captures (e.g. 0.8 for cold plates on GPUs and CPUs)")
        return self


class Host(Spec):
    """The host side of a generic accelerator node, built around any accelerator.

    Fixed parts per node (CPUs, memory, drives) plus parts per accelerator (a NIC and the
    fans that cool it); ``--gpus-per-server N`` with an accelerator that has no usual server
    builds a node from these.
    """

    category: ClassVar[str] = "host"

    vendor: str
    cpu_power: Power
    memory_power: Power
    drive_power: Power
    other_power: OptPower = None
    nic_power_per_gpu: Power
    fan_power_per_gpu: Power
    psu_efficiency: Efficiency
    host_idle_fraction: OptShare = None
    # Share of a generic node's heat captured by cold plates when it is built for a liquid hall.
    liquid_fraction: OptShare = None


class Workload(Spec):
    """What the accelerators run, and so how much of their maximum they draw while busy.

    A busy accelerator draws ``accelerator_busy_power`` x its maximum power (never less than
    its idle power); a busy host draws ``host_busy_load`` of the way from its idle to its
    full-load power. The scenario's utilization is the share of time the cluster is busy.
    The ``idle`` workload also holds the idle floors used where an accelerator or server
    publishes none.
    """

    category: ClassVar[str] = "workload"

    accelerator_busy_power: Share
    host_busy_load: Share
    accelerator_idle_fraction: OptShare = None
    host_idle_fraction: OptShare = None


class Switch(Spec):
    """A network switch: port count and speed, power without pluggable optics."""

    category: ClassVar[str] = "switch"

    vendor: str
    ports: Count
    port_speed: Bandwidth
    typical_power: Power
    max_power: OptPower = None


class Transceiver(Spec):
    """A pluggable optical module (one or two ports)."""

    category: ClassVar[str] = "transceiver"

    vendor: str
    ports: Count
    port_speed: Bandwidth
    power: Power


class Fabric(Spec):
    """A network fabric: a non-blocking fat tree or a dragonfly of one switch model, or switches per rack.

    ``endpoints`` says what one endpoint is (a GPU, a server, a rack) and
    ``endpoints_per_unit`` how many links each of those has. A dragonfly also gives its
    shape: ``endpoints_per_switch`` (p), ``switches_per_group`` (a) and
    ``global_links_per_switch`` (h); its endpoint and in-group links are copper, its
    global links optical, each end drawing ``switch_transceiver``'s power.
    """

    category: ClassVar[str] = "fabric"
    references: ClassVar[dict[str, str]] = {
        "switch": "switch", "nic_transceiver": "transceiver", "switch_transceiver": "transceiver"}

    topology: Literal["fat-tree", "per-rack", "dragonfly"]
    switch: str
    endpoints: Literal["gpu", "server", "rack"]
    endpoints_per_unit: Count
    endpoint_speed: Bandwidth
    nic_transceiver: str | None = None
    switch_transceiver: str | None = None
    oversubscription: Annotated[SpecValue | None, Dim("[dimensionless]", 1, 64, what="an oversubscription ratio",
                                                      why="1 is non-blocking, 2 is 2:1")] = None
    endpoints_per_switch: OptCount = None
    switches_per_group: OptCount = None
    global_links_per_switch: OptCount = None

    @model_validator(mode="after")
    def _dragonfly_shape(self):
        shape = ("endpoints_per_switch", "switches_per_group", "global_links_per_switch")
        missing = [f for f in shape if getattr(self, f) is None]
        if self.topology == "dragonfly" and missing:
            raise ValueError(f"a dragonfly needs {', '.join(missing)}")
        if self.topology != "dragonfly" and len(missing) < len(shape):
            raise ValueError(f"{', '.join(f for f in shape if f not in missing)} describe a dragonfly; "
                             "set topology = \"dragonfly\" or leave them out")
        return self


class Storage(Spec):
    """A storage appliance: sustained read bandwidth and power per unit."""

    category: ClassVar[str] = "storage"

    vendor: str
    read_bandwidth: Bandwidth
    power: Power
    rack_units: OptCount = None


CoolingKind = Literal["air-chiller", "rear-door", "dlc-tower", "dlc-drycooler", "immersion", "air-economizer",
                      "air-aircooled-chiller"]
HallKind = Literal["air", "liquid", "immersion"]
# The hall each cooling kind builds, where a cooling entry does not say: which servers it takes.
HALL_OF_KIND = {"air-chiller": "air", "rear-door": "air", "dlc-tower": "liquid", "dlc-drycooler": "liquid",
                "immersion": "immersion", "air-economizer": "air", "air-aircooled-chiller": "air"}
# Where the plant heat leaves: open cooling towers, dry coolers, the air-cooled condensers of the
# chillers themselves, or the exhaust of an airside economizer (with air-cooled trim chillers).
HeatRejection = Literal["cooling-tower", "dry-cooler", "air-cooled-condenser", "outdoor-air"]
# Supply-air dew point limits: ASHRAE's recommended envelope spans -9 to 15 degC dew point.
OptDewPoint = bounded("[temperature]", "-40 degC", "30 degC", optional=True, what="a supply-air dew point",
                      why="a data hall's supply air dew point lies between about -12 and 24 degC (ASHRAE classes)")


# The supply air of an airside economizer: what the servers take in.
SUPPLY_AIR = Dim("[temperature]", "5 degC", "45 degC", what="a supply-air temperature",
                 why="servers take inlet air within ASHRAE's allowable classes, 5-45 degC (A1-A4)")


class Cooling(Spec):
    """A cooling architecture: how heat leaves the IT, and how the plant rejects it."""

    category: ClassVar[str] = "cooling"

    kind: CoolingKind
    description: str
    # Which servers the hall takes: air-cooled, liquid-cooled (cold plates) or immersion. How
    # much heat the liquid captures is the server's liquid_fraction.
    hall: HallKind | None = None
    supply_temperature: WaterTemperature
    air_loop_supply_temperature: OptWaterTemperature = None
    loop_delta_t: DeltaT
    air_delta_t: OptDeltaT = None
    air_pressure: OptPressure = None
    fan_efficiency: OptEfficiency = None
    pump_pressure: Pressure
    pump_efficiency: Efficiency
    heat_rejection: HeatRejection
    approach: DeltaT
    hx_approach: OptApproach = None
    tower_fan_efficacy: Annotated[SpecValue | None, Dim("[fan_efficacy]", "0 gpm/hp", open_low=True,
                                                        what="a fan efficacy")] = None
    tower_range: OptDeltaT = None
    drycooler_air_delta_t: OptDeltaT = None
    drycooler_air_pressure: OptPressure = None
    # Pumps beyond the facility loop (None: not modelled for the archetype). A pump's electrical
    # power per unit flow (W/gpm in ASHRAE 90.1) is head over wire-to-water efficiency: a pressure.
    condenser_pump_specific_power: OptPressure = None
    cdu_pump_pressure: OptPressure = None
    # Air movers: the air temperature they move (sets the density), and the electrical rooms'
    # own air path for UPS and distribution losses (None: the hall's pressure and delta T).
    hall_air_temperature: Annotated[SpecValue | None, Dim(
        "[temperature]", "5 degC", "50 degC", what="an indoor air temperature",
        why="data-hall air stays within the ASHRAE allowable envelope, 5-45 degC")] = None
    electrical_room_air_delta_t: OptDeltaT = None
    electrical_room_air_pressure: OptPressure = None
    # Variable-speed heat-rejection fans: the air-side UA ~ air flow ** exponent (finned coils),
    # and the lowest fan speed as a share of full speed.
    drycooler_ua_exponent: Annotated[SpecValue | None, Dim(
        "[dimensionless]", 0, 1, open_low=True, what="a UA exponent",
        why="air-side heat transfer grows with air flow to a power below 1 (about 0.5-0.7 for finned coils)")] = None
    fan_minimum_speed: OptShare = None
    chiller: bool = False
    economizer: bool = True
    # Vapour-compression chillers rate from about COP 2.5 (air-cooled) to 7+ (water-cooled
    # centrifugal, ASHRAE 90.1-2019 Table 6.8.1-3); below 1 or above 15 is not a chiller.
    chiller_cop_rated: Annotated[SpecValue | None, Dim("[dimensionless]", 1, 15, what="a chiller COP",
                                                       why="chillers rate about COP 2.5-8 (ASHRAE 90.1)")] = None
    chiller_rating_chilled_water: OptWaterTemperature = None
    chiller_rating_condenser_water: OptWaterTemperature = None
    chiller_approach: OptApproach = None
    chiller_min_condenser_temperature: OptWaterTemperature = None
    # An air-cooled chiller: condensing temperature minus entering outdoor dry-bulb. Given, the
    # chiller's condenser sees outdoor air directly (its rating condenser temperature is then the
    # rating entering-air dry-bulb); absent, the chiller is water-cooled by the heat-rejection plant.
    chiller_condenser_approach: OptApproach = None
    # Airside economizer: saturation effectiveness of the direct evaporative media, and the
    # humidity limits of the supply air (dew point and relative humidity; no relative-humidity
    # floor where none is given).
    evaporative_effectiveness: OptShare = None
    supply_dew_point_max: OptDewPoint = None
    supply_dew_point_min: OptDewPoint = None
    supply_relative_humidity_max: OptShare = None
    supply_relative_humidity_min: OptShare = None
    # Cycles of concentration C > 1 by definition (blowdown = E / (C - 1)).
    cycles_of_concentration: Annotated[SpecValue | None, Dim(
        "[dimensionless]", 1, 50, open_low=True, what="cycles of concentration",
        why="blowdown is evaporation / (C - 1), so C must be above 1; treated towers run 3-10")] = None
    drift_rate: Annotated[SpecValue | None, Dim("[dimensionless]", 0, 0.01, what="a drift rate",
                                                why="drift is a fraction of circulating water, "
                                                    "about 0.00001-0.001 with eliminators")] = None
    support_power_fraction: Annotated[SpecValue | None, Dim("[dimensionless]", 0, 0.5, what="a support fraction",
                                                            why="a fraction of IT power, e.g. 0.01")] = None

    @model_validator(mode="before")
    @classmethod
    def _hall(cls, data):
        if isinstance(data, dict):
            if "liquid_fraction" in data:
                raise ValueError("liquid_fraction is a property of the server now (servers.toml); give the "
                                 "cooling hall = \"air\", \"liquid\" or \"immersion\" instead")
            if data.get("hall") is None and data.get("kind") in HALL_OF_KIND:
                data = {**data, "hall": HALL_OF_KIND[data["kind"]]}
        return data

    @model_validator(mode="after")
    def _complete(self):
        if self.hall is None:
            raise ValueError(f"cooling kind '{self.kind}' needs hall = \"air\", \"liquid\" or \"immersion\"")
        # Air movers are needed even for immersion: electrical-room losses and lighting heat
        # reach the plant through air handlers.
        need = ["air_delta_t", "air_pressure", "fan_efficiency"]
        if self.heat_rejection == "cooling-tower":
            need += ["tower_fan_efficacy", "tower_range", "cycles_of_concentration", "drift_rate"]
        elif self.heat_rejection == "dry-cooler":
            need += ["drycooler_air_delta_t", "drycooler_air_pressure"]
        elif self.heat_rejection == "outdoor-air":
            if self.hall != "air":
                raise ValueError(f"cooling kind '{self.kind}' with outdoor-air cools the hall's air stream, so it "
                                 f"takes air-cooled servers: give hall = \"air\", not \"{self.hall}\"")
            need += ["evaporative_effectiveness", "supply_dew_point_max", "supply_dew_point_min",
                     "supply_relative_humidity_max", "cycles_of_concentration", "air_loop_supply_temperature"]
        if self.heat_rejection in ("air-cooled-condenser", "outdoor-air"):
            need += ["chiller_condenser_approach"]
            if not self.chiller:
                raise ValueError(f"cooling kind '{self.kind}' with {self.heat_rejection} needs chiller = true: "
                                 "its chillers' air-cooled condensers reject the heat")
        if self.chiller:
            need += ["chiller_cop_rated", "chiller_rating_chilled_water",
                     "chiller_rating_condenser_water", "chiller_approach"]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"cooling kind '{self.kind}' with {self.heat_rejection} needs "
                             f"{', '.join(missing)}")
        problem = self.order_problem({})
        if problem:
            raise ValueError(problem)
        return self

    def bounds_of(self, field_name: str) -> Dim | None:
        """The declared range of a field; an airside economizer's supply_temperature is supply air."""
        if field_name == "supply_temperature" and self.heat_rejection == "outdoor-air":
            return SUPPLY_AIR
        return field_dim(type(self), field_name)

    def ordered_pairs(self) -> list[tuple[str, str]]:
        """Fields that must not exceed another: (lower, upper) pairs this entry gives both of.

        A supply envelope's floor lies at or below its limit; and where supply_temperature is
        the supply air (an airside economizer), air cannot hold a dew point above its dry-bulb,
        so the dew-point floor lies at or below the supply temperature.
        """
        pairs = [("supply_dew_point_min", "supply_dew_point_max"),
                 ("supply_relative_humidity_min", "supply_relative_humidity_max")]
        if self.heat_rejection == "outdoor-air":
            pairs.append(("supply_dew_point_min", "supply_temperature"))
        return [(lo, hi) for lo, hi in pairs if getattr(self, lo) is not None and getattr(self, hi) is not None]

    def order_problem(self, tried: dict) -> str | None:
        """Why the values break an :meth:`ordered_pairs` order, or None; ``tried`` maps field
        names to quantities (arrays allowed) that replace this entry's values."""
        if self.heat_rejection == "outdoor-air":
            t = _q(tried.get("supply_temperature", self.supply_temperature.quantity))
            try:
                SUPPLY_AIR.check(t, f"supply_temperature '{_span_text(t)}'")
            except InputError as exc:
                return f"{exc} (an airside economizer's supply_temperature is the air the servers take in)"
        for lo, hi in self.ordered_pairs():
            q_lo = _q(tried.get(lo, getattr(self, lo).quantity))
            q_hi = _q(tried.get(hi, getattr(self, hi).quantity))
            if np.any(q_lo.to(q_hi.units).magnitude > q_hi.magnitude):
                return (f"{lo} ({_span_text(q_lo)}) is above {hi} ({_span_text(q_hi)}): the supply envelope "
                        f"would be empty; give {lo} at most {hi}")
        return None


def _q(x):
    """A quantity; a bare number (a share) as a dimensionless one."""
    return x if hasattr(x, "units") else Q_(x, "dimensionless")


def _span_text(q) -> str:
    mag = np.ravel(q.magnitude)
    text = f"{mag[0]:g}" if mag.size == 1 else f"{mag.min():g}..{mag.max():g}"
    return f"{text} {format_unit(q.units)}".strip()


LossShare = bounded("[dimensionless]", 0, 0.2, optional=True, what="a loss as a share of rating",
                    why="power-chain equipment loses a few percent of its rating at most: 0.007, not 0.7 %")


class Electrical(Spec):
    """An element of the power chain: transformer, UPS or distribution (PDU, busway)."""

    category: ClassVar[str] = "electrical"

    kind: Literal["transformer", "ups", "distribution"]
    mode: str | None = None
    # With an efficiency_curve, efficiency (where given) is the efficiency at half load: it
    # scales all the curve's losses alike, so its range carries the curve's uncertainty.
    efficiency: OptEfficiency = None
    efficiency_curve: SpecCurve | None = None
    # Transformer-style losses as shares of the rating: no-load (core) loss P0/S, and load
    # (winding, I^2 R) loss Pk/S at rated current; the loss at load x is S (P0/S + Pk/S x^2).
    no_load_loss: LossShare = None
    load_loss: LossShare = None
    rating: Annotated[SpecValue | None, Dim("[apparent_power]", "0 VA", open_low=True, what="a rating")] = None

    @model_validator(mode="after")
    def _has_efficiency(self):
        if self.efficiency is None and self.efficiency_curve is None and self.load_loss is None:
            raise ValueError("give efficiency, efficiency_curve or load_loss (with no_load_loss)")
        return self


class SiteDesign(BaseModel):
    """A site's ASHRAE climatic design conditions, as the catalog gives them (sourced values).

    The model chain reads them as a :class:`dcpower.weather.model.DesignConditions`."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    cooling_dry_bulb: OutdoorDryBulb          # 0.4 % annual cooling dry-bulb
    cooling_coincident_wet_bulb: OutdoorWetBulb
    evaporation_wet_bulb: OutdoorWetBulb      # 0.4 % annual evaporation wet-bulb
    evaporation_coincident_dry_bulb: OutdoorDryBulb
    extreme_dry_bulb: OptOutdoorDryBulb = None  # 20-year return-period max dry-bulb
    extreme_dry_bulb_5yr: OptOutdoorDryBulb = None   # 5-, 10- and 50-year return-period max dry-bulb
    extreme_dry_bulb_10yr: OptOutdoorDryBulb = None
    extreme_dry_bulb_50yr: OptOutdoorDryBulb = None
    extreme_wet_bulb: OptOutdoorWetBulb = None  # extreme maximum wet-bulb

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, v, info):
        return check_field(cls, info.field_name, v)


class Site(Spec):
    """A location: coordinates, climate design conditions, hourly weather and grid."""

    category: ClassVar[str] = "site"
    references: ClassVar[dict[str, str]] = {"grid": "grid"}

    location: str
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    elevation: Elevation
    weather: str
    # the typical year's hour count, cited to the data set it comes from
    weather_source: Annotated[SpecValue, Dim("[dimensionless]", 8760, 8784, integer=True, what="hours in a year")]
    design: SiteDesign
    grid: str


class Grid(Spec):
    """An electricity supplier: carbon and water intensity, prices."""

    category: ClassVar[str] = "grid"

    region: str
    carbon_intensity: CarbonIntensity
    energy_price: EnergyPrice
    demand_charge: Annotated[SpecValue | None, Dim("[demand_price]", "0 USD/kW/month", what="a demand charge",
                                                   why="a price cannot be negative")] = None
    water_intensity: Annotated[SpecValue | None, Dim("[water_intensity]", "0 L/kWh", what="a water intensity",
                                                     why="water consumed cannot be negative")] = None
    # natural gas delivered to power plants in the grid's state, per unit of fuel energy (HHV);
    # what on-site turbines burn. None: turbine fuel is not costed for this grid.
    gas_price: OptEnergyPrice = None


class Turbine(Spec):
    """An on-site gas turbine generator set."""

    category: ClassVar[str] = "turbine"

    vendor: str
    rated_power: Rating
    # 3,412 BTU/kWh is 100 % efficiency (1 kWh = 3,412.14 BTU): no engine does better.
    heat_rate: Annotated[SpecValue, Dim("[heat_rate]", "3412.15 BTU/kWh", "30000 BTU/kWh", what="a heat rate",
                                        why="3,412 BTU/kWh would be 100 % efficient; gas turbines run "
                                            "about 6,000-12,000")]
    fuel_co2: Annotated[SpecValue, Dim("[fuel_co2]", "0 kgCO2/MMBtu", what="a fuel emission factor")]
    ramp_rate: Annotated[SpecValue | None, Dim("[ramp_rate]", "0 MW/min", open_low=True, what="a ramp rate")] = None
    # non-fuel cost per MWh generated (wear, consumables); None: not costed.
    variable_om: OptEnergyPrice = None


class Battery(Spec):
    """An on-site battery energy storage unit."""

    category: ClassVar[str] = "battery"

    vendor: str
    power: Rating
    energy: Annotated[SpecValue, Dim("[energy]", "0 kWh", open_low=True, what="a stored energy")]
    round_trip_efficiency: Efficiency


class Support(Spec):
    """Site services outside the white space and the cooling plant: offices, generator block heaters,
    building management and security, cooling-tower water treatment.

    Each draws power all year and gives it off as heat on site (its own small HVAC, the generator
    enclosures), so it adds to facility power and to the heat leaving the site. Electrical-room
    (gray-space) cooling is not here: the model already carries distribution and UPS losses
    through the air loop.
    """

    category: ClassVar[str] = "support"

    # Office and amenity floor area per MW of design IT load. [m^2/MW]
    office_area: Annotated[SpecValue, Dim("[length] ** 2 / [power]", "0 m^2/MW", "1000 m^2/MW",
                                          what="an office area per MW of IT",
                                          why="offices are a few tens of m^2 per MW of IT, e.g. '20 m^2/MW'")]
    # Average electric power per m^2 of office (lighting, plugs, HVAC), year-round. [W/m^2]
    office_power_density: Annotated[SpecValue, Dim("[power] / [length] ** 2", "0 W/m^2", "200 W/m^2",
                                                   what="an office power density",
                                                   why="offices average about 5-30 W/m^2, e.g. '18 W/m^2'")]
    # Average draw of one standby generator set's jacket-water (block) heaters. [W]
    block_heater_power: Annotated[SpecValue, Dim("[power]", "0 W", "100 kW", what="a block-heater power",
                                                 why="a few kW per generator set, e.g. '5 kW'")]
    # Building management, power monitoring, security systems and site lighting, as a share of
    # design IT load. [-]
    controls_fraction: Annotated[SpecValue, Dim("[dimensionless]", 0, 0.05, what="a fraction of IT load",
                                                why="well under 1 % of IT load, e.g. 0.001")]
    # Cooling-tower water treatment (make-up pumping, side-stream filtration, chemical feed) per
    # unit of heat the towers reject. [-]
    water_treatment_fraction: Annotated[SpecValue, Dim("[dimensionless]", 0, 0.05, what="a fraction of heat rejected",
                                                       why="well under 1 % of the heat rejected, e.g. 0.0005")]


SPEC_TYPES: dict[str, type[Spec]] = {
    cls.category: cls
    for cls in (Accelerator, Server, Host, Workload, Switch, Transceiver, Fabric, Storage, Cooling,
                Electrical, Site, Grid, Turbine, Battery, Support)
}


# ---------------------------------------------------------------- equipment for sizing



class UpsModule(Spec):
    """One UPS module (or single-module system): its kVA rating and output power factor."""

    category: ClassVar[str] = "ups_module"

    vendor: str
    rating: ApparentPower
    power_factor: PowerFactor


class PowerTransformer(Spec):
    """A transformer unit: an MV/LV unit substation or an HV/MV substation transformer."""

    category: ClassVar[str] = "power_transformer"

    role: Literal["unit-substation", "substation"]
    rating: ApparentPower


class Generator(Spec):
    """A standby generator set, rated per ISO 8528-1 class, with site derates."""

    category: ClassVar[str] = "generator"

    vendor: str
    fuel: str
    standby_rating: ApparentPower
    prime_rating: Annotated[SpecValue | None, Dim("[apparent_power]", "0 VA", open_low=True, what="a rating")] = None
    continuous_rating: Annotated[SpecValue | None, Dim("[apparent_power]", "0 VA", open_low=True,
                                                       what="a rating")] = None
    power_factor: PowerFactor
    derate_temperature: OutdoorDryBulb
    temperature_derate: Annotated[SpecValue, Dim("1 / [temperature]", "0 1/K", "0.1 1/K", what="a derate",
                                                 why="a fraction of rating lost per kelvin, e.g. 0.006 1/K")]
    derate_altitude: Elevation
    altitude_derate: Annotated[SpecValue, Dim("1 / [length]", "0 1/m", "0.001 1/m", what="a derate",
                                              why="a fraction of rating lost per metre, e.g. 0.00006 1/m")]


class HeatRejectionUnit(Spec):
    """One cooling-tower cell or dry cooler: heat rejected at its rating conditions."""

    category: ClassVar[str] = "heat_rejection_unit"

    kind: Literal["cooling-tower-cell", "dry-cooler"]
    vendor: str
    capacity: Rating


class Cdu(Spec):
    """A coolant distribution unit: heat it moves from the technology loop to facility water."""

    category: ClassVar[str] = "cdu"

    vendor: str
    capacity: Rating
    approach: OptApproach = None


class ChillerUnit(Spec):
    """One chiller: its cooling capacity at rating conditions."""

    category: ClassVar[str] = "chiller_unit"

    vendor: str
    capacity: Rating


class LiquidClass(Spec):
    """An ASHRAE liquid-cooling class (W17 ... W45): the facility water supply limit."""

    category: ClassVar[str] = "liquid_class"

    facility_supply_max: WaterTemperature


class Layout(Spec):
    """White-space layout: racks per row and rows per hall."""

    category: ClassVar[str] = "layout"

    racks_per_row: Count
    rows_per_hall: Count


class Swing(Spec):
    """Per-accelerator power during synchronous training: a square wave between peak and trough."""

    category: ClassVar[str] = "swing"
    references: ClassVar[dict[str, str]] = {"accelerator": "accelerator"}

    accelerator: str
    peak_power: Power
    trough_power: Power
    mean_power: Power
    period: Annotated[SpecValue, Dim("[time]", "0 s", open_low=True, what="a period")]
    duty_cycle: Share
    ramp_rate: Annotated[SpecValue, Dim("[ramp_rate]", "0 W/s", open_low=True, what="a ramp rate")]
    idle_power: Power

    @model_validator(mode="after")
    def _ordered(self):
        peak, mean, trough = (self.q(f).to("W").magnitude for f in ("peak_power", "mean_power", "trough_power"))
        if not trough <= mean <= peak:
            raise ValueError("trough_power <= mean_power <= peak_power must hold; check the three powers")
        return self


for _cls in (UpsModule, PowerTransformer, Generator, HeatRejectionUnit, Cdu, ChillerUnit,
             LiquidClass, Layout, Swing):
    SPEC_TYPES[_cls.category] = _cls
