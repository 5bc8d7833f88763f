"""`jtdj add --when` fills dates from timing words the way the plan file does, so an exported
plan re-imports to the same task."""

from conftest import as_json


def test_add_with_summer_timing_gets_the_summer_dates(run, imported):
    result = run("--as-of", "2022-06-01", "add", "7", "暑期新增培训", "--when", "暑期")
    assert result.exit_code == 0, result.output
    task_id = result.stdout.strip()
    shown = as_json(run("show", task_id, "--format", "json"))
    assert (shown["start"], shown["due"], shown["when"]) == ("2022-07-01", "2022-08-31", "暑期")


def test_add_with_timing_round_trips_through_export(run, imported, tmp_path):
    run("--as-of", "2022-06-01", "add", "8", "“七一”走访慰问", "--when", "“七一”前后")
    first = run("export", "--format", "toml")
    assert first.exit_code == 0, first.output
    plan_file = tmp_path / "exported.toml"
    plan_file.write_text(first.stdout, encoding="utf-8")
    other_db = tmp_path / "other.db"
    assert run("--db", other_db, "import", plan_file).exit_code == 0
    second = run("--db", other_db, "export", "--format", "toml")
    assert second.stdout == first.stdout
