"""Site services (offices, generator block heaters, controls, water treatment) in power and heat."""

import dataclasses
import math

import numpy as np
import pytest

import dcpower
from dcpower.catalog.loader import load_catalog
from dcpower.chain import steps
from dcpower.chain.run import run_chain
from dcpower.weather.model import AirStates


def _chain(**kw):
    r = dcpower.resolve(**kw)
    return r, run_chain(r, AirStates.hours_of(r.weather))


@pytest.mark.parametrize("cooling", ["dlc-tower", "dlc-drycooler", "air-chiller"])
def test_site_services_are_in_the_energy_balance_every_hour(cooling):
    r, c = _chain(cooling=cooling)
    for plant in (c.hourly, c.design, c.nameplate):
        services = plant.site_services.total.to("W").magnitude
        assert np.all(services > 0)
        # facility power = heat leaving the site, every state
        np.testing.assert_allclose(plant.facility.to("W").magnitude, plant.heat_out.to("W").magnitude, rtol=1e-12)
    # the services add to facility power: without them the same plant draws exactly that much less
    bare = steps.plant_step(dataclasses.replace(r, support=None), c.it_power.average, c.it.racks, c.air,
                            steps.design_ratings(c.design, c.design_index))
    extra = (c.hourly.facility - bare.facility).to("W").magnitude
    transformer = (c.hourly.transformer_loss - bare.transformer_loss).to("W").magnitude
    np.testing.assert_allclose(extra, c.hourly.site_services.total.to("W").magnitude + transformer, rtol=1e-9)


def test_site_services_follow_their_specs():
    r, c = _chain()
    sp = load_catalog().get("support", "campus")
    ss = c.design.site_services
    it = c.peak(c.design.it).to("MW").magnitude[0]
    # specs/support.toml: 20 m^2 of office per MW of IT at 17.9 W/m^2 (CBECS 2012 Table C14 mean)
    assert c.peak(ss.office).to("kW").magnitude[0] == pytest.approx(it * 20 * 17.9 / 1000, rel=1e-9)
    # 0.1 % of IT for controls and security
    assert c.peak(ss.controls).to("MW").magnitude[0] == pytest.approx(it * 0.001, rel=1e-9)
    # block heaters: 5 kW x generator sets for the facility at N+1, each 2,725 kVA prime x 0.8
    n = c.peak(dcpower.Q_(np.asarray(ss.generators, dtype=float), "")).magnitude[0]
    load = (c.peak(c.design.facility) - c.peak(c.design.transformer_loss) - c.peak(ss.total)).to("kW").magnitude[0]
    assert n == math.ceil(load / 2180) + 1
    assert c.peak(ss.block_heaters).to("kW").magnitude[0] == pytest.approx(5 * n)
    # water treatment: 0.05 % of the heat the towers reject; none for dry coolers
    q = c.peak(c.design.rejection.heat_rejected).to("kW").magnitude[0]
    assert c.peak(ss.water_treatment).to("kW").magnitude[0] == pytest.approx(q * 0.0005, rel=1e-9)
    assert sp.water_treatment_fraction.quantity.magnitude == 0.0005
    _, dry = _chain(cooling="dlc-drycooler")
    assert np.all(dry.hourly.site_services.water_treatment.magnitude == 0)


def test_results_and_explain_name_them():
    e = dcpower.estimate()
    assert 0 < e.site_services_power_average.to("MW").magnitude < 0.01 * e.it_power.to("MW").magnitude
    step = next(s for s in e.steps if s.title.startswith("Site services"))
    assert any(name == "site_services_power_average" for name, _ in step.results)


def test_no_support_means_no_site_services():
    r = dataclasses.replace(dcpower.resolve(), support=None)
    c = run_chain(r, AirStates.hours_of(r.weather))
    assert np.all(c.hourly.site_services.total.magnitude == 0)


def test_ranged_support_values_are_varied():
    assert "support.block_heater_power" in dcpower.resolve().ranged_values()
