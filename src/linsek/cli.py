"""The ``linsek`` console script: Django management commands under one name.

``linsek --help`` lists linsek's own commands first, then Django's built-ins.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linsek.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    import django

    django.setup()
    from django.core.management import execute_from_command_line, get_commands, load_command_class

    if not args or (args[0] in {"-h", "--help", "help"} and len(args) == 1):
        commands = get_commands()
        ours = sorted(name for name, app in commands.items() if app.startswith("linsek."))
        print("usage: linsek COMMAND [options]   (linsek COMMAND --help for its options)\n")
        print("linsek commands:")
        for name in ours:
            help_text = load_command_class(commands[name], name).help.strip().splitlines()[0:1]
            print(f"  {name:<14} {help_text[0] if help_text else ''}")
        print("\nDjango commands (also available):")
        others = sorted(name for name, app in commands.items() if not app.startswith("linsek."))
        line = "  "
        for name in others:
            if len(line) + len(name) > 78:
                print(line.rstrip())
                line = "  "
            line += name + " "
        print(line.rstrip())
        return
    execute_from_command_line(["linsek", *args])


if __name__ == "__main__":
    main()
