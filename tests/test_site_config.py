"""The host's config names the team database, so reps with Unix accounts of their own share it
without `--db` or an environment variable; a bad host config names the file, line and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callblock.cli import main
from tests.conftest import NOW

NOW_ARG = NOW.isoformat()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CALLBLOCK_DB")  # no personal override: the host's config decides
    path = tmp_path / "etc" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setenv("CALLBLOCK_SITE_CONFIG", str(path))
    return path


def test_the_hosts_config_names_the_team_database(capsys, site: Path, tmp_path: Path) -> None:
    team = tmp_path / "srv" / "team.db"
    team.parent.mkdir()
    assert main(["--db", str(team), "team", "init", "--timezone", "America/New_York"]) == 0
    site.write_text(f'database = "{team}"\n')
    capsys.readouterr()
    assert main(["--now", NOW_ARG, "--rep", "ann", "add", "--name", "Pat Lee", "--company",
                 "Acme", "--phone", "+1 212 555 0100", "--json"]) == 0  # fmt: skip
    lead = json.loads(capsys.readouterr().out)["lead_id"]
    assert main(["--rep", "bob", "leads", "--json"]) == 0  # another account, no --db either
    assert [row["lead_id"] for row in json.loads(capsys.readouterr().out)] == [lead]
    assert not (tmp_path / "default.db").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('database = "/srv/x.db"\ntimezone = "UTC"\n', "line 2: key 'timezone': unknown key"),
        ("database = 42\n", "line 1: key 'database': must be the path"),
        ('database = "team.db"\n', "key 'database': must be an absolute path"),
        ("database = \n", "config.toml: "),
    ],
)
def test_a_bad_hosts_config_is_one_line_naming_it(
    capsys, site: Path, text: str, expected: str
) -> None:
    site.write_text(text)
    assert main(["--rep", "ann", "queue"]) == 1
    err = capsys.readouterr().err
    assert expected in err and str(site) in err and err.count("\n") == 1
