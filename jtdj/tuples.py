"""``named_tuple``: the tuple classes of jtdj (a filter, a record, a count), made cheaply.

``typing.NamedTuple`` reads each field's annotation as a type when the class is made; under
``from __future__ import annotations`` every annotation is a string, which it compiles. That is
0.3-0.9 ms a class, paid at every start by each module a command imports (nine classes of a
summary's modules: some 4.5 ms of its 30 ms of imports, bench/README.md). ``named_tuple`` makes
the same class from the same class body with ``collections.namedtuple``, leaving the
annotations as they are written.
"""

from __future__ import annotations

from collections import namedtuple

_NOT_COPIED = ("__dict__", "__weakref__")


def named_tuple(cls: type) -> type:
    """The class ``cls`` declares (its annotated fields in order, their defaults, its methods,
    properties and docstring) as a tuple class, as ``class X(NamedTuple)`` makes it: fields
    by name and position, ``_replace``, ``_asdict``, ``_fields``, immutable, no ``__dict__``."""
    body = dict(cls.__dict__)
    fields = list(body.get("__annotations__", {}))
    defaults = [body.pop(name) for name in fields if name in body]
    if any(name in cls.__dict__ for name in fields[:len(fields) - len(defaults)]):
        raise TypeError(f"{cls.__name__}: a field without a default follows one with a default")
    base = namedtuple(cls.__name__, fields, defaults=defaults, module=cls.__module__)
    for name in _NOT_COPIED:
        body.pop(name, None)
    body["__slots__"] = ()
    return type(cls.__name__, (base,), body)
