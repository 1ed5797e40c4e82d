"""The `doudi` console script: docs/interfaces.md §1 commands and every Django management command."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")
    from django.core.management import execute_from_command_line

    if len(argv) < 2:
        argv.append("help")
    if argv[1] == "assess":
        # Pure rules evaluation: no Django, no database (docs/interfaces.md §3).
        from doudi.rules.cli import assess_main

        sys.exit(assess_main(argv[2:]))
    if argv[1] == "demo":
        os.environ.setdefault("DOUDI_ENV", "demo")
        if "DOUDI_DEMO_DATABASE_URL" not in os.environ:
            # The demo always runs on the embedded database, whatever DATABASE_URL says.
            data_dir = os.environ.get("DOUDI_DATA_DIR", os.path.join(os.getcwd(), "data"))
            os.environ["DATABASE_URL"] = "sqlite:///" + os.path.abspath(os.path.join(data_dir, "demo.sqlite3"))
    if argv[1] == "serve":
        # Serving is what a county's server does: it must not run on the public demo key
        # by accident (docs/deploy.md).
        os.environ.setdefault("DOUDI_ENV", "production")
    _load_settings()
    execute_from_command_line(argv)


def _load_settings() -> None:
    """A configuration mistake is the operator's, not a bug: a message, not a traceback."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading it imports the settings module
    except ImproperlyConfigured as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
