"""Typical-year hourly weather and a station's ASHRAE design conditions, whatever file they came from.

:class:`Weather` holds 8,760 hours of dry-bulb, dew point, wet-bulb, humidity ratio and
pressure; :class:`DesignConditions` the station's ASHRAE climatic design values;
:class:`AirStates` the outdoor-air states the model chain evaluates (hours of the year,
weather bins, or design points), each with its weight in hours. Files are read by
:mod:`dcpower.weather.epw` (EnergyPlus weather files) and :mod:`dcpower.weather.compact`
(the compact form the built-in sites ship).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np



__all__ = ["DesignConditions", "Weather", "AirStates", "HOURS_PER_YEAR", "DESIGN_TEMPERATURES"]

HOURS_PER_YEAR = 8760


@dataclass(frozen=True)
class DesignConditions:
    """ASHRAE climatic design conditions of a station, from the EPW ``DESIGN CONDITIONS`` line.

    Every temperature is an absolute temperature Quantity [°C], or ``None`` where the file
    does not give it.

    Attributes
    ----------
    source : str or None
        Title of the design-condition set, e.g. ``"Climate Design Data 2009 ASHRAE Handbook"``.
    cooling_dry_bulb : Quantity or None
        Annual cooling design dry-bulb, 0.4 % exceedance. [°C]
    cooling_coincident_wet_bulb : Quantity or None
        Mean wet-bulb coincident with the 0.4 % dry-bulb. [°C]
    evaporation_wet_bulb : Quantity or None
        Annual evaporation design wet-bulb, 0.4 % exceedance (cooling towers). [°C]
    evaporation_coincident_dry_bulb : Quantity or None
        Mean dry-bulb coincident with the 0.4 % wet-bulb. [°C]
    dehumidification_dew_point : Quantity or None
        Annual dehumidification design dew point, 0.4 % exceedance. [°C]
    extreme_wet_bulb : Quantity or None
        Extreme maximum wet-bulb temperature. [°C]
    extreme_dry_bulb_mean : Quantity or None
        Mean of the annual extreme maximum dry-bulb temperatures. [°C]
    extreme_dry_bulb_return : tuple of (int, Quantity)
        Maximum dry-bulb temperature by return period in years, e.g. ``((5, 38.1 degC),
        (10, 39.0 degC), (20, 39.9 degC), (50, 41.0 degC))``. [yr, °C]
    """

    source: str | None = None
    cooling_dry_bulb: object = None
    cooling_coincident_wet_bulb: object = None
    evaporation_wet_bulb: object = None
    evaporation_coincident_dry_bulb: object = None
    dehumidification_dew_point: object = None
    extreme_wet_bulb: object = None
    extreme_dry_bulb_mean: object = None
    extreme_dry_bulb_return: tuple = ()

    @property
    def extreme_dry_bulb(self):
        """The 20-year return-period maximum dry-bulb (``None`` if absent). [°C]

        The 20-year value is the extreme the Uptime Institute Tier standard and common
        data-center practice size heat rejection for; other periods are in
        :attr:`extreme_dry_bulb_return`.
        """
        return self.extreme_dry_bulb_for(20)

    def extreme_dry_bulb_for(self, years: int):
        """Maximum dry-bulb of return period ``years`` (``None`` if the file lacks it)."""
        return dict(self.extreme_dry_bulb_return).get(years)

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in DESIGN_TEMPERATURES) \
            and not self.extreme_dry_bulb_return


DESIGN_TEMPERATURES = ("cooling_dry_bulb", "cooling_coincident_wet_bulb", "evaporation_wet_bulb",
                        "evaporation_coincident_dry_bulb", "dehumidification_dew_point",
                        "extreme_wet_bulb", "extreme_dry_bulb_mean")


@dataclass(frozen=True, eq=False)
class Weather:
    """One typical year of hourly weather at a station, January 1 hour 1 to December 31 hour 24.

    Attributes
    ----------
    name : str
        Station name, e.g. ``"Memphis International Ap, TN, USA"``.
    source : str
        File it came from and what that file is.
    latitude, longitude : float
        Station coordinates, north and east positive. [degrees]
    elevation : Quantity
        Station elevation above sea level. [m]
    dry_bulb, dew_point, wet_bulb : Quantity
        Hourly temperatures, 8,760 values. [°C]
    relative_humidity : Quantity
        Hourly relative humidity. [%]
    pressure : Quantity
        Hourly station pressure. [Pa]
    humidity_ratio : Quantity
        Hourly humidity ratio. [kg water / kg dry air]
    design : DesignConditions or None
        ASHRAE design conditions of the station, if the file has them.
    time_zone : float or None
        The station's standard time, hours from UTC (EPW LOCATION field "Time Zone": -6.0 for
        Memphis), the time the hourly rows are in; ``None`` if the file does not say. [h]
    """

    name: str
    source: str
    latitude: float
    longitude: float
    elevation: object
    dry_bulb: object
    dew_point: object
    relative_humidity: object
    pressure: object
    wet_bulb: object
    humidity_ratio: object
    design: DesignConditions | None = None
    time_zone: float | None = None

    @property
    def hours(self) -> int:
        """Number of hourly values (8,760)."""
        return len(self.dry_bulb.magnitude)


@dataclass(frozen=True)
class AirStates:
    """Outdoor-air states to evaluate the plant at, each standing for ``weights`` hours.

    Attributes
    ----------
    dry_bulb, wet_bulb : Quantity
        Temperatures, one per state. [°C]
    humidity_ratio : Quantity
        [kg water / kg dry air]
    pressure : Quantity
        Station pressure. [Pa]
    weights : numpy.ndarray
        Hours each state stands for (ones for the hours of a year; hour counts for bins). [h]
    labels : tuple of str
        What each state is, for design points (``"20-year extreme dry-bulb 39.9 degC"``); empty
        for hours and bins.
    """

    dry_bulb: object
    wet_bulb: object
    humidity_ratio: object
    pressure: object
    weights: np.ndarray
    labels: tuple = ()

    @classmethod
    def hours_of(cls, weather: "Weather") -> "AirStates":
        """Every hour of ``weather``, one hour each."""
        return cls(weather.dry_bulb, weather.wet_bulb, weather.humidity_ratio, weather.pressure,
                   np.ones(weather.hours))

    @property
    def hours(self) -> float:
        """Hours the states stand for in all (8,760 for a typical year). [h]"""
        return float(np.sum(self.weights))
