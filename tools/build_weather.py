"""Regenerate the compact weather files of the built-in sites from the NREL TMY3 EPW files.

Usage (from the repository root)::

    PYTHONPATH=src python tools/build_weather.py [EPW_DIR] [--out specs/weather]
    PYTHONPATH=src python tools/build_weather.py EPW_DIR --campuses

``EPW_DIR`` defaults to ``../shared/data/weather`` beside the repository; its README gives
the provenance of each file (NREL TMY3, Wilcox and Marion 2008, converted to EPW by the
EnergyPlus Weather Converter). The output is byte-for-byte reproducible.

``--campuses`` builds instead the stations of the campus comparison (``dcpower validate
--campuses``) into ``specs/validation/weather``: ASHRAE IWEC files for Stockholm Arlanda and
Tokyo Hyakuri as shipped in the sinergym 3.3.3 source distribution (sinergym/data/weather/),
ASHRAE IWEC Singapore as shipped in the ladybug-tools/uwg repository (resources/), and NREL
TMY3 Chicago O'Hare from the same sinergym folder. ``specs/validation/campuses.toml`` names
the station that stands for each campus.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dcpower.errors import WeatherError  # noqa: E402
from dcpower.weather.compact import read_compact, write_compact
from dcpower.weather.epw import read_epw  # noqa: E402

# EPW file name -> compact file name under specs/weather/
STATIONS = {
    "USA_TN_Memphis.Intl.AP.723340_TMY3.epw": "memphis-723340-tmy3.csv.gz",
    "USA_VA_Sterling-Washington.Dulles.Intl.AP.724030_TMY3.epw": "ashburn-724030-tmy3.csv.gz",
    "USA_AZ_Phoenix-Sky.Harbor.Intl.AP.722780_TMY3.epw": "phoenix-722780-tmy3.csv.gz",
}

# EPW file name -> compact file name under specs/validation/weather/ (campus comparison)
CAMPUS_STATIONS = {
    "SWE_Stockholm.Arlanda.024600_IWEC.epw": "stockholm-arlanda-024600-iwec.csv.gz",
    "JPN_Tokyo.Hyakuri.477150_IWEC.epw": "tokyo-hyakuri-477150-iwec.csv.gz",
    "SGP_Singapore.486980_IWEC.epw": "singapore-486980-iwec.csv.gz",
    "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw": "chicago-ohare-725300-tmy3.csv.gz",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("epw_dir", nargs="?", type=Path, default=ROOT.parent / "shared" / "data" / "weather",
                        help="folder holding the TMY3 .epw files (default: ../shared/data/weather)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the compact files (default: specs/weather, or specs/validation/weather "
                             "with --campuses)")
    parser.add_argument("--campuses", action="store_true",
                        help="build the campus comparison's stations instead of the built-in sites'")
    args = parser.parse_args(argv)
    stations = CAMPUS_STATIONS if args.campuses else STATIONS
    if args.out is None:
        args.out = ROOT / "specs" / ("validation/weather" if args.campuses else "weather")
    try:
        for epw_name, compact_name in stations.items():
            weather = read_epw(args.epw_dir / epw_name)
            target = args.out / compact_name
            write_compact(weather, target)
            back = read_compact(target)
            d = weather.design
            print(f"{target}: {weather.name}, {back.hours} h, mean dry-bulb "
                  f"{back.dry_bulb.magnitude.mean():.2f} degC, max {back.dry_bulb.magnitude.max():.1f} degC; "
                  f"design 0.4 % DB {d.cooling_dry_bulb:~P}, 0.4 % WB {d.evaporation_wet_bulb:~P}")
    except WeatherError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
