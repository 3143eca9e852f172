"""Unit spellings of the field, each against a published conversion factor.

Factors: NIST Special Publication 811 (2008 ed.), Appendix B.8 and B.9, unless noted.
"""

import pytest

from dcpower.errors import InputError
from dcpower.units import Q_, check_dimension, format_unit, parse_quantity, ureg


@pytest.mark.parametrize("text, target, expected, rel", [
    # 1 ton of refrigeration = 12,000 Btu/h = 3.516 853 kW (NIST SP 811 B.8)
    ("1 TR", "kW", 3.516853, 1e-6),
    ("1 ton_of_refrigeration", "kW", 3.516853, 1e-6),
    # 1 US gallon = 3.785 412 L (NIST SP 811 B.8); gpm = gal/min
    ("1 gpm", "L/s", 3.785411784 / 60, 1e-9),
    ("1 gal", "L", 3.785411784, 1e-9),
    ("1 Mgal", "m^3", 3785.411784, 1e-9),
    # 1 ft^3 = 0.028 316 85 m^3 (NIST SP 811 B.8); cfm = ft^3/min
    ("1 cfm", "m^3/h", 0.028316846592 * 60, 1e-9),
    # 1 Btu (IT) = 1055.056 J; 1 Btu/h = 0.293 071 1 W (NIST SP 811 B.8)
    ("1 BTU/h", "W", 0.2930711, 1e-6),
    ("1 Btu/h", "W", 0.2930711, 1e-6),
    ("1 MMBtu", "GJ", 1.055056, 1e-6),
    # 1 kWh = 3,412.14 Btu (NIST SP 811: 1 kWh = 3.6 MJ, 1 Btu_IT = 1055.056 J)
    ("1 kWh", "BTU", 3412.14, 1e-5),
    # 1 hp (550 ft lbf/s) = 745.6999 W (NIST SP 811 B.8)
    ("1 hp", "W", 745.6999, 1e-6),
    # 1 inch of water (60 degF) = 248.84 Pa (NIST SP 811 B.8)
    ("1 inH2O", "Pa", 248.84, 1e-9),
    # metric tonne of CO2 = 1000 kg CO2; 1 lb = 0.453 592 37 kg (exact)
    ("1 tCO2", "kgCO2", 1000.0, 1e-12),
    ("1 lbCO2", "kgCO2", 0.45359237, 1e-12),
    ("1000 lbCO2/MWh", "kgCO2/kWh", 0.45359237, 1e-9),
    # apparent power
    ("1 MVA", "kVA", 1000.0, 1e-12),
    ("1 USD", "USD", 1.0, 1e-12),
])
def test_spelling_converts_by_published_factor(text, target, expected, rel):
    assert parse_quantity(text).to(target).magnitude == pytest.approx(expected, rel=rel)


def test_TR_is_not_tera_gas_constant():
    # stock pint parses "TR" as tera x molar gas constant; ours is refrigeration
    assert parse_quantity("1 TR").check("[power]")


def test_cfm_is_a_flow_not_centi_fermi():
    assert parse_quantity("1 cfm").dimensionality == ureg.parse_units("m^3/s").dimensionality


def test_apparent_power_is_not_real_power():
    with pytest.raises(InputError, match="not a power"):
        parse_quantity("2500 kVA", "[power]", "rating")
    assert parse_quantity("2500 kVA", "[apparent_power]", "rating").to("MVA").magnitude == 2.5


def test_co2_mass_is_not_mass():
    with pytest.raises(InputError, match="not a mass"):
        parse_quantity("5 tCO2", "[mass]", "x")


def test_temperatures_and_differences_kept_apart():
    assert parse_quantity("25 degC", "[temperature]", "t").to("degF").magnitude == pytest.approx(77.0)
    assert parse_quantity("10 delta_degC", "[temperature_difference]", "dt").to("delta_degF").magnitude \
        == pytest.approx(18.0)
    assert parse_quantity("10 K", "[temperature_difference]", "dt").magnitude == 10
    with pytest.raises(InputError, match="absolute temperature"):
        parse_quantity("25 degC", "[temperature_difference]", "dt")
    with pytest.raises(InputError, match="temperature difference"):
        parse_quantity("10 K", "[temperature]", "t")
    with pytest.raises(InputError, match="temperature difference"):
        parse_quantity("10 delta_degC", "[temperature]", "t")


