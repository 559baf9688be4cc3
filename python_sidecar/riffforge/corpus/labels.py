"""Style labels and track overrides for a corpus, given by the user (never guessed from file names).

Two sources, usable together:

- a **manifest** (``corpus build --manifest FILE``), CSV or YAML, mapping a path or glob to a style and,
  optionally, to the tracks that play guitar, bass or drums in the matching files::

      path,style,guitar_track,bass_track,drums_track      # CSV: header row, then one row per path/glob
      thrash/*.mid,thrash,,,
      Fade To Black.mid,thrash,Lead Gtr,2,

      "thrash/*.mid": thrash                               # YAML: path/glob -> style ...
      "Fade To Black.mid":                                 # ... or -> a map of style and overrides
        style: thrash
        guitar_track: "Lead Gtr"                           # a track name (case-insensitive) ...
        bass_track: 2                                      # ... or a track number (1 = the first track
                                                           #     with notes, as the corpus report lists them;
                                                           #     in a CSV every all-digit cell is a number)

  Paths are relative to the SRC folder (``thrash/a.mid``), or as the report shows them (``my-riffs/thrash/
  a.mid``), or absolute; ``*`` and ``?`` stay inside one folder, ``**/`` spans folders; matching ignores case.
  A row may leave ``style`` empty (it only sets overrides). Where several rows match a file, the later
  row's fields win. For a TFRecord of NoteSequences a pattern may also name a record's ``filename`` or
  ``id`` (Magenta keeps the source MIDI path there).
- **folders** (``--styles-from folders``): the first folder level under each SRC folder is the style
  (``my-riffs/doom/*.mid`` are doom); files directly in SRC stay unlabelled. A manifest's style wins.

Without either, files carry no style. Every mistake (an unknown style, a glob that matches nothing, an
unknown column, an override naming no track) is a :class:`LabelError` naming the file, the field and the fix.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ..music.riff import STYLES

ROLES = ("guitar", "bass", "drums")
OVERRIDE_FIELDS = tuple(f"{r}_track" for r in ROLES)
MANIFEST_FIELDS = ("path", "style") + OVERRIDE_FIELDS
STYLES_FROM = ("manifest", "folders")


class LabelError(Exception):
    """A manifest or a style folder is wrong; the one-line message names the file, the field and the fix."""


@dataclass(frozen=True)
class TrackRef:
    """A track named by the user: a number (1-based, tracks with notes in file order) or a name."""

    value: Union[int, str]

    def describe(self) -> str:
        return f"track {self.value}" if isinstance(self.value, int) else f"track {self.value!r}"


@dataclass
class ManifestEntry:
    pattern: str
    where: str  # "styles.csv row 3" / "styles.yaml entry 'thrash/*.mid'" (error messages, report)
    style: Optional[str] = None
    overrides: Dict[str, TrackRef] = field(default_factory=dict)  # role -> track
    matched: int = 0


@dataclass
class Label:
    """What one source file is: its style (None: unlabelled) and the track overrides that apply to it."""

    style: Optional[str] = None
    style_from: str = ""  # "manifest row 3" | "folder 'doom'" | ""
    overrides: Dict[str, TrackRef] = field(default_factory=dict)
    override_from: Dict[str, str] = field(default_factory=dict)  # role -> where (manifest row)


def _style(value, where: str, manifest: Path) -> Optional[str]:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.lower() in STYLES:
        return text.lower()
    raise LabelError(f"manifest {manifest}: {where}, field style: {text!r} is not a style; use one of "
                     f"{', '.join(STYLES)} (or leave it empty for no style)")


def _track(value, role: str, where: str, manifest: Path) -> Optional[TrackRef]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise LabelError(f"manifest {manifest}: {where}, field {role}_track: {value!r} is neither a track name nor "
                         "a track number; write the track's name or its number from the corpus report")
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit() and manifest.suffix.lower() == ".csv"):
        number = int(value)
        if number < 1:
            raise LabelError(f"manifest {manifest}: {where}, field {role}_track: {value!r}: track numbers start at 1 "
                             "(the first track with notes); use a number from the corpus report")
        return TrackRef(number)
    return TrackRef(value.strip())


def _entry(manifest: Path, where: str, pattern, fields: Dict) -> ManifestEntry:
    if pattern is None or not str(pattern).strip():
        raise LabelError(f"manifest {manifest}: {where}, field path: empty; write a file path or glob relative to SRC")
    unknown = [k for k in fields if k not in MANIFEST_FIELDS]
    if unknown:
        raise LabelError(f"manifest {manifest}: {where}, field {unknown[0]}: unknown field; use "
                         f"{', '.join(MANIFEST_FIELDS)}")
    entry = ManifestEntry(pattern=str(pattern).strip().replace("\\", "/"), where=where,
                          style=_style(fields.get("style"), where, manifest))
    for role in ROLES:
        ref = _track(fields.get(f"{role}_track"), role, where, manifest)
        if ref is not None:
            entry.overrides[role] = ref
    return entry


def _read_csv(path: Path) -> List[ManifestEntry]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise LabelError(f"manifest {path}: not UTF-8 text; save it as UTF-8 CSV") from None
    except csv.Error as exc:
        raise LabelError(f"manifest {path}: not valid CSV ({exc}); write a header row path,style then one row "
                         "per file or glob") from None
    rows = [r for r in rows if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not rows:
        raise LabelError(f"manifest {path}: empty; write a header row path,style then one row per file or glob")
    header = [c.strip().lower() for c in rows[0]]
    if "path" not in header:
        raise LabelError(f"manifest {path}: row 1, field path: the header has no 'path' column (found "
                         f"{', '.join(header) or 'nothing'}); start the file with the header path,style")
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise LabelError(f"manifest {path}: row {number}: {len(row)} cells but the header has {len(header)}; "
                             "quote a path that contains a comma")
        cells = dict(zip(header, row))
        entries.append(_entry(path, f"row {number}", cells.pop("path", None), cells))
    return entries


def _read_yaml(path: Path) -> List[ManifestEntry]:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is in the train extra
        raise LabelError(f"manifest {path}: YAML manifests need PyYAML (pip install pyyaml); or write a CSV "
                         "manifest") from None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise LabelError(f"manifest {path}: not UTF-8 text; save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}" if mark is not None else "somewhere"
        raise LabelError(f"manifest {path}: not valid YAML at {at} ({getattr(exc, 'problem', None) or exc}); "
                         "write one 'path-or-glob: style' per line") from None
    entries = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"entry {str(key)!r}"
            if isinstance(value, dict):
                entries.append(_entry(path, where, key, value))
            elif value is None or isinstance(value, str):
                entries.append(_entry(path, where, key, {"style": value}))
            else:
                raise LabelError(f"manifest {path}: {where}, field style: {value!r} is not a style; write "
                                 f"'{key}: thrash' or a map with style and *_track fields")
    elif isinstance(data, list):
        for number, item in enumerate(data, start=1):
            where = f"item {number}"
            if not isinstance(item, dict):
                raise LabelError(f"manifest {path}: {where}: not a map; write '- path: GLOB' and 'style: STYLE'")
            item = dict(item)
            entries.append(_entry(path, where, item.pop("path", None), item))
    elif data is None:
        raise LabelError(f"manifest {path}: empty; write one 'path-or-glob: style' per line")
    else:
        raise LabelError(f"manifest {path}: a YAML {type(data).__name__}, not a map of path-or-glob -> style; "
                         "write one 'path-or-glob: style' per line")
    return entries


def load_manifest(path: Union[str, Path]) -> List[ManifestEntry]:
    """Read a CSV (``.csv``) or YAML (``.yaml``/``.yml``) manifest; raises :class:`LabelError`. ``path`` may
    be a URL of a Beam filesystem (:mod:`.storage`)."""
    from .storage import as_path

    path = as_path(path)
    if not path.is_file():
        raise LabelError(f"--manifest {path}: no such file; pass a CSV or YAML file mapping paths to styles")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        entries = _read_csv(path)
    elif suffix in (".yaml", ".yml"):
        entries = _read_yaml(path)
    else:
        raise LabelError(f"--manifest {path}: unknown format {suffix or '(no suffix)'!r}; name it .csv or .yaml")
    if not entries:
        raise LabelError(f"manifest {path}: no entries; add one row per file or glob")
    return entries


def glob_regex(pattern: str) -> "re.Pattern":
    """A case-insensitive regex for a path glob: ``*``/``?`` within a folder, ``**/`` across folders."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1:end]
                body = "^" + body[1:] if body.startswith("!") else body
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z", re.IGNORECASE)


