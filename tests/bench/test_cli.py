"""The benchmark command line refuses what it cannot run before touching any database."""

import pytest

from bench.run import parse


def test_only_takes_benchmark_ids_in_any_case():
    assert parse(["--only", "b9, B10"]).only == {"B9", "B10"}
    assert parse([]).only is None


@pytest.mark.parametrize("value", ["B11", "B9,X", ",", "all"])
def test_only_refuses_unknown_benchmarks(value, capsys):
    with pytest.raises(SystemExit):
        parse(["--only", value])
    assert "unknown benchmarks" in capsys.readouterr().err
