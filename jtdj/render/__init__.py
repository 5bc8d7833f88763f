"""Every output of jtdj: one table of writers, a view by a format.

A *view* is what a command shows (a list of records, the tree, one task in detail, the
summary, the period report, an export document); each has the formats below, and the format
it takes in a pipe (on a terminal it takes ``table`` when it has one). Writers are pure: data
in, text or bytes out, or for ``table`` a Rich renderable that the CLI prints. Adding a format
is adding an entry here (and its words to the catalogues); no command branches on a format.

A writer is named as ``module.function`` of this package and imported when it is used, so a
command loads only the module of the output it writes (`tests/test_output.py` checks that
every entry names a function that exists).
"""

from __future__ import annotations

from importlib import import_module

from jtdj.tuples import named_tuple


@named_tuple
class View:
    """The writers of one view, by format, and the format it takes when stdout is a pipe."""

    writers: dict[str, str]
    pipe: str


FORMATS: dict[str, View] = {
    "records": View({"table": "records.records_table", "json": "records.records_json",
                     "csv": "records.records_csv", "tsv": "records.records_tsv",
                     "md": "records.records_md"}, pipe="tsv"),
    "tree": View({"table": "tasks.tree_table", "json": "tasks.tree_json",
                  "csv": "tasks.tree_csv", "tsv": "tasks.tree_tsv", "md": "tasks.tree_md"},
                 pipe="tsv"),
    "history": View({"table": "tasks.history_table", "json": "tasks.history_json",
                     "csv": "tasks.history_csv", "tsv": "tasks.history_tsv",
                     "md": "tasks.history_md"}, pipe="tsv"),
    "detail": View({"table": "detail.detail_table", "json": "detail.detail_json",
                    "csv": "detail.detail_csv", "tsv": "detail.detail_tsv",
                    "md": "detail.detail_md"}, pipe="tsv"),
    "summary": View({"table": "summary.summary_table", "json": "summary.summary_json",
                     "md": "summary.summary_md"}, pipe="md"),
    "report": View({"text": "report.report_text", "md": "report.report_md",
                    "html": "report.report_html", "json": "report.report_json"}, pipe="text"),
    "bulletin": View({"text": "bulletin.bulletin_text", "md": "bulletin.bulletin_md",
                      "html": "bulletin.bulletin_html", "json": "bulletin.bulletin_json"},
                     pipe="text"),
    "unit_brief": View({"text": "unit_brief.unit_brief_text", "md": "unit_brief.unit_brief_md",
                        "html": "unit_brief.unit_brief_html",
                        "json": "unit_brief.unit_brief_json"}, pipe="text"),
    "export": View({"toml": "exports.plan_file", "json": "exports.dump_json",
                    "csv": "exports.rows_csv", "xlsx": "xlsx.ledger_xlsx"}, pipe="toml"),
}


def formats(view: str) -> tuple[str, ...]:
    """The formats of ``view``, in the order its ``--format`` help lists them."""
    return tuple(FORMATS[view].writers)


def default_format(view: str, terminal: bool) -> str:
    """A table on a terminal when the view has one, else its pipe format."""
    spec = FORMATS[view]
    return "table" if terminal and "table" in spec.writers else spec.pipe


def writer(view: str, fmt: str):
    """The function that writes ``view`` in ``fmt``."""
    module, _, name = FORMATS[view].writers[fmt].partition(".")
    return getattr(import_module(f"jtdj.render.{module}"), name)


def render(view: str, fmt: str, data):
    """``data`` written in ``fmt``: text, bytes (the xlsx ledger), chunks of text or of UTF-8
    bytes (a streamed machine format), or a Rich renderable."""
    return writer(view, fmt)(data)
