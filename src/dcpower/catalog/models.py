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
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dcpower.errors import InputError
from dcpower.units import parse_quantity

ID_PATTERN = r"^[a-z0-9][a-z0-9.\-]*$"


class Dim:
    """Field metadata: the dimension a :class:`SpecValue` field must have."""

    def __init__(self, dimension: str):
        self.dimension = dimension

    def __repr__(self) -> str:
        return f"Dim({self.dimension!r})"


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

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _no_bool(cls, v):
        if isinstance(v, bool):
            raise ValueError("must be a number or a quantity string such as '700 W', not true/false")
        return v

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
        return parse_quantity(self.value)

    @property
    def low_quantity(self):
        return None if self.low is None else parse_quantity(self.low)

    @property
    def high_quantity(self):
        return None if self.high is None else parse_quantity(self.high)

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

    def check(self, dimension: str, what: str) -> None:
        """Raise ``InputError`` unless value, low and high parse with ``dimension``, low <= value <= high."""
        q = parse_quantity(self.value, dimension, what)
        lo = parse_quantity(self.low, dimension, f"{what}.low") if self.low is not None else None
        hi = parse_quantity(self.high, dimension, f"{what}.high") if self.high is not None else None
        if lo is not None and lo.to(q.units).magnitude > q.magnitude:
            raise InputError(f"{what}: low ({self.low}) is above the value ({self.value}); swap them")
        if hi is not None and hi.to(q.units).magnitude < q.magnitude:
            raise InputError(f"{what}: high ({self.high}) is below the value ({self.value}); swap them")


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
        return self

    def citation(self) -> str:
        text = self.source
        if self.year is not None and str(self.year) not in text:
            text += f" ({self.year})"
        return text


def _dims(model_cls) -> dict[str, str]:
    out = {}
    for name, field in model_cls.model_fields.items():
        for meta in field.metadata:
            if isinstance(meta, Dim):
                out[name] = meta.dimension
    return out


def check_dimensions(model):
    """Check every :class:`Dim`-annotated SpecValue of ``model``; a pydantic-ready error names the field."""
    for field, dimension in _dims(type(model)).items():
        value = getattr(model, field)
        if value is not None:
            try:
                value.check(dimension, field)
            except InputError as exc:
                name, _, message = str(exc).partition(": ")
                raise ValueError(f"field {name!r}: {message}") from None
    return model


