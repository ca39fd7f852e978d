"""Building many frozen dataclass instances fast: opening a store builds about 300,000.

A frozen dataclass's `__init__` sets each field through `object.__setattr__`, several times
the cost of a plain attribute store. `maker(cls)` returns a function taking the same positional
arguments that builds the instance as a plain twin class with the very same slots, then gives
it its real class (a `__class__` assignment, allowed because the layouts are identical). The
result is an ordinary instance of `cls`: equal to, and hashing like, one its own `__init__`
builds. No field is validated or defaulted: callers pass every field, in order.

A class this cannot apply to (no slots, slots other than its fields, `__post_init__`) gets its
own constructor back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["maker"]

T = TypeVar("T")


def _twin_init(cls: type, names: tuple[str, ...]) -> Callable[..., None]:
    # Generated like dataclasses' own __init__, so that each store is a plain STORE_ATTR; the
    # last one gives the instance its real class.
    lines = [f"    self.{name} = {name}" for name in names]
    source = f"def __init__(self, {', '.join(names)}):\n" + "\n".join(lines)
    namespace: dict[str, Any] = {}
    exec(source + "\n    self.__class__ = real\n", {"real": cls}, namespace)
    init: Callable[..., None] = namespace["__init__"]
    return init


def maker(cls: type[T]) -> Callable[..., T]:
    """A fast positional constructor for the frozen, slotted dataclass `cls`."""
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return cls
    names = tuple(f.name for f in dataclasses.fields(cls))
    if not names or cls.__dict__.get("__slots__") != names or cls.__bases__ != (object,):
        return cls
    init = _twin_init(cls, names)
    twin: Callable[..., T] = type(
        f"_{cls.__name__}Twin", (), {"__slots__": names, "__init__": init}
    )
    try:
        probe = twin(*range(len(names)))
    except TypeError:  # a layout CPython will not reassign: stay on the safe side
        return cls
    return twin if type(probe) is cls else cls
