"""Run the built bundle (make installer) headless and check what it produces.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/check_bundle.py dist/journeydesk

Runs the bundle's own executable, never the source tree, in an empty temporary folder:
``--version`` (must equal journeydesk.__version__ of the source), ``import-map`` of the
membership sign-up template shipped inside the bundle into a new workspace, ``export`` of that
map to .xlsx, .pptx and .pdf, ``demo`` (which reads the bundled template itself) and a
``--screenshot`` of the window.  The outputs are opened and read (openpyxl, python-pptx, pypdf),
not just counted.  Prints the bundle's size.  Exits non-zero on the first failed check.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = "membership-signup.json"


class CheckFailed(Exception):
    """A check of the bundle failed."""


PASSED = [0]


def check(condition: bool, message: str) -> None:
    """Fail with ``message`` unless ``condition``; count the checks that passed."""
    if not condition:
        raise CheckFailed(message)
    PASSED[0] += 1


def executable(bundle: Path) -> Path:
    """The bundle's executable: journeydesk, or journeydesk.exe on Windows."""
    for name in ("journeydesk", "journeydesk.exe"):
        if (bundle / name).is_file():
            return bundle / name
    raise CheckFailed(f"{bundle}: has no journeydesk executable (run make installer)")


def run(exe: Path, *args: str, cwd: Path, env: dict[str, str]) -> str:
    """Run the bundled executable; its stdout, or a failure with its stderr."""
    started = time.perf_counter()
    done = subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    seconds = time.perf_counter() - started
    print(f"  $ journeydesk {shlex.join(args)}  ->  exit {done.returncode} in {seconds:.1f} s")
    check(done.returncode == 0, f"journeydesk {shlex.join(args)} exited {done.returncode}:\n"
          f"{done.stdout}{done.stderr}")
    return done.stdout


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and number of files under ``folder`` (symbolic links not followed)."""
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            count += 1
    return total, count


# Modules the source environment loads that the bundle need not have: pyqtgraph's optional
# QtTest (excluded in build_installer.spec), shiboken's signature support (inside its binary
# in the bundle) and the interpreter's start-up in a virtual environment with an editable install.
NOT_BUNDLED = ("PySide6.QtTest", "PySide6.support", "shibokensupport", "signature_bootstrap",
               "site", "_sitebuiltins", "_distutils_hack", "__editable__", "_frozen_importlib")
LOADED = """
import importlib, pkgutil, sys
import journeydesk
for info in pkgutil.walk_packages(journeydesk.__path__, "journeydesk."):
    importlib.import_module(info.name)
import pyqtgraph  # loaded lazily by the analytics dock, so the walk above does not reach it
for name, module in sorted(sys.modules.items()):
    spec = getattr(module, "__spec__", None)
    if getattr(module, "__file__", None) and spec is not None and spec.name == name:
        print(name)
"""


def bundled_modules(bundle: Path, exe: Path) -> set[str]:
    """Names of the Python modules in the bundle: its archive, base_library.zip, extensions."""
    import zipfile

    from PyInstaller.archive.readers import pkg_archive_contents

    names = set(pkg_archive_contents(str(exe)))
    internal = bundle / "_internal"
    with zipfile.ZipFile(internal / "base_library.zip") as base:
        for entry in base.namelist():
            if entry.endswith(".pyc"):
                parts = entry[:-4].split("/")
                names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    for path in internal.rglob("*"):
        if path.is_file() and (".cpython-" in path.name or ".abi3." in path.name
                               or path.suffix == ".pyd"):
            package = [] if "lib-dynload" in path.parts else list(
                path.relative_to(internal).parts[:-1])
            names.add(".".join([*package, path.name.split(".")[0]]))
    return names


def check_modules(bundle: Path, exe: Path) -> None:
    """Every module that importing all of journeydesk (and pyqtgraph) loads in the source
    environment is in the bundle: nothing the GUI imports lazily was trimmed away."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", LOADED], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300, check=False)
    check(done.returncode == 0, f"importing journeydesk failed:\n{done.stderr}")
    loaded = done.stdout.split()
    inside = bundled_modules(bundle, exe)
    missing = [m for m in loaded if m not in inside
               and not any(m == n or m.startswith((n + ".", n + "_")) for n in NOT_BUNDLED)]
    check(not missing, f"modules missing from the bundle: {', '.join(missing)}")
    print(f"  modules: all {len(loaded)} modules the source loads are in the bundle "
          f"({len(inside):,} there)")


def check_xlsx(path: Path, template: dict) -> None:
    """The workbook opens and holds the map: its name, its stages, one row per card."""
    from openpyxl import load_workbook

    check(path.stat().st_size > 0, f"{path}: empty")
    workbook = load_workbook(path, read_only=True)
    sheets = workbook.sheetnames
    try:
        check("Journey" in sheets and "Cards" in sheets, f"{path}: sheets are {sheets}")
        journey = [str(v) for row in workbook["Journey"].iter_rows(values_only=True)
                   for v in row if v is not None]
        for name in [template["name"]] + [s["name"] for s in template["stages"]]:
            check(name in journey, f"{path}: the Journey sheet lacks {name!r}")
        cards = [row for row in workbook["Cards"].iter_rows(min_row=2, values_only=True)
                 if any(v is not None for v in row)]
        check(len(cards) == len(template["cards"]),
              f"{path}: {len(cards)} card rows, the template has {len(template['cards'])}")
    finally:
        workbook.close()
    print(f"  {path.name}: {path.stat().st_size:,} bytes; sheets {', '.join(sheets)};"
          f" {len(cards)} cards")


