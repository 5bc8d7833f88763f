"""`python -m jtdj` runs the same entry point as the `jtdj` script."""

from jtdj.cli import entry

if __name__ == "__main__":
    entry()
