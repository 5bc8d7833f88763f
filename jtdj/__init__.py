"""jtdj: track the items of a year's work plan."""

__version__ = "0.1.0"
