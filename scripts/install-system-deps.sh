#!/usr/bin/env bash
# Install the Debian/Ubuntu libraries Qt needs (offscreen and on a desktop) when they are
# missing; with --tests also the PostgreSQL server that the warehouse tests and benchmark start,
# the headless Chromium (with its WebDriver) that the workshop's browser test drives and the
# headless LibreOffice that reads the PowerPoint export back.
# Safe to run again: it installs nothing when everything is there.
set -euo pipefail

packages=(
  # Qt's core GUI libraries, needed even with QT_QPA_PLATFORM=offscreen
  libegl1 libgl1 libxkbcommon0 libfontconfig1 fontconfig libfreetype6 libdbus-1-3 libglib2.0-0
  fonts-dejavu-core
  # the X11 (xcb) platform plugin, for a real window on a Linux desktop
  libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0
)
if [ "${1:-}" = "--tests" ]; then
  # PostgreSQL server + client, for the warehouse tests and benchmark only (make test, make
  # bench): they start their own throw-away server (tests/postgres_server.py) from
  # /usr/lib/postgresql/*/bin and never use the package's default cluster. The metapackage
  # pulls postgresql-15 on Debian 12. Running the app does not need it.
  packages+=(postgresql)
  # Debian's Chromium and its chromedriver, for the workshop session's real-browser test
  # (tests/browser/, Selenium): two phones join, send notes and a photo, vote.
  packages+=(chromium chromium-driver)
  # LibreOffice, headless only, as the independent reader of the PowerPoint (and Excel) exports:
  # the tests convert them to PDF (soffice --headless --convert-to pdf) and read that back.
  # With --no-install-recommends these two pull libreoffice-core and -draw, enough to convert;
  # Liberation Sans stands in for the decks' Arial with the same metrics.
  packages+=(libreoffice-impress libreoffice-calc fonts-liberation2)
fi

if ! command -v dpkg >/dev/null 2>&1; then
  echo "install-system-deps: not Debian-based; install Qt 6's runtime libraries and PostgreSQL yourself" >&2
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# python3 -m venv needs Debian's python3-venv when Python comes from Debian.
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  missing+=(python3-venv)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-system-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
