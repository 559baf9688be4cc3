"""Entry point of the frozen sidecar (``riffforge-sidecar[.exe]``), the program PyInstaller freezes.

The frozen binary only ever serves: ``riffforge-sidecar --host-port P --token T --parent-pid PID`` runs
``riffforge sidecar ...``. A leading ``sidecar`` argument is accepted too, so the Unity supervisor may
launch either form. ``--version`` prints the sidecar version without starting anything.

The sidecar command module is imported explicitly here: the CLI registry imports sub-commands by name at
run time, which PyInstaller's import analysis cannot see.
"""
import sys

import riffforge
import riffforge.cli.sidecar  # noqa: F401  (static import, so PyInstaller bundles the command)
from riffforge.cli import main


def frozen_main(argv):
    """Run ``riffforge sidecar`` with ``argv``; returns the exit status."""
    if argv[:1] == ["sidecar"]:
        argv = argv[1:]
    if argv in (["--version"], ["-V"]):
        print(f"riffforge-sidecar {riffforge.__version__}")
        return 0
    return main(["sidecar"] + argv)


if __name__ == "__main__":
    sys.exit(frozen_main(sys.argv[1:]))
