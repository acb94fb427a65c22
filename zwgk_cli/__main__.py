"""The ``zwgk`` program (both ``zwgk`` and ``python -m zwgk_cli``): a Ctrl-C while the commands
are still being imported is answered like any other, before the heavy imports begin."""

import signal
import sys


def _early(signum: int, frame: object) -> None:
    """Ctrl-C while the program is still starting (importing): nothing has been done yet."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stderr.write("已中断。\n")
    sys.exit(130)


def run() -> None:
    signal.signal(signal.SIGINT, _early)

    from zwgk_cli.cli import main

    main()


if __name__ == "__main__":
    run()
