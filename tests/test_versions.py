"""`cleaner.versions`: the installed versions `importlib.metadata` gives, read without it."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import distributions, version
from pathlib import Path

from cleaner.versions import installed_versions, normalized


def dist_info(folder: Path, directory: str, metadata: str) -> None:
    (folder / directory).mkdir(parents=True)
    (folder / directory / "METADATA").write_text(metadata)


def test_every_installed_distribution_has_the_version_importlib_metadata_gives() -> None:
    names = sorted({dist.metadata["Name"] for dist in distributions() if dist.metadata["Name"]})
    assert len(names) > 20
    assert installed_versions(names) == {name: version(name) for name in names}


def test_names_are_matched_as_importlib_metadata_normalises_them(tmp_path: Path) -> None:
    dist_info(tmp_path, "charset_normalizer-3.4.0.dist-info", "Metadata-Version: 2.1\nName: charset-normalizer\nVersion: 3.4.0\n")
    dist_info(tmp_path, "Zope.Interface-7.1.dist-info", "Name: zope.interface\nversion:  7.1 \n\nVersion: 9\n")
    found = installed_versions(["charset-normalizer", "Charset_Normalizer", "zope-interface", "absent"], [str(tmp_path)])
    assert found == {"charset-normalizer": "3.4.0", "Charset_Normalizer": "3.4.0", "zope-interface": "7.1", "absent": ""}
    assert normalized("Zope..Interface") == normalized("zope-interface") == "zope_interface"


def test_the_first_directory_on_the_path_holding_a_distribution_wins(tmp_path: Path) -> None:
    dist_info(tmp_path / "a", "lxml-6.2.0.dist-info", "Name: lxml\nVersion: 6.2.0\n")
    dist_info(tmp_path / "b", "lxml-5.0.dist-info", "Name: lxml\nVersion: 5.0\n")
    assert installed_versions(["lxml"], [str(tmp_path / "missing"), str(tmp_path / "b"), str(tmp_path / "a")]) == {"lxml": "5.0"}
    assert installed_versions(["lxml"], [str(tmp_path / "a"), str(tmp_path / "b")]) == {"lxml": "6.2.0"}


def test_what_only_importlib_metadata_reads_is_left_to_it(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "ftfy-6.0.egg-info").write_text("Metadata-Version: 1.1\nName: ftfy\nVersion: 6.0\n")
    dist_info(tmp_path / "new", "ftfy-6.3.dist-info", "Name: ftfy\nVersion: 6.3\n")
    dist_info(tmp_path / "new", "rensa-0.4.1.dist-info", "Name: rensa\n")  # no Version header
    path = [str(tmp_path / "old"), str(tmp_path / "new")]
    assert installed_versions(["ftfy", "rensa"], path) == {"ftfy": "6.0", "rensa": ""}
    assert [dist.version for dist in distributions(name="ftfy", path=path)][:1] == ["6.0"]


def test_looking_up_versions_imports_no_importlib_metadata() -> None:
    code = "import sys, cleaner.versions as v; v.installed_versions(['lxml', 'numpy', 'no-such-library']); print('importlib.metadata' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
