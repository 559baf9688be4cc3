"""``report.md`` and its histograms (matplotlib, train extra only) for a built corpus."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence

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


def write_report(out: Path, manifest: Dict, qpms: Sequence[float]) -> None:
    """Write ``out/report.md`` (+ ``out/report/histograms.png``)."""
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
