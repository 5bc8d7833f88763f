"""``jtdj.tuples.named_tuple`` makes the class ``typing.NamedTuple`` would, and every tuple class
of jtdj is declared with it (typing's way costs each start a few milliseconds: bench/README.md)."""

from __future__ import annotations

import ast
import pickle
from datetime import date

import pytest

from conftest import ROOT
from jtdj.parse import Ref
from jtdj.store.lights import Lights
from jtdj.store.tasks import TaskFilter
from jtdj.tuples import named_tuple


@named_tuple
class Window:
    """A window of days."""

    first: date
    last: date | None = None
    label: str = "—"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1 if self.last else 1

    def __str__(self) -> str:
        return f"{self.first}…{self.last}"


def test_fields_defaults_methods_and_docstring_are_those_of_the_class_body():
    w = Window(date(2022, 7, 1), date(2022, 7, 7))
    assert Window._fields == ("first", "last", "label")
    assert Window._field_defaults == {"last": None, "label": "—"}
    assert w.label == "—" and w[1] == date(2022, 7, 7) and w.days == 7
    assert str(w) == "2022-07-01…2022-07-07" and "last=datetime.date(2022, 7, 7)" in repr(w)
    assert Window.__doc__ == "A window of days." and Window.__name__ == "Window"
    assert Window.__annotations__["last"] == "date | None"  # as written, not read as a type
    first, last, label = w
    assert (first, last, label) == (date(2022, 7, 1), date(2022, 7, 7), "—")
    assert w._replace(label="第一周") == Window(date(2022, 7, 1), date(2022, 7, 7), "第一周")
    assert w._asdict() == {"first": date(2022, 7, 1), "last": date(2022, 7, 7), "label": "—"}
    assert isinstance(w, tuple) and w == (date(2022, 7, 1), date(2022, 7, 7), "—")
    assert type(w._replace(label="x")) is Window


def test_it_is_immutable_has_no_dict_and_pickles():
    w = Window(date(2022, 7, 1))
    with pytest.raises(AttributeError):
        w.label = "x"
    with pytest.raises(AttributeError):
        w.other = 1
    assert not hasattr(w, "__dict__")
    f = TaskFilter(status="all", ids=["1.1"])
    assert pickle.loads(pickle.dumps(f)) == f and type(pickle.loads(pickle.dumps(f))) is TaskFilter


def test_jtdj_s_own_tuples_keep_their_fields_and_methods():
    assert TaskFilter().status == "open" and TaskFilter(ids=["1.1"]).picks_few()
    assert not TaskFilter().picks_few()
    assert Lights() == (14, 10, 30, "reported", 90) and Lights(lag_red=40).lag_red == 40
    assert Ref(3).is_item and str(Ref(3, 2)) == "3.2"


def test_a_field_without_a_default_after_one_with_a_default_is_refused():
    with pytest.raises(TypeError, match="Broken"):
        @named_tuple
        class Broken:
            a: int = 1
            b: int


def test_no_module_declares_a_tuple_class_with_typing_namedtuple():
    found = []
    for path in sorted((ROOT / "jtdj").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(base, "id", getattr(base, "attr", None)) == "NamedTuple"
                    for base in node.bases):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert found == [], "declare these with jtdj.tuples.named_tuple: " + ", ".join(found)
