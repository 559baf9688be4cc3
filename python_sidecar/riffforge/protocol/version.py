"""The protocol version rule (SPEC.md section 4).

Majors must match; while the major is 0 the minors must match too; above 0 a minor difference is
compatible with a warning. A mismatch message names both versions and which side to upgrade.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

HOST = "host (RiffForge Unity package)"
SIDECAR = "sidecar (riffforge sidecar)"
_UPGRADE = {"host": "RiffForge Unity package", "sidecar": "riffforge sidecar"}
_VERSION = re.compile(r"^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$")


@dataclass(frozen=True)
class VersionCheck:
    """``outcome`` is ``compatible``, ``warning``, ``mismatch`` or ``invalid``; ``message`` says why."""

    outcome: str
    message: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("compatible", "warning")


def parse_version(text: str) -> Tuple[int, int]:
    match = _VERSION.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"protocol version {text!r}: expected MAJOR.MINOR, e.g. 1.0")
    return int(match.group(1)), int(match.group(2))


def check_versions(host: str, sidecar: str) -> VersionCheck:
    """Apply the rule to the host's and the sidecar's protocol versions (both ``MAJOR.MINOR``)."""
    for side, text in (("host", host), ("sidecar", sidecar)):
        try:
            parse_version(text)
        except ValueError:
            shown = repr(text) if len(str(text)) <= 24 else repr(str(text)[:24]) + "..."
            return VersionCheck("invalid", f"protocol version {shown} from the {side}: expected MAJOR.MINOR, "
                                           f"e.g. 1.0")
    h, s = parse_version(host), parse_version(sidecar)
    if h == s:
        return VersionCheck("compatible")
    if h[0] == s[0] and h[0] > 0:
        return VersionCheck("warning", f"protocol minor version differs: {HOST} speaks {host}, {SIDECAR} speaks "
                                       f"{sidecar}; compatible, but upgrade the older side to get the newer "
                                       f"features")
    newer, older_side = (h, "sidecar") if h > s else (s, "host")
    target = f"{newer[0]}.x" if newer[0] > 0 else f"{newer[0]}.{newer[1]}"
    return VersionCheck("mismatch", f"protocol version mismatch: {HOST} speaks {host}, {SIDECAR} speaks {sidecar}; "
                                    f"upgrade the {_UPGRADE[older_side]} to a release that speaks protocol {target}")
