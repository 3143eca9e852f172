"""Regenerate the compact weather files of the built-in sites from the NREL TMY3 EPW files.

Usage (from the repository root)::

    PYTHONPATH=src python tools/build_weather.py [EPW_DIR] [--out specs/weather]

``EPW_DIR`` defaults to ``../shared/data/weather`` beside the repository; its README gives
the provenance of each file (NREL TMY3, Wilcox and Marion 2008, converted to EPW by the
EnergyPlus Weather Converter). The output is byte-for-byte reproducible.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("epw_dir", nargs="?", type=Path, default=ROOT.parent / "shared" / "data" / "weather",
                        help="folder holding the TMY3 .epw files (default: ../shared/data/weather)")
    parser.add_argument("--out", type=Path, default=ROOT / "specs" / "weather",
                        help="folder for the compact files (default: specs/weather)")
    args = parser.parse_args(argv)
    try:
        for epw_name, compact_name in STATIONS.items():
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
