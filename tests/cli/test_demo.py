"""The demo workspace: built by `journeydesk demo`, and by the first start with no workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from journeydesk.cli import main
from journeydesk.store.datasets import list_datasets
from journeydesk.store.workspace_file import WorkspaceFile


def test_demo_has_the_map_personas_and_a_drop_off_at_confirmation(tmp_path: Path,
                                                                   capsys) -> None:
    ws = tmp_path / "demo.jdesk"
    assert main(["demo", str(ws)]) == 0
    assert capsys.readouterr().out.strip() == str(ws)
    with WorkspaceFile.open(ws, read_only=True) as ws_file:
        workspace = ws_file.load()
        (info,) = list_datasets(ws_file)
    assert [m.name for m in workspace.maps.values()] == ["Membership sign-up"]
    assert sorted(p.name for p in workspace.personas.values()) == [
        "Daniel Okafor", "Margaret Lindqvist", "Noor Haddad"]
    assert info.name == "membership events" and info.row_count > 2000
    assert main(["metrics", str(ws), "--map", "Membership sign-up", "--json"]) == 0
    stages = json.loads(capsys.readouterr().out)["stages"]
    conversion = {s["stage"]: s["conversion_from_previous"] for s in stages}
    # the e-mail confirmation visibly loses people: the lowest conversion of the journey
    assert conversion["Confirm e-mail"] == min(c for c in conversion.values() if c is not None)
    assert conversion["Confirm e-mail"] < 0.6
    assert main(["demo", str(ws)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["demo.jdesk"]  # no temporary left


def test_first_start_with_no_workspace_opens_the_demo(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shot = tmp_path / "first.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "JOURNEYDESK_DATA_DIR": str(data),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-m", "journeydesk", "--screenshot", str(shot)],
                            capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr
    assert (data / "workspace.jdesk").exists() and shot.exists()
    with WorkspaceFile.open(data / "workspace.jdesk", read_only=True) as ws_file:
        assert ws_file.map_summaries()[0][0] == "Membership sign-up"


def test_demo_without_a_name_builds_the_default_workspace_on_a_new_machine(
        tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "JourneyDesk"  # the data folder does not exist yet
    env = {**os.environ, "JOURNEYDESK_DATA_DIR": str(data)}
    result = subprocess.run([sys.executable, "-m", "journeydesk", "demo"], capture_output=True,
                            text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(data / "workspace.jdesk")
    assert (data / "workspace.jdesk").is_file()


def test_demo_map_is_a_living_map(tmp_path: Path, capsys) -> None:
    """Evidence, a comment, scored opportunities, an owner and a first version to look at."""
    ws = tmp_path / "demo.jdesk"
    assert main(["demo", str(ws)]) == 0
    capsys.readouterr()
    assert main(["opportunities", str(ws), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert sorted((o["value"], o["effort"]) for o in found) == [(4, 2), (5, 3)]
    assert main(["versions", str(ws), "--map", "Membership sign-up", "--json"]) == 0
    (version,) = json.loads(capsys.readouterr().out)
    assert version["label"] == "First draft"
    assert main(["maps", str(ws)]) == 0
    line = capsys.readouterr().out.strip()
    assert "\tCX team\t" in line and line.split("\t")[-1].startswith("ok: review by ")
    with WorkspaceFile.open(ws, read_only=True) as ws_file:
        (m,) = ws_file.load().maps.values()
    assert {c.evidence for c in m.cards.values()} == {"assumed", "research", "observed",
                                                     "measured"}
    assert len(m.comments) == 1
