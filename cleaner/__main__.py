"""The `cleaner` program (`python -m cleaner` and the console script).

A corpus command restarts under the allocator first (`cleaner/allocator.py`),
before the command line's modules are imported.
"""

import sys

from cleaner.allocator import restart_early


def main() -> int:
    restart_early(sys.argv)
    from cleaner.cli import main as run_command

    return run_command()


if __name__ == "__main__":
    sys.exit(main())
