"""`jtdj email --attach-xlsx`: the weekly mail carries the 工作台账 as a named .xlsx part."""

import io

from test_email import WEEK, mail_env, smtp_server  # noqa: F401  (fixtures)


def test_the_ledger_arrives_as_a_named_xlsx_part(run, smtp_server, mail_env):  # noqa: F811
    from openpyxl import load_workbook

    inbox, port = smtp_server()
    mail_env(port)
    run("--as-of", "2022-06-30", "done", "5.2", "--note", "已确定10家单位")
    result = run(*WEEK, "--to", "leader@example.org", "--attach-xlsx")
    assert result.exit_code == 0, result.output
    [msg] = inbox.messages()
    assert msg.get_content_type() == "multipart/mixed"
    body, attachment = msg.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    assert attachment.get_filename() == "工作台账-2022-2022-07-03.xlsx"
    assert attachment.get_content_type().endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(attachment.get_content())).worksheets[0]
    cells = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert "已完成" in cells["5.2"]
