"""Test-wide set-up: Qt renders offscreen, and no test touches the user's real data folder."""

from __future__ import annotations

import os

# Before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYDESK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
