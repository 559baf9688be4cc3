"""Where a frozen sidecar lives inside the Unity package, named exactly as the C# supervisor looks for it.

``unity_package/Runtime/Core/Sidecar/SidecarLocator.cs`` resolves
``<package>/Sidecar~/<platform>/riffforge-sidecar[.exe]`` with ``<platform>`` from
``BinaryArchitecture.CurrentPlatform()``: ``linux-x64``, ``linux-arm64``, ``osx-arm64``, ``osx-x64``,
``win-x64``, ``win-arm64``. ``Sidecar~`` ends in ``~`` so Unity does not import the binaries as assets.
Keep this module and the C# locator in step.
"""
from __future__ import annotations

import platform as _platform
import sys
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[1]
PACKAGE_DIR = REPO / "unity_package"
SIDECAR_FOLDER = "Sidecar~"
EXECUTABLE_BASE_NAME = "riffforge-sidecar"
MANIFEST_NAME = "manifest.json"

OS_NAMES = ("linux", "osx", "win")
ARCH_NAMES = ("x64", "arm64")
PLATFORMS = tuple(f"{os_name}-{arch}" for os_name in OS_NAMES for arch in ARCH_NAMES)

_MACHINE_TO_ARCH = {"x86_64": "x64", "amd64": "x64", "x64": "x64", "arm64": "arm64", "aarch64": "arm64"}


def current_os() -> str:
    """``linux``, ``osx`` or ``win`` for this machine."""
    if sys.platform.startswith("win"):
        return "win"
    if sys.platform == "darwin":
        return "osx"
    if sys.platform.startswith("linux"):
        return "linux"
    raise RuntimeError(f"unsupported OS {sys.platform!r}: the sidecar is built for {', '.join(OS_NAMES)}")


def current_arch(machine: Optional[str] = None) -> str:
    """``x64`` or ``arm64`` from ``platform.machine()`` (or ``machine``)."""
    raw = (machine if machine is not None else _platform.machine()).lower()
    try:
        return _MACHINE_TO_ARCH[raw]
    except KeyError:
        raise RuntimeError(f"unsupported CPU architecture {raw!r}: the sidecar is built for "
                           f"{', '.join(ARCH_NAMES)}") from None


def current_platform() -> str:
    """This machine's folder name, e.g. ``linux-x64``, ``osx-arm64``, ``win-x64``."""
    return f"{current_os()}-{current_arch()}"


def executable_name(platform: str) -> str:
    """``riffforge-sidecar.exe`` on Windows platforms, ``riffforge-sidecar`` elsewhere."""
    return EXECUTABLE_BASE_NAME + (".exe" if platform.startswith("win-") else "")


def sidecar_root(package_dir: Path = PACKAGE_DIR) -> Path:
    """The ``Sidecar~`` folder of the package."""
    return package_dir / SIDECAR_FOLDER


def platform_dir(platform: str, package_dir: Path = PACKAGE_DIR) -> Path:
    """``<package>/Sidecar~/<platform>``: one PyInstaller onedir build plus ``manifest.json``."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    return sidecar_root(package_dir) / platform
