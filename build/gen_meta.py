#!/usr/bin/env python3
"""Generate or check the Unity ``.meta`` files of ``unity_package/``.

Unity refuses assets without a ``.meta`` in an immutable (UPM) package, and a GUID that changes breaks
every reference to the asset. So every file and folder Unity imports gets a ``.meta`` whose GUID is derived
from the asset's path inside the package (MD5 of ``com.riffforge.unity:<path>``): running this script twice,
or on another machine, gives the same GUIDs. Existing ``.meta`` files are never rewritten, except a ``.wav.meta``
without AudioImporter settings, which gets them (its GUID kept).

Unity does not import hidden names (``.x``), names ending in ``~`` (``Sidecar~``, ``Samples~``,
``Documentation~``), ``cvs`` and ``*.tmp``; those get no ``.meta``.

    python build/gen_meta.py            # write missing .meta files
    python build/gen_meta.py --check    # exit 1 listing missing, orphaned, malformed or duplicate metas
"""
from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path
from typing import Dict, List

PACKAGE_NAME = "com.riffforge.unity"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / "unity_package"
GUID_RE = re.compile(r"^guid: ([0-9a-f]{32})$", re.MULTILINE)

_FOLDER = """folderAsset: yes
DefaultImporter:
  externalObjects: {}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
"""
_MONO = """MonoImporter:
  externalObjects: {}
  serializedVersion: 2
  defaultReferences: []
  executionOrder: 0
  icon: {instanceID: 0}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
"""
_TEXT = """TextScriptImporter:
  externalObjects: {}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
"""
_ASMDEF = """AssemblyDefinitionImporter:
  externalObjects: {}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
"""
_MANIFEST = """PackageManifestImporter:
  externalObjects: {}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
"""
_DEFAULT = """DefaultImporter:
  externalObjects: {}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
"""
# Media: only the GUID, so Unity picks its importer for the extension with default settings.
_MEDIA = {".png", ".jpg", ".jpeg", ".tga", ".psd", ".ogg", ".mp3", ".aif", ".aiff", ".flac", ".mid", ".fbx"}
# The sampler's one-shots: explicit AudioImporter settings so drum onsets are tight whatever the project's
# defaults (Unity's "Audio Clip" import settings, https://docs.unity3d.com/Manual/class-AudioClip.html, and
# https://docs.unity3d.com/ScriptReference/AudioImporterSampleSettings.html): Load Type Decompress On Load
# (loadType 0: no decoding while playing), Compression Format PCM (compressionFormat 0: no codec latency or
# artefacts on short hits), Preload Audio Data on (the clip is ready before its first note), not loaded in the
# background, sample rate preserved (sampleRateSetting 0), stereo kept (forceToMono 0). serializedVersion 6 is
# the Unity 2021.3 layout (preloadAudioData beside defaultSettings); newer Editors read and upgrade it.
_AUDIO_EXT = {".wav"}
AUDIO_SETTINGS = {"loadType": "0", "compressionFormat": "0", "preloadAudioData": "1", "loadInBackground": "0"}
_AUDIO = """AudioImporter:
  externalObjects: {}
  serializedVersion: 6
  defaultSettings:
    loadType: 0
    sampleRateSetting: 0
    sampleRateOverride: 44100
    compressionFormat: 0
    quality: 1
    conversionMode: 0
  platformSettingOverrides: {}
  forceToMono: 0
  normalize: 0
  preloadAudioData: 1
  loadInBackground: 0
  ambisonic: 0
  3D: 0
  userData: 
  assetBundleName: 
  assetBundleVariant: 
"""
_TEXT_EXT = {".md", ".txt", ".json", ".xml", ".csv", ".bytes", ".yaml", ".yml", ".html", ".htm"}


def is_ignored(name: str) -> bool:
    """True for names Unity does not import (and which therefore need no .meta)."""
    return name.startswith(".") or name.endswith("~") or name.lower() == "cvs" or name.endswith(".tmp")


def guid_for(rel: str) -> str:
    """The stable GUID of the asset at ``rel`` (POSIX path relative to the package root)."""
    return hashlib.md5(f"{PACKAGE_NAME}:{rel}".encode("utf-8")).hexdigest()


