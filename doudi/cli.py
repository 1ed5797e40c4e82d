"""The `doudi` console script: SPEC §1 commands and every Django management command."""
import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")
    from django.core.management import execute_from_command_line

    if len(argv) < 2:
        argv.append("help")
    if argv[1] == "assess":
        # Pure rules evaluation: no Django, no database (SPEC §3).
        from doudi.rules.cli import assess_main

        sys.exit(assess_main(argv[2:]))
    if argv[1] == "demo" and "DOUDI_DEMO_DATABASE_URL" not in os.environ:
        # The demo always runs on the embedded database, whatever DATABASE_URL says.
        data_dir = os.environ.get("DOUDI_DATA_DIR", os.path.join(os.getcwd(), "data"))
        os.environ["DATABASE_URL"] = "sqlite:///" + os.path.abspath(os.path.join(data_dir, "demo.sqlite3"))
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
