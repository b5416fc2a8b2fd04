"""A workshop in real browsers: two phones (Debian's Chromium, headless, driven by Selenium
through Debian's chromedriver) join the session the window started, send notes and a photo,
vote; the laptop accepts the notes and reveals the vote; the map holds the cards.

The test runs on the GUI thread, so every wait goes through ``qtbot.waitUntil``: it keeps
Qt's event loop turning, and with it the session's timer that stores what the phones send
(a phone's note is answered only once it is stored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox
from workshop_gui_helpers import open_window, start_from_menu

from journeydesk.app.workshop.record import workshop_report
from journeydesk.domain.model import LaneType

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

# make test installs Debian's chromium and chromium-driver (scripts/install-system-deps.sh):
# missing browsers are a set-up error here, not a reason to skip.
pytestmark = pytest.mark.slow


def phone(tmp_path: Path, name: str):  # noqa: ANN201
    """A headless Chromium the size of a small phone (360 px wide)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER), (
        "Chromium and chromedriver are needed (make test installs Debian's packages)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=360,740", "--no-first-run",
                     f"--user-data-dir={tmp_path / ('chromium-' + name)}"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture
def phones(tmp_path: Path) -> Iterator[list]:
    drivers = [phone(tmp_path, "ana"), phone(tmp_path, "anonymous")]
    try:
        yield drivers
    finally:
        for driver in drivers:
            driver.quit()


def element(driver, element_id: str):  # noqa: ANN001, ANN201
    return driver.find_element("id", element_id)


def visible(driver, element_id: str) -> bool:  # noqa: ANN001
    return element(driver, element_id).is_displayed()


def tap(driver, target) -> None:  # noqa: ANN001
    """Tap an element as a thumb would: scrolled to the middle of the screen first (the
    page's sticky title bar covers what Selenium scrolls to the very top)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
    target.click()


def join(qtbot, driver, url: str, name: str | None) -> None:  # noqa: ANN001
    driver.get(url)
    qtbot.waitUntil(lambda: visible(driver, "join"), timeout=10000)
    if name:
        element(driver, "name").send_keys(name)
        tap(driver, element(driver, "join-button"))
    else:
        tap(driver, element(driver, "join-anonymous"))
    qtbot.waitUntil(lambda: visible(driver, "write"), timeout=10000)
    # the stages arrive with the first poll of the state
    qtbot.waitUntil(lambda: len(driver.find_elements("css selector", "#stage option")) > 0,
                    timeout=10000)


def write_note(qtbot, driver, stage: str, kind_label: str, text: str, *,  # noqa: ANN001
               photo: Path | None = None) -> None:
    from selenium.webdriver.support.ui import Select

    Select(element(driver, "stage")).select_by_visible_text(stage)
    kinds = driver.find_elements("css selector", "#kinds button")
    tap(driver, next(k for k in kinds if k.text.strip() == kind_label))
    element(driver, "text").send_keys(text)
    if photo is not None:
        element(driver, "photo").send_keys(str(photo))
        qtbot.waitUntil(lambda: visible(driver, "photo-preview"), timeout=10000)
    tap(driver, element(driver, "send"))
    qtbot.waitUntil(lambda: "Sent" in element(driver, "send-status").text, timeout=15000)
    assert element(driver, "text").get_attribute("value") == ""  # cleared once stored


def test_two_phones_write_send_a_photo_and_vote(qtbot, tmp_path: Path, phones) -> None:
    window, _document, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    ui = window.workshop
    ana, anonymous = phones
    picture = tmp_path / "whiteboard.png"
    image = QImage(800, 600, QImage.Format.Format_RGB32)
    image.fill(QColor("#3a7bd5"))
    assert image.save(str(picture))

    join(qtbot, ana, url, "Ana")
    join(qtbot, anonymous, url, None)
    stages = [s.name for s in journey_map.stages]
    assert [o.text for o in ana.find_elements("css selector", "#stage option")] == stages
    write_note(qtbot, ana, stages[1], "Pain point", "The form asks <b>twice</b> for my e-mail")
    write_note(qtbot, anonymous, stages[0], "Idea", "Show the price on the first page",
               photo=picture)

    # the laptop: both notes in the inbox, accepted onto the map in one step
    inbox = ui.inbox
    qtbot.waitUntil(lambda: len(inbox.all_entries()) == 2, timeout=5000)
    ui.inbox_dock.show()
    qtbot.mouseClick(inbox.accept_all_button, Qt.MouseButton.LeftButton)
    lanes = {lane.id: lane.type for lane in journey_map.lanes}
    cards = {c.text: c for c in journey_map.cards.values()}
    pain = next(c for t, c in cards.items() if "asks <b>twice</b>" in t)
    idea = next(c for t, c in cards.items() if "price on the first page" in t)
    assert lanes[pain.lane_id] is LaneType.PAIN_POINTS
    assert lanes[idea.lane_id] is LaneType.OPPORTUNITIES
    assert journey_map.step_location(pain.step_id)[0].name == stages[1]
    assert journey_map.step_location(idea.step_id)[0].name == stages[0]
    assert idea.picture is not None and idea.picture[:2] == b"\xff\xd8"  # shrunk to JPEG
    assert pain.picture is None

    # a vote on the pain points, two dots each
    pain_lane = next(la for la in journey_map.lanes if la.type is LaneType.PAIN_POINTS)
    window.act_workshop_vote.trigger()
    dialog = ui.vote_dialog
    dialog.set_lane_checked(pain_lane.id)
    dialog.dots.setValue(2)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    vote_round = ui.controller.room.vote_round
    assert pain.id in vote_round.cards
    for driver in phones:
        qtbot.waitUntil(lambda d=driver: visible(d, "vote"), timeout=10000)
        buttons = {b.text.split("\n")[0]: b for b in
                   driver.find_elements("css selector", "#vote-cards button.card")}
        label = next(t for t in buttons if "twice" in t)
        tap(driver, buttons[label])
        buttons = {b.text.split("\n")[0]: b for b in
                   driver.find_elements("css selector", "#vote-cards button.card")}
        tap(driver, buttons[label])
        qtbot.waitUntil(lambda d=driver: "0 of 2 dots left" in element(d, "vote-left").text,
                        timeout=5000)
    qtbot.waitUntil(lambda: vote_round.totals().get(pain.id) == 4, timeout=10000)
    assert not ana.find_elements("css selector", "#vote-results li")  # hidden until Reveal

    qtbot.mouseClick(ui.panel.reveal_button, Qt.MouseButton.LeftButton)
    assert ui.badges.shown()[pain.id] == 4
    for driver in phones:
        qtbot.waitUntil(lambda d=driver: len(d.find_elements(
            "css selector", "#vote-results li")) == len(vote_round.cards), timeout=10000)
        first = driver.find_elements("css selector", "#vote-results li")[0].text
        assert "twice" in first and "4 dots" in first

    # the session ends: its port closes at once, the phones say they cannot reach the
    # laptop (and keep what was typed); the record keeps who said what
    record_id = ui.controller.record.id
    element(ana, "text").send_keys("half a thought")
    window.act_workshop_end.trigger()
    for driver in phones:  # told the session ended (not "cannot reach"), the timer gone
        qtbot.waitUntil(lambda d=driver: visible(d, "ended"), timeout=10000)
        assert not visible(driver, "timer")
    assert element(ana, "text").get_attribute("value") == "half a thought"
    report = workshop_report(window.session, record_id)
    assert sorted(report.participants) == [("Ana", 1), ("Anonymous", 1)]
    assert sorted(n.status for n in report.notes) == ["accepted", "accepted"]
    assert report.rounds[0].results[0][1] == 4
    assert {c.text for c in journey_map.cards.values()} >= {pain.text, idea.text}