def meta_text(path: Path, rel: str) -> str:
    head = f"fileFormatVersion: 2\nguid: {guid_for(rel)}\n"
    if path.is_dir():
        return head + _FOLDER
    suffix = path.suffix.lower()
    if path.name == "package.json" and path.parent == PACKAGE_DIR:
        return head + _MANIFEST
    if suffix == ".cs":
        return head + _MONO
    if suffix in (".asmdef", ".asmref"):
        return head + _ASMDEF
    if suffix in _TEXT_EXT:
        return head + _TEXT
    if suffix in _AUDIO_EXT:
        return head + _AUDIO
    if suffix in _MEDIA:
        return head
    return head + _DEFAULT


def assets(root: Path = PACKAGE_DIR) -> List[Path]:
    """Every file and folder Unity imports under ``root`` (not the root itself, not .meta files)."""
    found: List[Path] = []

    def walk(folder: Path) -> None:
        for child in sorted(folder.iterdir()):
            if is_ignored(child.name) or child.suffix == ".meta":
                continue
            found.append(child)
            if child.is_dir():
                walk(child)

    walk(root)
    return found


def problems(root: Path = PACKAGE_DIR) -> List[str]:
    """What is wrong with the .meta files under ``root``; empty when all is well."""
    issues: List[str] = []
    seen: Dict[str, str] = {}
    wanted = set()
    for asset in assets(root):
        rel = asset.relative_to(root).as_posix()
        meta = asset.with_name(asset.name + ".meta")
        wanted.add(meta)
        if not meta.is_file():
            issues.append(f"missing {meta.relative_to(root.parent)}: run `python build/gen_meta.py`")
            continue
        text = meta.read_text(encoding="utf-8")
        match = GUID_RE.search(text)
        if not text.startswith("fileFormatVersion: 2\n") or not match:
            issues.append(f"malformed {meta.relative_to(root.parent)}: needs 'fileFormatVersion: 2' and a 32-hex 'guid:' line")
            continue
        guid = match.group(1)
        if guid in seen:
            issues.append(f"duplicate guid {guid} in {rel}.meta and {seen[guid]}.meta: delete one and rerun gen_meta.py")
        seen[guid] = rel
        if asset.suffix.lower() in _AUDIO_EXT:
            for key, value in AUDIO_SETTINGS.items():
                if not re.search(rf"^ +{key}: {value}$", text, re.MULTILINE):
                    issues.append(f"{rel}.meta: AudioImporter needs '{key}: {value}' (run `python build/gen_meta.py` to rewrite it)")
        if asset.is_dir() and "folderAsset: yes" not in text:
            issues.append(f"{rel}.meta: a folder's meta needs 'folderAsset: yes'")
    for meta in root.rglob("*.meta"):
        if any(is_ignored(part) for part in meta.relative_to(root).parts[:-1]):
            continue
        if meta not in wanted:
            issues.append(f"orphaned {meta.relative_to(root.parent)}: its asset is gone; delete it")
    return issues


def generate(root: Path = PACKAGE_DIR) -> List[Path]:
    """Writes every missing .meta; returns the paths written."""
    written = []
    for asset in assets(root):
        meta = asset.with_name(asset.name + ".meta")
        if meta.exists() and asset.suffix.lower() in _AUDIO_EXT and "AudioImporter:" not in meta.read_text(encoding="utf-8"):
            # A GUID-only audio meta from before the explicit import settings: rewrite it, keeping its GUID.
            match = GUID_RE.search(meta.read_text(encoding="utf-8"))
            if match:
                meta.write_text(f"fileFormatVersion: 2\nguid: {match.group(1)}\n" + _AUDIO, encoding="utf-8", newline="\n")
                written.append(meta)
            continue
        if not meta.exists():
            meta.write_text(meta_text(asset, asset.relative_to(root).as_posix()), encoding="utf-8", newline="\n")
            written.append(meta)
    return written


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 on any problem")
    args = parser.parse_args(argv)
    if not args.check:
        for path in generate():
            print(f"wrote {path.relative_to(PACKAGE_DIR.parent)}")
    issues = problems()
    for issue in issues:
        print(issue, file=sys.stderr)
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
