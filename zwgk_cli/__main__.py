import signal
import sys


def _early(signum: int, frame: object) -> None:
    """Ctrl-C while the program is still starting (importing): nothing has been done yet."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stderr.write("已中断。\n")
    sys.exit(130)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, _early)

    from zwgk_cli.cli import main

    main()