def check_pptx(path: Path, template: dict) -> None:
    """The deck opens (python-pptx's own templates were bundled) and its slides hold the
    map's name, its stages and the text of every card."""
    from pptx import Presentation

    check(path.stat().st_size > 0, f"{path}: empty")
    deck = Presentation(str(path))
    texts = " ".join(" ".join(shape.text_frame.text.split()) for slide in deck.slides
                     for shape in slide.shapes if shape.has_text_frame)
    for name in [template["name"]] + [s["name"] for s in template["stages"]]:
        check(name in texts, f"{path}: the slides lack {name!r}")
    missing = [c["text"] for c in template["cards"]
               if " ".join(c["text"].split())[:20] not in texts]
    check(not missing, f"{path}: cards missing from the slides: {missing[:3]}")
    print(f"  {path.name}: {path.stat().st_size:,} bytes; {len(deck.slides)} slide(s); map, "
          "stage and card texts found")


def check_pdf(path: Path, template: dict) -> None:
    """A real PDF whose text holds the map's name and its stage names."""
    from pypdf import PdfReader

    data = path.read_bytes()
    check(data.startswith(b"%PDF"), f"{path}: does not start with %PDF")
    reader = PdfReader(path)
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    for name in [template["name"]] + [s["name"] for s in template["stages"]]:
        check(name in text, f"{path}: the text lacks {name!r}")
    print(f"  {path.name}: {len(data):,} bytes; {len(reader.pages)} page(s); map and stage "
          "names found in its text")


def check_png(path: Path) -> None:
    """A PNG of a real window size."""
    data = path.read_bytes()
    check(data.startswith(b"\x89PNG\r\n\x1a\n"), f"{path}: not a PNG")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    check(width >= 800 and height >= 600 and len(data) > 50_000,
          f"{path}: {width} x {height}, {len(data)} bytes: not a drawn window")
    print(f"  {path.name}: {width} x {height}, {len(data):,} bytes")


def check_database_driver(exe: Path, workspace: Path, work: Path, env: dict[str, str]) -> None:
    """The PostgreSQL driver is bundled: adding a source on a closed port must fail because
    nobody answers, not because the dialect or psycopg is missing."""
    args = ["add-source", str(workspace), "--name", "db", "--table", "events",
            "--url", "postgresql+psycopg://someone@127.0.0.1:1/db"]
    done = subprocess.run([str(exe), *args], cwd=work, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    print(f"  $ journeydesk {shlex.join(args)}  ->  exit {done.returncode}")
    check(done.returncode == 1 and "cannot reach the server" in done.stderr,
          f"add-source did not reach the PostgreSQL driver: {done.stderr.strip()}")


def main(argv: list[str]) -> int:
    bundle = Path(argv[1] if len(argv) > 1 else ROOT / "dist" / "journeydesk").resolve()
    sys.path.insert(0, str(ROOT))
    from journeydesk import __version__

    try:
        exe = executable(bundle)
        shipped = sorted(bundle.rglob(f"resources/templates/{TEMPLATE}"))
        check(bool(shipped), f"{bundle}: the templates are not in the bundle")
        template = json.loads(shipped[0].read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory(prefix="journeydesk-bundle-") as tmp:
            work = Path(tmp)
            # Nothing from the source tree or the user's settings: an empty folder and home.
            env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
            env.update(QT_QPA_PLATFORM="offscreen", HOME=str(work), XDG_CONFIG_HOME=str(work),
                       XDG_DATA_HOME=str(work), JOURNEYDESK_DATA_DIR=str(work / "data"))
            print(f"checking {exe}")
            check_modules(bundle, exe)
            version = run(exe, "--version", cwd=work, env=env).strip()
            check(version == f"JourneyDesk {__version__}",
                  f"--version says {version!r}, the source is {__version__}")
            print(f"  version: {version}")
            workspace = work / "check.jdesk"
            name = run(exe, "import-map", str(workspace), str(shipped[0]), cwd=work,
                       env=env).strip()
            check(name == template["name"], f"import-map printed {name!r}")
            listed = run(exe, "maps", str(workspace), cwd=work, env=env)
            check(listed.startswith(f"{template['name']}\t{len(template['stages'])} stages"),
                  f"maps printed {listed!r}")
            for suffix, checker in ((".xlsx", check_xlsx), (".pptx", check_pptx),
                                    (".pdf", check_pdf)):
                out = work / f"map{suffix}"
                run(exe, "export", str(workspace), "--map", name, "-o", str(out), cwd=work,
                    env=env)
                checker(out, template)
            demo = work / "demo.jdesk"
            run(exe, "demo", str(demo), cwd=work, env=env)
            check(template["name"] in run(exe, "maps", str(demo), cwd=work, env=env),
                  "the demo workspace lacks the membership map")
            shot = work / "window.png"
            run(exe, str(demo), "--screenshot", str(shot), cwd=work, env=env)
            check_png(shot)
            check_database_driver(exe, demo, work, env)
    except CheckFailed as exc:
        print(f"check_bundle: FAILED: {exc}", file=sys.stderr)
        print(f"check_bundle: {PASSED[0]} passed, 1 failed")
        return 1
    size, files = folder_size(bundle)
    print(f"bundle {bundle}: {size / 2**20:.0f} MiB in {files:,} files")
    print(f"check_bundle: {PASSED[0]} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
