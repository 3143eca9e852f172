"""The spec catalog: the built-in files validate, every error class is one clear line,
user directories add and override specs."""

import textwrap

import pytest

from dcpower.catalog.loader import load_catalog, load_spec_file, validate_files
from dcpower.errors import SpecError

ACCELERATORS = ["v100-sxm2", "a100-pcie", "a100-sxm", "h100-pcie", "h100-sxm", "h100-nvl", "h200-sxm",
                "gh200", "b200", "gb200", "b300", "gb300", "mi250x", "mi300x", "mi300a", "mi325x",
                "mi355x", "gaudi3", "max-1550"]


def test_builtin_catalog_validates():
    cat = load_catalog().validate_all()
    assert set(ACCELERATORS) <= set(cat.ids("accelerator"))
    for cooling in ["air-chiller", "rear-door", "dlc-tower", "dlc-drycooler", "immersion"]:
        assert cooling in cat.ids("cooling")
    for site in ["memphis", "ashburn", "phoenix"]:
        assert site in cat.ids("site")
    assert "tva" in cat.ids("grid")
    assert {"qm9700", "sn5600"} <= set(cat.ids("switch"))


def test_h100_sxm_is_700_W():
    # NVIDIA H100 datasheet: H100 SXM max TDP 700 W (NVIDIA H100 Tensor Core GPU datasheet, 2023)
    assert load_catalog().get("accelerator", "h100-sxm").max_power.quantity.to("W").magnitude == 700


def test_every_value_has_a_source_and_assumptions_a_reason():
    for spec in load_catalog().all():
        for name, v in spec.values().items():
            assert v.source.strip(), f"{spec.id}.{name}"
            if v.is_assumption:
                assert v.note, f"{spec.id}.{name}"
            else:
                assert v.year, f"{spec.id}.{name}"


def write(tmp_path, text, name="x.toml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


GOOD = """
[[accelerator]]
id = "hypo-1"
name = "Hypothetical accelerator for a workshop"
vendor = "Workshop"
form_factor = "OAM"
max_power = { value = "1500 W", source = "assumption", note = "what-if chip for teaching" }
default_server = "hgx-h100-8gpu-liquid"
"""


@pytest.mark.parametrize("text, message", [
    ("[[accelerator]\nid = 'x'", "not valid TOML"),
    (GOOD.replace('vendor = "Workshop"', 'vendor = "Workshop"\ncolour = "red"'), "unknown key 'colour'"),
    (GOOD.replace('source = "assumption", note = "what-if chip for teaching"', 'note = "x"'),
     "missing required field 'max_power.source'"),
    (GOOD.replace('source = "assumption", note = "what-if chip for teaching"', 'source = "NVIDIA"'),
     "needs a year"),
    (GOOD.replace('note = "what-if chip for teaching"', 'note = ""'), "needs a note"),
    (GOOD.replace("1500 W", "1500 kg"), "'1500 kg' is not a power"),
    (GOOD.replace("[[accelerator]]", "[[accelerators]]"), "did you mean [[accelerator]]"),
    (GOOD.replace('id = "hypo-1"', 'id = "Hypo 1"'), "field 'id'"),
])
def test_spec_errors_are_one_line_and_name_file_and_field(tmp_path, text, message):
    p = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec_file(p)
    msg = str(info.value)
    assert message in msg
    assert str(p) in msg
    assert "\n" not in msg


def test_dangling_reference(tmp_path):
    p = write(tmp_path, GOOD.replace("hgx-h100-8gpu-liquid", "no-such-server"))
    with pytest.raises(SpecError, match="default_server.*no-such-server.*does not exist"):
        validate_files([p])


def test_duplicate_id_in_one_directory(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(SpecError, match="defined twice"):
        load_catalog([tmp_path])


def test_user_directory_adds_and_overrides(tmp_path, monkeypatch):
    write(tmp_path, GOOD + GOOD.replace("hypo-1", "h100-sxm").replace("1500 W", "650 W"))
    cat = load_catalog([tmp_path])
    assert cat.get("accelerator", "hypo-1").max_power.quantity.magnitude == 1500
    assert cat.get("accelerator", "h100-sxm").max_power.quantity.magnitude == 650
    assert cat.origin[("accelerator", "h100-sxm")].parent == tmp_path
    # the environment variable does the same
    monkeypatch.setenv("DCPOWER_SPECS", str(tmp_path))
    assert "hypo-1" in load_catalog().ids("accelerator")


def test_missing_user_directory(tmp_path):
    with pytest.raises(SpecError, match="does not exist"):
        load_catalog([tmp_path / "nope"])


def test_unknown_id_suggests_close_ones():
    from dcpower.errors import InputError

    with pytest.raises(InputError) as info:
        load_catalog().get("accelerator", "h100")
    assert "did you mean h100-nvl, h100-pcie, h100-sxm?" in str(info.value)


def test_one_specs_folder_may_be_a_bare_string(tmp_path):
    # load_catalog("/x") read each letter as a folder: "specs directory 'n' does not exist"
    with pytest.raises(SpecError, match="specs directory '/nowhere' does not exist"):
        load_catalog("/nowhere")
    with pytest.raises(SpecError, match="must be a path or a list of paths"):
        load_catalog(5)
    a_file = tmp_path / "specs.toml"
    a_file.write_text("")
    with pytest.raises(SpecError, match="is a file, not a folder"):
        load_catalog([a_file])


@pytest.mark.parametrize("toml, words", [
    # pydantic's "String should match pattern '^[a-z0-9][a-z0-9.\\-]*$'"
    ('id = "My Chip"', "'My Chip' is not an id; use lowercase letters, digits, '-' and '.'"),
    # pydantic's "Input should be a valid string"
    ('id = 5', "5 is not text; write it in quotes"),
])
def test_type_errors_read_as_words(tmp_path, toml, words):
    (tmp_path / "acc.toml").write_text(textwrap.dedent(f'''
        [[accelerator]]
        {toml}
        name = "My chip"
        vendor = "Me"
        form_factor = "OAM"
        max_power = {{ value = "700 W", source = "assumption", note = "a test entry" }}
    '''))
    with pytest.raises(SpecError) as info:
        validate_files([tmp_path / "acc.toml"])
    assert words in str(info.value) and "\n" not in str(info.value)


def test_validating_a_folder_without_spec_files_is_an_error(tmp_path):
    # it printed "ok: 121 specs valid (DIR on top of the built-in catalog)" having read nothing
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "acc.toml").write_text("")
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(SpecError, match="no .toml spec files in this folder"):
        validate_files([tmp_path])


def test_validating_a_symlink_loop_says_so(tmp_path):
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    with pytest.raises(SpecError, match="a symbolic link that leads nowhere or loops"):
        validate_files([loop])
