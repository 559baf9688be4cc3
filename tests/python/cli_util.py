"""Test helper shared by the CLI tests: run a command that must fail with one clear line."""
from riffforge.cli import main


def one_error_line(capsys, argv) -> str:
    """Run the CLI, expect exit status 2 and exactly one error line on stderr (besides progress bars)."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.replace("\r", "\n").splitlines() if "%|" not in line and line.strip()]
    assert len(lines) == 1 and "error: " in lines[0], err
    return lines[0]