class Spec(BaseModel):
    """Base of every catalog entry: an id, a name, dimension-checked values."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    category: ClassVar[str] = ""
    references: ClassVar[dict[str, str]] = {}  # field -> category it must name

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _check_dimensions(self):
        return check_dimensions(self)

    def values(self) -> dict[str, SpecValue]:
        """The sourced values of this spec, by field name, in declaration order."""
        return {k: getattr(self, k) for k in type(self).model_fields
                if isinstance(getattr(self, k), SpecValue)}

    def q(self, field: str):
        """Field ``field`` as a Quantity (``None`` if not given)."""
        v = getattr(self, field)
        return None if v is None else v.quantity


Power = Annotated[SpecValue, Dim("[power]")]
OptPower = Annotated[SpecValue | None, Dim("[power]")]
Fraction = Annotated[SpecValue, Dim("[dimensionless]")]
OptFraction = Annotated[SpecValue | None, Dim("[dimensionless]")]
Count = Annotated[SpecValue, Dim("[dimensionless]")]
OptCount = Annotated[SpecValue | None, Dim("[dimensionless]")]
Temperature = Annotated[SpecValue, Dim("[temperature]")]
OptTemperature = Annotated[SpecValue | None, Dim("[temperature]")]
DeltaT = Annotated[SpecValue, Dim("[temperature_difference]")]
OptDeltaT = Annotated[SpecValue | None, Dim("[temperature_difference]")]
Pressure = Annotated[SpecValue, Dim("[pressure]")]
Bandwidth = Annotated[SpecValue, Dim("[bandwidth]")]


class Accelerator(Spec):
    """A GPU or other accelerator package, rated by its maximum board/module power."""

    category: ClassVar[str] = "accelerator"
    references: ClassVar[dict[str, str]] = {"default_server": "server"}

    vendor: str
    form_factor: str
    max_power: Power
    idle_power: OptPower = None
    memory: Annotated[SpecValue | None, Dim("[information]")] = None
    default_server: str | None = None


class Server(Spec):
    """A server (node) holding accelerators, with its host components' power at full load.

    Host component powers are DC powers at full load; wall power adds PSU losses.
    """

    category: ClassVar[str] = "server"
    references: ClassVar[dict[str, str]] = {"accelerator": "accelerator"}

    vendor: str
    accelerator: str
    cooling: Literal["air", "liquid", "immersion"]
    gpus: Count
    cpu_power: Power
    memory_power: Power
    nic_power: Power
    baseboard_power: Power
    drive_power: Power
    fan_power: Power
    other_power: OptPower = None
    psu_efficiency: Fraction
    nameplate_power: OptPower = None
    rack_units: OptCount = None
    gpus_per_rack: OptCount = None


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
    """A network built as a non-blocking fat tree of one switch model.

    ``endpoints`` says what one endpoint is (a GPU, a server, a rack) and
    ``endpoints_per_unit`` how many links each of those has.
    """

    category: ClassVar[str] = "fabric"
    references: ClassVar[dict[str, str]] = {
        "switch": "switch", "nic_transceiver": "transceiver", "switch_transceiver": "transceiver"}

    topology: Literal["fat-tree", "per-rack"]
    switch: str
    endpoints: Literal["gpu", "server", "rack"]
    endpoints_per_unit: Count
    endpoint_speed: Bandwidth
    nic_transceiver: str | None = None
    switch_transceiver: str | None = None
    oversubscription: OptFraction = None


class Storage(Spec):
    """A storage appliance: sustained read bandwidth and power per unit."""

    category: ClassVar[str] = "storage"

    vendor: str
    read_bandwidth: Bandwidth
    power: Power
    rack_units: OptCount = None


CoolingKind = Literal["air-chiller", "rear-door", "dlc-tower", "dlc-drycooler", "immersion"]


class Cooling(Spec):
    """A cooling architecture: how heat leaves the IT, and how the plant rejects it."""

    category: ClassVar[str] = "cooling"

    kind: CoolingKind
    description: str
    liquid_fraction: Fraction
    supply_temperature: Temperature
    air_loop_supply_temperature: OptTemperature = None
    loop_delta_t: DeltaT
    air_delta_t: OptDeltaT = None
    air_pressure: Annotated[SpecValue | None, Dim("[pressure]")] = None
    fan_efficiency: OptFraction = None
    pump_pressure: Pressure
    pump_efficiency: Fraction
    heat_rejection: Literal["cooling-tower", "dry-cooler"]
    approach: DeltaT
    hx_approach: OptDeltaT = None
    tower_fan_efficacy: Annotated[SpecValue | None, Dim("[fan_efficacy]")] = None
    tower_range: OptDeltaT = None
    drycooler_air_delta_t: OptDeltaT = None
    drycooler_air_pressure: Annotated[SpecValue | None, Dim("[pressure]")] = None
    chiller: bool = False
    economizer: bool = True
    chiller_cop_rated: OptFraction = None
    chiller_rating_chilled_water: OptTemperature = None
    chiller_rating_condenser_water: OptTemperature = None
    chiller_approach: OptDeltaT = None
    chiller_min_condenser_temperature: OptTemperature = None
    cycles_of_concentration: OptFraction = None
    drift_rate: OptFraction = None
    support_power_fraction: OptFraction = None

    @model_validator(mode="after")
    def _complete(self):
        # Air movers are needed even for immersion: electrical-room losses and lighting heat
        # reach the plant through air handlers.
        need = ["air_delta_t", "air_pressure", "fan_efficiency"]
        if self.heat_rejection == "cooling-tower":
            need += ["tower_fan_efficacy", "tower_range", "cycles_of_concentration", "drift_rate"]
        else:
            need += ["drycooler_air_delta_t", "drycooler_air_pressure"]
        if self.chiller:
            need += ["chiller_cop_rated", "chiller_rating_chilled_water",
                     "chiller_rating_condenser_water", "chiller_approach"]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"cooling kind '{self.kind}' with {self.heat_rejection} needs "
                             f"{', '.join(missing)}")
        return self


class Electrical(Spec):
    """An element of the power chain: transformer, UPS or distribution (PDU, busway)."""

    category: ClassVar[str] = "electrical"

    kind: Literal["transformer", "ups", "distribution"]
    mode: str | None = None
    efficiency: OptFraction = None
    efficiency_curve: SpecCurve | None = None
    rating: Annotated[SpecValue | None, Dim("[apparent_power]")] = None

    @model_validator(mode="after")
    def _has_efficiency(self):
        if self.efficiency is None and self.efficiency_curve is None:
            raise ValueError("give efficiency or efficiency_curve")
        return self


class SiteDesign(BaseModel):
    """A site's ASHRAE climatic design conditions, as the catalog gives them (sourced values).

    The model chain reads them as a :class:`dcpower.weather.model.DesignConditions`."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    cooling_dry_bulb: Temperature          # 0.4 % annual cooling dry-bulb
    cooling_coincident_wet_bulb: Temperature
    evaporation_wet_bulb: Temperature      # 0.4 % annual evaporation wet-bulb
    evaporation_coincident_dry_bulb: Temperature
    extreme_dry_bulb: OptTemperature = None  # n-year return period max dry-bulb
    extreme_wet_bulb: OptTemperature = None

    @model_validator(mode="after")
    def _check_dimensions(self):
        return check_dimensions(self)


