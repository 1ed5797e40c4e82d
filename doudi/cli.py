"""The `doudi` console script: SPEC §1 commands and every Django management command."""
import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")
    from django.core.management import execute_from_command_line

    if len(argv) < 2:
        argv.append("help")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
