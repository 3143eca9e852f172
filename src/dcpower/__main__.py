from dcpower.cli import entry

entry()
