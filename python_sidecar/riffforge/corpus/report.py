"""``report.md``, ``report.json`` and the histograms (matplotlib, train extra only) of a built corpus.

Both reports hold the counts, the windows per style, and the per-file table: which track became the guitar,
the bass and the drums and why (name, program, register, override), and which files were skipped and why.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ..atomic import write_json_atomic

ROLES = ("guitar", "bass", "drums")
CONSOLE_TABLE_FILES = 20  # the console shows the per-file table for builds up to this many files

from ..figures import pyplot, save_figure


def _histograms(out: Path, manifest: Dict, qpms: Sequence[float]) -> List[str]:
    plt = pyplot()

    folder = out / "report"
    folder.mkdir(exist_ok=True)
    names = []
    per_file = [row["windows"] for row in manifest["sources"]]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    axes[0].hist(per_file or [0], bins=min(40, max(5, len(set(per_file)))), color="#8b1e1e")
    axes[0].set_xlabel("windows per file")
    axes[0].set_ylabel("files")
    axes[0].set_title("Windows per source file")
    axes[1].hist(list(qpms) or [0], bins=30, color="#333333")
    axes[1].set_xlabel("tempo (quarter notes per minute)")
    axes[1].set_ylabel("windows")
    axes[1].set_title("Windows per tempo")
    save_figure(fig, folder / "histograms.png", dpi=80)
    names.append("report/histograms.png")
    return names


def _role_cell(role: Optional[Dict]) -> str:
    if not role:
        return "-"
    tracks = role["tracks"]
    names = [n for n in role.get("names", []) if n]
    head = f"track {'+'.join(str(t) for t in tracks)}" + (f" {names[0]!r}" if len(tracks) == 1 and names else "")
    return f"{head}: {role['why']}"


def file_table(manifest: Dict) -> List[Dict]:
    """One row per source file: file, style, split, windows, skipped reason and the role cells."""
    rows = []
    listed = set()
    for row in manifest["sources"]:
        listed.add(row["file"])
        roles = row.get("roles") or {}
        rows.append({"file": row["file"], "style": row.get("style") or "unlabelled", "split": row.get("split"),
                     "windows": row.get("windows", 0), "skipped": row.get("skipped"),
                     **{r: _role_cell(roles.get(r)) for r in ROLES}})
    for row in manifest.get("skipped", []):  # unreadable, too big, identical copies: never parsed
        if row["file"] not in listed:
            rows.append({"file": row["file"], "style": "-", "split": None, "windows": 0, "skipped": row["reason"],
                         **{r: "-" for r in ROLES}})
    return rows


def _md_cell(text) -> str:
    return str(text).replace("|", "\\|")


def table_lines(manifest: Dict, reasons: bool = True) -> List[str]:
    """The per-file table as markdown (also what the console prints for small builds); without ``reasons``
    a skipped file says only "skipped" (report.md lists the reasons once, under "Skipped files")."""
    lines = ["| file | style | guitar | bass | drums | windows |", "| --- | --- | --- | --- | --- | --- |"]
    for r in file_table(manifest):
        result = r["windows"] if not r["skipped"] else (f"skipped: {r['skipped']}" if reasons else "skipped (below)")
        lines.append("| " + " | ".join(_md_cell(x) for x in (f"`{r['file']}`", r["style"], r["guitar"], r["bass"],
                                                             r["drums"], result)) + " |")
    return lines


def style_line(manifest: Dict) -> str:
    """``styles: thrash 3 files / 120 windows, ..., unlabelled 1 file / 8 windows``."""
    parts = [f"{style} {n['files']} file{'s' if n['files'] != 1 else ''} / {n['windows']} windows"
             for style, n in manifest["counts"].get("styles", {}).items()]
    return "styles: " + (", ".join(parts) or "none")


def console_lines(manifest: Dict, out: Path) -> List[str]:
    """What ``riffforge corpus build`` prints after its summary line."""
    lines = [style_line(manifest)]
    if len(manifest["sources"]) + len(manifest.get("skipped", [])) <= CONSOLE_TABLE_FILES:
        lines += table_lines(manifest)
    else:
        lines.append(f"per-file roles (guitar, bass, drums and why): {out / 'report.md'}, {out / 'report.json'}")
    return lines


def write_json_report(out: Path, manifest: Dict, track_lists: Optional[Dict[str, List[Dict]]] = None) -> None:
    """``out/report.json``: the counts, windows per style and the per-file table with every file's tracks."""
    files = []
    by_file = {s["file"]: s for s in manifest["sources"]}
    for row in file_table(manifest):
        src = by_file.get(row["file"], {})
        files.append({"file": row["file"], "split": row["split"], "style": src.get("style"),
                      "style_from": src.get("style_from"), "windows": row["windows"], "skipped": row["skipped"],
                      "roles": src.get("roles") or {}, "tracks": (track_lists or {}).get(row["file"], [])})
    write_json_atomic(out / "report.json", {"kind": manifest["kind"], "counts": manifest["counts"],
                                            "styles": manifest["counts"].get("styles", {}), "files": files,
                                            "skipped": manifest.get("skipped", [])})


