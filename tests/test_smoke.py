from conftest import as_json, rows


def test_list_json_after_first_run_import(run, db_path):
    result = run("list", "--format", "json")
    assert result.exit_code == 0, result.output
    data = as_json(result)
    assert data and set(data[0]) == {"id", "item", "section", "title", "status", "owner",
                                     "support", "due", "start", "when", "done_on", "percent",
                                     "tags", "light"}
    assert "内置计划" in result.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM plans")[0]["n"] == 1


def test_malformed_id_is_usage_error(run, imported):
    result = run("done", "abc")
    assert result.exit_code == 2
    assert "abc" in result.stderr
    assert "Traceback" not in result.output
