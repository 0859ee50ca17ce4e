"""The `drugkg` command: one entry point, a subcommand per thing a user wants to do."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Protocol

from drugkg import __version__
from drugkg.errors import DrugkgError

__all__ = ["COMMANDS", "main"]


class Command(Protocol):
    """A subcommand module: it adds its own arguments and runs with the parsed namespace."""

    HELP: str
    EXAMPLE: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# Subcommand name -> module implementing it. The CLI's choices come from these keys.
COMMANDS: dict[str, str] = {
    "build": "drugkg.cli.build",
    "check": "drugkg.cli.check",
    "export": "drugkg.cli.export",
    "serve": "drugkg.cli.serve",
    "publish": "drugkg.cli.publish",
    "query": "drugkg.cli.query",
    "synth": "drugkg.cli.synth",
    "validate": "drugkg.cli.validate",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drugkg",
        description="Build, validate, query and serve the drugkg knowledge graph.",
    )
    parser.add_argument("--version", action="version", version=f"drugkg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        module: Command = importlib.import_module(module_name)
        cmd = sub.add_parser(
            name,
            help=module.HELP,
            description=module.HELP,
            epilog=f"example:\n  {module.EXAMPLE}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        cmd.add_argument("-v", "--verbose", action="store_true", help="show details and tracebacks")
        cmd.add_argument(
            "-q",
            "--quiet",
            action="store_true",
            help="no progress bars and no informational messages (warnings and errors only)",
        )
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    verbose = getattr(args, "verbose", False)
    quiet = getattr(args, "quiet", False) and not verbose
    from drugkg.progress import set_quiet

    set_quiet(quiet)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpcore"):  # "HTTP Request: ..." on every request; errors are reported by drugkg
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args._run(args))
    except DrugkgError as err:
        print(f"drugkg {args.command}: {err}", file=sys.stderr)
        if verbose:
            raise
        return err.exit_code
    except KeyboardInterrupt:
        print(f"drugkg {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if verbose:
            raise
        print(
            f"drugkg {args.command}: internal error: {type(err).__name__}: {err} (run with -v for details)",
            file=sys.stderr,
        )
        return 2
