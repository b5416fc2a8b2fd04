"""The phone's page on a slow network and at the end of a session, in a real browser (Debian's
Chromium, headless, through chromedriver) against the workshop server on 127.0.0.1 (no window:
a thread stands in for the laptop that stores the notes, and can be made slow).

* a note typed while the one before is on its way stays in the box;
* Send waits for the stages;
* notes are counted and cut in characters (an emoji is one), as the laptop counts them;
* when the session ends the page shows "The session has ended" and its timer stops.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from journeydesk.app.workshop.room import Room, StageChoice
from journeydesk.app.workshop.server import Limits, WorkshopServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
STAGES = [StageChoice("s1", "Discover"), StageChoice("s2", "Sign up")]

pytestmark = pytest.mark.slow


class Laptop:
    """Stands in for the app: stores every note (confirms it) unless ``storing`` is clear."""

    def __init__(self, room: Room):
        self.room = room
        self.notes: list[str] = []
        self.storing = threading.Event()
        self.storing.set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            if self.storing.is_set():
                arrived = self.room.take_arrivals().notes
                self.notes += [n.text for n in arrived]
                self.room.confirm_stored(n.id for n in arrived)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


class SlowState:
    """ASGI wrapper: holds the page's state polls until ``passing`` is set (a slow network)."""

    def __init__(self, app: Any):
        self.app = app
        self.passing = threading.Event()
        self.passing.set()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/state"):
            while not self.passing.is_set():
                await asyncio.sleep(0.05)
        await self.app(scope, receive, send)


@pytest.fixture
def session() -> Iterator[tuple[WorkshopServer, SlowState, Laptop, str]]:
    room = Room("Sign-up", STAGES)
    server = WorkshopServer(room, limits=Limits(note_wait=30.0))
    gate = SlowState(server.app)
    server.app = gate
    url = server.start("127.0.0.1", 0)
    laptop = Laptop(room)
    try:
        yield server, gate, laptop, url
    finally:
        gate.passing.set()
        laptop.stop()
        server.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER), (
        "Chromium and chromedriver are needed (make test installs Debian's packages)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=360,740", "--no-first-run",
                     f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_until(condition: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def el(driver: Any, element_id: str) -> Any:
    return driver.find_element("id", element_id)


def value(driver: Any) -> str:
    return el(driver, "text").get_attribute("value")


def status(driver: Any) -> str:
    return el(driver, "send-status").text


def join(driver: Any, url: str, *, stages: bool = True) -> None:
    driver.get(url)
    wait_until(lambda: el(driver, "join").is_displayed())
    el(driver, "join-anonymous").click()
    wait_until(lambda: el(driver, "write").is_displayed())
    if stages:
        wait_until(lambda: driver.find_elements("css selector", "#stage option"))


def type_text(driver: Any, text: str) -> None:
    """Type as a keyboard or an input method does (emoji included, which Selenium's
    send_keys cannot type) at the end of the box: the browser applies the box's limits."""
    driver.execute_script("const box = document.getElementById('text'); box.focus();"
                          "box.setSelectionRange(box.value.length, box.value.length);")
    driver.execute_cdp_cmd("Input.insertText", {"text": text})


def test_a_note_typed_while_the_one_before_is_sending_is_kept(session, browser) -> None:
    _server, _gate, laptop, url = session
    join(browser, url)
    laptop.storing.clear()  # a slow laptop: the first note's answer takes a while
    el(browser, "text").send_keys("The first note")
    el(browser, "send").click()
    wait_until(lambda: status(browser) == "Sending…")
    box = el(browser, "text")
    box.clear()
    box.send_keys("The second, typed meanwhile")
    laptop.storing.set()
    wait_until(lambda: status(browser).startswith("Sent"))
    assert laptop.notes == ["The first note"]
    assert value(browser) == "The second, typed meanwhile"  # not wiped
    assert el(browser, "counter").text == "27 / 500"

    # the second goes too; then the box is cleared (it still held what was sent)
    el(browser, "send").click()
    wait_until(lambda: laptop.notes == ["The first note", "The second, typed meanwhile"])
    wait_until(lambda: status(browser) == "Sent. Thank you!")
    assert value(browser) == ""


def test_a_note_that_fails_keeps_the_text(session, browser) -> None:
    server, _gate, laptop, url = session
    join(browser, url)
    laptop.storing.clear()
    el(browser, "text").send_keys("Kept when the session ends")
    el(browser, "send").click()
    wait_until(lambda: status(browser) == "Sending…")
    server.end()  # the waiting note is not saved: 410
    wait_until(lambda: el(browser, "ended").is_displayed())
    assert value(browser) == "Kept when the session ends"


def test_send_waits_for_the_stages(session, browser) -> None:
    _server, gate, laptop, url = session
    gate.passing.clear()  # the first poll of the state is slow
    join(browser, url, stages=False)
    el(browser, "text").send_keys("Too early")
    send = el(browser, "send")
    assert not send.is_enabled()
    send.click()  # nothing happens (no "Choose a stage.")
    assert status(browser) == ""
    gate.passing.set()
    wait_until(lambda: browser.find_elements("css selector", "#stage option"))
    wait_until(send.is_enabled)
    send.click()
    wait_until(lambda: status(browser) == "Sent. Thank you!")
    assert laptop.notes == ["Too early"]


def test_a_note_is_counted_and_cut_in_characters_like_the_laptop(session, browser) -> None:
    _server, _gate, laptop, url = session
    join(browser, url)
    type_text(browser, "😀" * 300)  # 300 characters, 600 UTF-16 units
    assert len(value(browser)) == 300
    assert el(browser, "counter").text == "300 / 500"
    type_text(browser, "🎉" * 250)  # 550 characters: cut where typed, at 500
    assert value(browser) == "😀" * 300 + "🎉" * 200
    assert el(browser, "counter").text == "500 / 500"
    el(browser, "send").click()
    wait_until(lambda: status(browser) == "Sent. Thank you!")
    assert laptop.notes == ["😀" * 300 + "🎉" * 200]  # the laptop took all 500

    type_text(browser, "a" * 600)  # paste too long in one go
    assert value(browser) == "a" * 500
    assert el(browser, "counter").text == "500 / 500"


def test_the_page_shows_the_end_and_its_timer_stops(session, browser) -> None:
    server, _gate, _laptop, url = session
    server.room.timer.set(300)
    server.room.timer.start()
    join(browser, url)
    el(browser, "text").send_keys("half a thought")
    wait_until(lambda: el(browser, "timer").is_displayed()
               and el(browser, "timer").text.startswith("4:"))
    server.end()  # as End session does: the port stays open to tell the phones
    wait_until(lambda: el(browser, "ended").is_displayed())
    assert "The session has ended" in el(browser, "ended").text
    assert not el(browser, "write").is_displayed() and not el(browser, "notice").is_displayed()
    assert not el(browser, "timer").is_displayed()
    shown = browser.execute_script("return document.getElementById('timer').textContent")
    time.sleep(1.5)  # the countdown does not go on behind the panel
    assert browser.execute_script(
        "return document.getElementById('timer').textContent") == shown
    assert value(browser) == "half a thought"  # what was typed is not thrown away

    browser.refresh()  # a reload during the grace period shows the end too
    wait_until(lambda: el(browser, "ended").is_displayed())