def write_report(out: Path, manifest: Dict, qpms: Sequence[float],
                 track_lists: Optional[Dict[str, List[Dict]]] = None) -> None:
    """Write ``out/report.md``, ``out/report.json`` (+ ``out/report/histograms.png``); ``track_lists`` maps a
    file to its tracks (:func:`.windows.describe_tracks`) for ``report.json``."""
    write_json_report(out, manifest, track_lists)
    c = manifest["counts"]
    enc = manifest["encoding"]
    lines = [
        f"# RiffForge corpus report: {manifest['kind']}, {enc['bars']}-bar windows",
        "",
        f"Built by riffforge {manifest['riffforge_version']} in {manifest['build_seconds']:.1f} s from "
        f"{', '.join(manifest['options']['sources'])}.",
        "",
        "## Counts",
        "",
        "| what | count |",
        "| --- | ---: |",
        f"| MIDI files found | {c['files_found']} |",
        f"| files that gave windows | {c['files_with_windows']} |",
        f"| files skipped (listed below) | {c['files_skipped']} |",
        f"| 4/4 sections kept / dropped | {c['sections_kept']} / {c['sections_dropped']} |",
        f"| empty windows dropped | {c['empty_windows_dropped']} |",
        f"| duplicate windows dropped | {c['duplicate_windows_dropped']} |",
    ]
    for split, n in c["windows"].items():
        lines.append(f"| {split} windows | {n} |")
    lines.append(f"| **total windows** | **{c['windows_total']}** |")
    lines += ["", "## Per instrument", "", "| instrument | candidate tracks | windows (before cross-file dedupe) |",
              "| --- | ---: | ---: |"]
    labels = sorted(set(c["candidate_tracks"]) | set(c["windows_per_instrument_before_split_dedupe"]))
    for label in labels:
        lines.append(f"| {label} | {c['candidate_tracks'].get(label, 0)} | "
                     f"{c['windows_per_instrument_before_split_dedupe'].get(label, 0)} |")
    lines += ["", "## Per style", "", "Style labels come from the `--manifest` and `--styles-from folders` only; "
              "files without one are unlabelled.", "", "| style | files | windows |", "| --- | ---: | ---: |"]
    for style, n in c.get("styles", {}).items():
        lines.append(f"| {style} | {n['files']} | {n['windows']} |")
    lines += ["", "## Per file", "", "Which track became the guitar, the bass and the drums, and why (name, program, "
              "register, override); track numbers are the ones a manifest's `*_track` fields take.", ""]
    lines += table_lines(manifest, reasons=False)
    lines += ["", "## Encoding", "",
              f"- kind `{enc['kind']}`, {enc['steps']} steps ({enc['steps_per_quarter']} per quarter), heads "
              f"{', '.join(f'{h} ({d} classes)' for h, d in zip(enc['heads'], enc['output_depths']))}",
              f"- encoder input depth {enc['input_depth']}, drum input `{enc['drums_input']}`, "
              f"chord control depth {enc['control_depth']}", ""]
    try:
        images = _histograms(out, manifest, qpms)
        lines += ["## Histograms", ""] + [f"![histograms]({name})" for name in images] + [""]
    except Exception as exc:  # matplotlib missing or broken: the report still lists everything else
        lines += ["## Histograms", "", f"(not drawn: {type(exc).__name__}: {exc})", ""]
    lines += ["## Skipped files", ""]
    if manifest["skipped"]:
        lines += [f"- `{row['file']}`: {row['reason']}" for row in manifest["skipped"]]
    else:
        lines.append("None.")
    lines.append("")
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