class Site(Spec):
    """A location: coordinates, climate design conditions, hourly weather and grid."""

    category: ClassVar[str] = "site"
    references: ClassVar[dict[str, str]] = {"grid": "grid"}

    location: str
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    elevation: Annotated[SpecValue, Dim("[length]")]
    weather: str
    weather_source: SpecValue
    design: SiteDesign
    grid: str


class Grid(Spec):
    """An electricity supplier: carbon and water intensity, prices."""

    category: ClassVar[str] = "grid"

    region: str
    carbon_intensity: Annotated[SpecValue, Dim("[carbon_intensity]")]
    energy_price: Annotated[SpecValue, Dim("[energy_price]")]
    demand_charge: Annotated[SpecValue | None, Dim("[demand_price]")] = None
    water_intensity: Annotated[SpecValue | None, Dim("[water_intensity]")] = None


class Turbine(Spec):
    """An on-site gas turbine generator set."""

    category: ClassVar[str] = "turbine"

    vendor: str
    rated_power: Power
    heat_rate: Annotated[SpecValue, Dim("[heat_rate]")]
    fuel_co2: Annotated[SpecValue, Dim("[fuel_co2]")]
    ramp_rate: Annotated[SpecValue | None, Dim("[ramp_rate]")] = None


class Battery(Spec):
    """An on-site battery energy storage unit."""

    category: ClassVar[str] = "battery"

    vendor: str
    power: Power
    energy: Annotated[SpecValue, Dim("[energy]")]
    round_trip_efficiency: Fraction


SPEC_TYPES: dict[str, type[Spec]] = {
    cls.category: cls
    for cls in (Accelerator, Server, Switch, Transceiver, Fabric, Storage, Cooling,
                Electrical, Site, Grid, Turbine, Battery)
}


# ---------------------------------------------------------------- equipment for sizing

ApparentPower = Annotated[SpecValue, Dim("[apparent_power]")]


class UpsModule(Spec):
    """One UPS module (or single-module system): its kVA rating and output power factor."""

    category: ClassVar[str] = "ups_module"

    vendor: str
    rating: ApparentPower
    power_factor: Fraction


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
    prime_rating: Annotated[SpecValue | None, Dim("[apparent_power]")] = None
    continuous_rating: Annotated[SpecValue | None, Dim("[apparent_power]")] = None
    power_factor: Fraction
    derate_temperature: Temperature
    temperature_derate: Annotated[SpecValue, Dim("1 / [temperature]")]
    derate_altitude: Annotated[SpecValue, Dim("[length]")]
    altitude_derate: Annotated[SpecValue, Dim("1 / [length]")]


class HeatRejectionUnit(Spec):
    """One cooling-tower cell or dry cooler: heat rejected at its rating conditions."""

    category: ClassVar[str] = "heat_rejection_unit"

    kind: Literal["cooling-tower-cell", "dry-cooler"]
    vendor: str
    capacity: Power


class Cdu(Spec):
    """A coolant distribution unit: heat it moves from the technology loop to facility water."""

    category: ClassVar[str] = "cdu"

    vendor: str
    capacity: Power
    approach: OptDeltaT = None


class ChillerUnit(Spec):
    """One chiller: its cooling capacity at rating conditions."""

    category: ClassVar[str] = "chiller_unit"

    vendor: str
    capacity: Power


class LiquidClass(Spec):
    """An ASHRAE liquid-cooling class (W17 ... W45): the facility water supply limit."""

    category: ClassVar[str] = "liquid_class"

    facility_supply_max: Temperature


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
    period: Annotated[SpecValue, Dim("[time]")]
    duty_cycle: Fraction
    ramp_rate: Annotated[SpecValue, Dim("[ramp_rate]")]
    idle_power: Power


for _cls in (UpsModule, PowerTransformer, Generator, HeatRejectionUnit, Cdu, ChillerUnit,
             LiquidClass, Layout, Swing):
    SPEC_TYPES[_cls.category] = _cls