def folder_style(inner: str, src: str) -> Tuple[Optional[str], str]:
    """``(style, where)`` from the first folder of ``inner`` (a path relative to SRC); raises on a folder that
    is not a style; ``(None, "")`` for a file directly in SRC."""
    parts = inner.split("/")
    if len(parts) < 2:
        return None, ""
    name = parts[0]
    if name.lower() in STYLES:
        return name.lower(), f"folder {name!r}"
    raise LabelError(f"SRC {src}: folder {name!r} ({src}/{inner}) is not a style; with --styles-from folders the "
                     f"first folders under SRC are named {', '.join(STYLES)} (or move the file, or label it in a "
                     "--manifest)")


def assign_labels(files: Sequence, manifest: Optional[Path], entries: Optional[List[ManifestEntry]],
                  styles_from_folders: bool) -> None:
    """Set ``f.label`` on every source file (objects with ``match_names``, ``inner`` and ``src``).

    Raises :class:`LabelError` when a manifest row matches no file (its glob or path is wrong).
    """
    compiled = [(e, glob_regex(e.pattern)) for e in entries or []]
    for f in files:
        label = Label()
        if styles_from_folders:
            label.style, label.style_from = folder_style(f.inner, f.src)
        for entry, rx in compiled:
            if not any(rx.match(name) for name in f.match_names):
                continue
            entry.matched += 1
            if entry.style is not None:
                label.style, label.style_from = entry.style, f"manifest {entry.where}"
            for role, ref in entry.overrides.items():
                label.overrides[role] = ref
                label.override_from[role] = f"manifest {entry.where}"
        f.label = label
    for entry, _ in compiled:
        if not entry.matched:
            raise LabelError(f"manifest {manifest}: {entry.where}, field path: {entry.pattern!r} matches no MIDI "
                             "file or NoteSequence under SRC; write the path relative to the SRC folder (as "
                             "'thrash/*.mid') or remove the row")


def style_counts(rows: Iterable[Dict]) -> Dict[str, Dict[str, int]]:
    """``{style or "unlabelled": {"files": n, "windows": n}}`` over a manifest's ``sources`` rows."""
    out: Dict[str, Dict[str, int]] = {}
    for row in rows:
        key = row.get("style") or "unlabelled"
        slot = out.setdefault(key, {"files": 0, "windows": 0})
        slot["files"] += 1
        slot["windows"] += int(row.get("windows") or 0)
    order = {s: i for i, s in enumerate(STYLES + ("unlabelled",))}
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))