def test_same_power_in_W_kW_BTU_per_h():
    a = parse_quantity("1000 W", "[power]", "p")
    b = parse_quantity("1 kW", "[power]", "p")
    c = parse_quantity("3412.14163 BTU/h", "[power]", "p")
    assert a.to("W").magnitude == pytest.approx(b.to("W").magnitude)
    assert c.to("W").magnitude == pytest.approx(1000.0, rel=1e-8)


@pytest.mark.parametrize("text, message", [
    ("5 kg", "'5 kg' is not a power; try e.g. '500 kW'"),
    ("5 furlong", "unknown unit 'furlong'"),
    ("", "empty value"),
    # pint reads a lone unit as one of it: "kW" would be 1 kW, so a forgotten number is refused
    ("kW", "'kW' has no number; write the number before the unit"),
    ("MW", "'MW' has no number"),
])
def test_bad_quantities_give_one_line_errors(text, message):
    with pytest.raises(InputError) as info:
        parse_quantity(text, "[power]", "--host-power")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_one_registry():
    assert Q_ is ureg.Quantity
    import dcpower
    assert dcpower.ureg is ureg


def test_format_unit_is_short():
    assert format_unit(ureg.parse_units("MW")) == "MW"
    assert format_unit(ureg.parse_units("L/kWh")) == "L/kWh"
    assert format_unit(Q_(1, "degC").units) == "degC"


def test_check_dimension_returns_quantity():
    q = Q_(3, "MW")
    assert check_dimension(q, "[power]", "p") is q


@pytest.mark.parametrize("text, unit, value", [
    ("5degC", "degC", 5.0),       # no space before an offset unit stays absolute
    ("500kW", "kW", 500.0),
    ("1.5e3 kW", "kW", 1500.0),
    (".5 MW", "MW", 0.5),
    ("-3 degC", "degC", -3.0),
])
def test_number_and_unit_with_or_without_space(text, unit, value):
    assert parse_quantity(text).to(unit).magnitude == pytest.approx(value)


def test_prefixed_unit_strings_are_parsed_once():
    # pint answers from its own cache only for plain names; dcpower's registry remembers
    # prefixed and compound strings too, so q.to("MW") does not parse "MW" every time.
    first = ureg.parse_units_as_container("MW/kL")
    assert ureg.parse_units_as_container("MW/kL") is first
    assert Q_(2.5, "kW").to("MW").magnitude == pytest.approx(0.0025)


def test_defining_a_unit_stops_the_parse_memory():
    from dcpower.units import _build_registry

    reg = _build_registry()
    reg.parse_units_as_container("kW")
    assert reg._parsed
    reg.define("rackunit = 1000 * W = rku")
    assert reg._parsed is None  # a new name can change what a remembered string meant
    assert reg.Quantity(2, "rku").to("kW").magnitude == pytest.approx(2.0)
    assert reg.Quantity(1, "krku").to("MW").magnitude == pytest.approx(1.0)


@pytest.mark.parametrize("text", ["25 °C", "25°C", "25 ° C", "25 ℃", "77 °F", "77 ℉"])
def test_the_degree_sign_reads_as_dcpower_prints_it(text):
    # range messages print "at least 1 °C"; typed back it was "unknown unit 'degreeC'"
    q = parse_quantity(text, "[temperature]", "t")
    assert q.to("degC").magnitude == pytest.approx(25.0)


def test_an_absolute_reading_in_kelvin_gets_its_celsius_value():
    # "300 K" for a supply temperature was refused with "try e.g. '25 degC'"; say what it would be
    with pytest.raises(InputError, match="dcpower reads K as a difference: write '26.85 degC' for 300 K"):
        parse_quantity("300 K", "[temperature]", "t")
