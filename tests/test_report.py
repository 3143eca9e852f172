"""The one renderer: how tables read in a terminal, in markdown and in CSV."""

from dcpower.report import WRAP_WIDTH, Report, Table, render, table

REASON = ("no measured power is published for this run as far as checked: " * 4).strip()


def test_long_prose_wraps_in_a_terminal_table():
    text = table(["case", "why"], [["Eos", REASON], ["Dawn", "short"]], "table")
    assert len(REASON) > WRAP_WIDTH
    lines = text.splitlines()
    start = lines[0].index("why")  # where the wrapped column begins
    assert len(lines) > 4 and max(len(line) - start for line in lines) <= WRAP_WIDTH
    # every word of the reason is still there, only spread over lines
    assert " ".join(text.split()).count("as far as checked") == 4


def test_markdown_and_csv_keep_each_cell_on_one_line():
    md = table(["case", "why"], [["Eos", REASON]], "markdown")
    assert len(md.splitlines()) == 3  # header, rule, one row
    assert REASON in md
    assert REASON in table(["case", "why"], [["Eos", REASON]], "csv")


def test_short_columns_are_not_wrapped():
    rep = Report("t", [Table(["result", "value"], [["facility_power", 112.5]])], {})
    assert render(rep, "table").splitlines()[-1].split() == ["facility_power", "112.5"]
