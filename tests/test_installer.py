"""The installer's inputs, checked without building the bundle (make check-installer builds
and runs it): where the app finds its files, frozen or not, and what build_installer.spec
puts into the bundle."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from journeydesk import resources

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build_installer.spec"


def test_the_source_tree_is_the_data_root() -> None:
    assert resources.data_root() == ROOT
    template = resources.resource_path("templates", "membership-signup.json")
    assert json.loads(template.read_text("utf-8"))["name"] == "Membership sign-up"
    assert resources.ui_path("persona_editor.ui").read_text("utf-8").startswith("<?xml")
    assert "# JourneyDesk user guide" in resources.docs_path("user-guide.md").read_text("utf-8")


def test_the_app_icon_is_a_real_png_and_ico() -> None:
    png = resources.app_icon_path().read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (256, 256)
    ico = resources.resource_path("icons", "journeydesk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for n in range(count):
        width, _h, _c, _r, _p, _b, length, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * n:22 + 16 * n])
        assert ico[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(ico)
        sizes.add(width or 256)
    assert {16, 32, 48, 256} <= sizes


def test_frozen_the_app_reads_its_files_from_the_bundle(tmp_path: Path) -> None:
    """With sys.frozen and sys._MEIPASS set as PyInstaller sets them, every module that reads
    shipped files looks in the bundle, not next to the source (which a bundle does not have)."""
    bundle = tmp_path / "bundle"
    shutil.copytree(ROOT / "resources" / "templates", bundle / "resources" / "templates")
    (bundle / "resources" / "templates" / "blank.json").unlink()  # so the list differs
    code = (
        "import sys\n"
        f"sys.frozen, sys._MEIPASS = True, {str(bundle)!r}\n"
        "from journeydesk.app import demo\n"
        "from journeydesk.gui import help, main_window, persona_editor\n"
        "from journeydesk.resources import app_icon_path\n"
        "for path in (demo.TEMPLATE, main_window.TEMPLATES_DIR, persona_editor.UI_FILE,\n"
        "             help.DOCS, app_icon_path()):\n"
        "    print(path)\n"
        "print(sorted(main_window.builtin_templates()))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    *paths, templates = done.stdout.splitlines()
    assert len(paths) == 5
    assert all(Path(p).is_relative_to(bundle) for p in paths), paths
    assert templates == str(["E-commerce purchase", "Membership sign-up", "SaaS trial to paid"])


def test_no_module_finds_shipped_files_next_to_its_source() -> None:
    """``Path(__file__).parents[N] / "resources"`` breaks in a bundle: use journeydesk.resources"""
    pattern = re.compile(r"parents\[\d\][^\n]*[\"'](resources|ui|docs)[\"']")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "journeydesk").rglob("*.py")
                 if p.name != "resources.py" and pattern.search(p.read_text("utf-8"))]
    assert offenders == []


class _Recorder:
    """Stands in for PyInstaller's build steps and remembers their arguments."""

    def __init__(self) -> None:
        self.calls: dict[str, tuple[tuple, dict]] = {}

    def step(self, name: str):  # noqa: ANN201
        def record(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.calls[name] = (args, kwargs)
            if name == "Analysis":
                return SimpleNamespace(binaries=[], datas=[], pure=[], scripts=[])
            return SimpleNamespace()
        return record


def _run_spec(tmp_path: Path) -> tuple[dict, _Recorder]:
    recorder = _Recorder()
    namespace = {name: recorder.step(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT")}
    namespace.update(SPECPATH=str(ROOT), DISTPATH=str(tmp_path / "dist"), __file__=str(SPEC))
    exec(compile(SPEC.read_text("utf-8"), str(SPEC), "exec"), namespace)  # noqa: S102
    return namespace, recorder


def test_the_spec_builds_one_folder_with_the_apps_files(tmp_path: Path) -> None:
    namespace, recorder = _run_spec(tmp_path)
    (scripts,), analysis = recorder.calls["Analysis"]
    launcher = Path(scripts[0]).read_text("utf-8")
    assert "from journeydesk.__main__ import main" in launcher and "sys.exit(main())" in launcher
    datas = {(Path(src), dest) for src, dest in analysis["datas"]}
    assert (ROOT / "resources", "resources") in datas
    assert (ROOT / "ui", "ui") in datas
    assert (ROOT / "docs" / "user-guide.md", "docs") in datas
    # Help > About reads the versions from the distributions' metadata.
    assert {"pyside6_essentials", "sqlalchemy", "duckdb", "openpyxl", "pyqtgraph"} <= {
        dest.split("-")[0].lower() for _src, dest in datas if dest.endswith(".dist-info")}
    # journeydesk.cli imports journeydesk.gui.<module> by name: PyInstaller cannot see it.
    assert "journeydesk.gui.map_picture" in analysis["hiddenimports"]
    # Nothing the app imports is excluded (pyqtgraph needs QtOpenGL and QtOpenGLWidgets).
    used = set(re.findall(r"PySide6\.Qt\w+", "\n".join(
        p.read_text("utf-8") for p in (ROOT / "journeydesk").rglob("*.py"))))
    assert used, "no Qt module found in the sources"
    assert not used & set(analysis["excludes"])
    assert not {"PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"} & set(analysis["excludes"])

    _args, exe = recorder.calls["EXE"]
    assert exe["exclude_binaries"] is True  # one folder: COLLECT lays the libraries out
    assert exe["name"] == "journeydesk" and Path(exe["icon"]).suffix == ".ico"
    assert Path(exe["icon"]).is_file()
    _args, collect = recorder.calls["COLLECT"]
    assert collect["name"] == "journeydesk"
    assert namespace["VERSION"] == __import__("journeydesk").__version__


def test_the_spec_trims_only_qt_files_the_app_does_not_use(tmp_path: Path) -> None:
    namespace, _recorder = _run_spec(tmp_path)
    keep = namespace["keep"]

    def kept(dest: str) -> bool:
        return keep((dest, "/src/" + dest, "BINARY"))

    for needed in ("PySide6/Qt/plugins/platforms/libqxcb.so",
                   "PySide6/Qt/plugins/platforms/libqwayland.so",
                   "PySide6/Qt/plugins/platforms/libqoffscreen.so",
                   "PySide6/Qt/plugins/imageformats/libqjpeg.so",
                   "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
                   "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6OpenGL.so.6",
                   "libQt6Widgets.so.6", "libicudata.so.73"):
        assert kept(needed), needed
    for unused in ("PySide6/Qt/translations/qtbase_de.qm",
                   "PySide6/Qt/plugins/platforms/libqvnc.so",
                   "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
                   "PySide6/Qt/plugins/tls/libqopensslbackend.so",
                   "PySide6/Qt/lib/libQt6Network.so.6", "libQt6Network.so.6"):
        assert not kept(unused), unused


def test_the_bundle_ships_the_licence_notices(tmp_path: Path) -> None:
    namespace, _recorder = _run_spec(tmp_path)
    folder = tmp_path / "journeydesk"
    (folder / "_internal").mkdir(parents=True)
    namespace["finish_bundle"](folder, [])
    notices = (folder / "THIRD-PARTY-NOTICES.md").read_text("utf-8")
    for package in ("PySide6", "SQLAlchemy", "duckdb", "openpyxl", "pyqtgraph", "numpy"):
        assert package in notices, package
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (folder / "licenses" / "LGPL-3.0.txt").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in (folder / "licenses" / "GPL-3.0.txt").read_text()


def test_the_spec_keeps_what_the_powerpoint_export_needs(tmp_path: Path) -> None:
    _namespace, recorder = _run_spec(tmp_path)
    (_scripts,), analysis = recorder.calls["Analysis"]
    datas = {(Path(src).name, dest) for src, dest in analysis["datas"]}
    # python-pptx starts every deck from its own template files
    assert {("default.pptx", "pptx/templates"), ("notesMaster.xml", "pptx/templates"),
            ("theme.xml", "pptx/templates")} <= datas
    # python-pptx imports PIL and lxml as it loads, and XlsxWriter for a chart's data
    assert not {"PIL", "lxml", "xlsxwriter", "pptx"} & set(analysis["excludes"])
    assert {"python_pptx", "lxml", "pillow", "xlsxwriter"} <= {
        dest.split("-")[0].lower() for _src, dest in analysis["datas"]
        if dest.endswith(".dist-info")}
