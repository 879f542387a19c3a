"""YAML node trees read into frozen dataclasses, with file:line in every message
(theme.yaml and the label tables): missing keys, wrong types and unknown keys."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from yaml.constructor import SafeConstructor

from deck.content.reading import decode, read_bytes
from deck.errors import DeckError

# libyaml's loader where PyYAML has it: the same nodes and marks, and a theme reads in 3 ms, not 20.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A whole number that may be below zero (a subscript's baseline offset); every other number in a
# theme or label table is a size, gap, count or duration, where a negative one is a typo.
SIGNED = "signed"
Signed = Annotated[int, SIGNED]


@dataclass(frozen=True)
class Range:
    """Font sizes a fitted role may take, largest first (one number in the file: fixed)."""

    max: float
    min: float


@dataclass(frozen=True)
class Plural:
    """A counted text, '{n}' in it: one form for n == 1, another for the rest (a plain
    string in the file serves both, as in Chinese)."""

    one: str
    other: str

    def __call__(self, n: int) -> str:
        return (self.one if n == 1 else self.other).format(n=n)


class Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, node: yaml.Node, message: str) -> DeckError:
        return DeckError(f"{self.file}:{node.start_mark.line + 1}: {message}")

    def read(self, cls: type, node: yaml.Node, where: str, skip: tuple[str, ...] = ()) -> Any:
        """A dataclass from a mapping node; fields named in skip are not read from the file."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"'{where or 'the file'}' must be a mapping")
        hints = typing.get_type_hints(cls, include_extras=True)
        wanted = [f for f in dataclasses.fields(cls) if f.init and f.name not in skip]
        names = {f.name for f in wanted}
        seen: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            name = f"{where}.{key}" if where else str(key)
            if key not in names:
                known = ", ".join(f.name for f in wanted)
                raise self.error(key_node, f"unknown key '{name}' (known here: {known})")
            if key in seen:
                raise self.error(key_node, f"key '{name}' given twice")
            seen[key] = self.value(hints[key], value_node, name)
        missing = [f.name for f in wanted if f.name not in seen and f.default is dataclasses.MISSING]
        if missing:
            prefix = f"{where}." if where else ""
            raise self.error(node, "missing key " + ", ".join(f"'{prefix}{m}'" for m in missing))
        return cls(**seen)

    def value(self, hint: Any, node: yaml.Node, name: str) -> Any:
        if isinstance(hint, types.UnionType):  # `X | None`: an optional key, absent means None
            return self.value(next(a for a in typing.get_args(hint) if a is not type(None)), node, name)
        if hint == Signed:
            return self.whole(node, name, signed=True)
        if hint is Range:
            return self.range(node, name)
        if hint is Plural:
            if isinstance(node, yaml.ScalarNode):
                text = self.text(node, name)
                return Plural(text, text)
            return self.read(Plural, node, name)
        if dataclasses.is_dataclass(hint):
            return self.read(hint, node, name)
        origin = typing.get_origin(hint)
        if origin is dict:
            if not isinstance(node, yaml.MappingNode):
                raise self.error(node, f"'{name}' must be a mapping")
            return SafeConstructor().construct_document(node)
        if origin is tuple:
            if not isinstance(node, yaml.SequenceNode) or not node.value:
                raise self.error(node, f"'{name}' must be a non-empty list")
            return tuple(self.value(typing.get_args(hint)[0], n, f"{name}[{i}]") for i, n in enumerate(node.value))
        if hint is float:
            return self.number(node, name)
        if hint is int:
            return self.whole(node, name)
        if hint is str:
            return self.text(node, name)
        raise TypeError(f"no reader for field type {hint!r}")  # a programming error, not bad input

    def range(self, node: yaml.Node, name: str) -> Range:
        if isinstance(node, yaml.SequenceNode) and len(node.value) == 2:
            hi, lo = (self.number(n, name) for n in node.value)
            if lo > hi:
                raise self.error(node, f"'{name}': [max, min] needs max >= min, got [{hi:g}, {lo:g}]")
            return Range(hi, lo)
        if isinstance(node, yaml.ScalarNode):
            size = self.number(node, name)
            return Range(size, size)
        raise self.error(node, f"'{name}' must be a size or [max, min]")

    def _scalar(self, node: yaml.Node, tags: tuple[str, ...]) -> int | float | None:
        """The number YAML itself reads (0x10, 1_000, .inf, 1e3 included), or None: never a bool
        (true is not 1 here), and never int(node.value), which fails on valid YAML like 0x10."""
        if not (isinstance(node, yaml.ScalarNode) and node.tag.rsplit(":", 1)[-1] in tags):
            return None
        try:
            value = SafeConstructor().construct_object(node)
        except (ValueError, yaml.YAMLError):  # an explicit !!int or !!float on text
            return None
        return None if isinstance(value, bool) or not isinstance(value, (int, float)) else value

    def whole(self, node: yaml.Node, name: str, signed: bool = False) -> int:
        value = self._scalar(node, ("int",))
        if value is None:
            raise self.error(node, f"'{name}' must be a whole number")
        if value < 0 and not signed:
            raise self.error(node, f"'{name}' must be 0 or more, got {value}")
        return int(value)

    def number(self, node: yaml.Node, name: str) -> float:
        value = self._scalar(node, ("int", "float"))
        if value is None:
            raise self.error(node, f"'{name}' must be a number")
        try:
            number = float(value)
        except OverflowError:  # a whole number with hundreds of digits
            number = math.inf
        if not math.isfinite(number):
            raise self.error(node, f"'{name}' must be a finite number, got {node.value}")
        if number < 0:
            raise self.error(node, f"'{name}' must be 0 or more (a size or gap), got {node.value}")
        return number

    def text(self, node: yaml.Node, name: str) -> str:
        if not (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str")):
            raise self.error(node, f"'{name}' must be text")
        return node.value


def merged(own: yaml.Node, default: yaml.Node) -> yaml.Node:
    """A user's mapping over the default's, recursively: the keys it lacks (a theme written for an
    older version) come from the default; its own keys and values keep their file:line, and an
    unknown key of its stays unknown."""
    if not (isinstance(own, yaml.MappingNode) and isinstance(default, yaml.MappingNode)):
        return own
    defaults = {k.value: v for k, v in default.value}
    keys = {k.value for k, _ in own.value}
    value = [(k, merged(v, defaults[k.value]) if k.value in defaults else v) for k, v in own.value]
    value += [(k, v) for k, v in default.value if k.value not in keys]
    return yaml.MappingNode(own.tag, value, own.start_mark, own.end_mark, own.flow_style)


def compose(path: Path, what: str) -> yaml.Node:
    """The node tree of a YAML file, or a DeckError naming it. Read like a content file (a theme
    folder is the user's too): a FIFO, a folder, a huge file or bad UTF-8 is one line naming it."""
    text = decode(read_bytes(path, str(path)), str(path))
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise DeckError(f"{path.name}:{line}: not valid YAML: {exc.problem}") from None
    if root is None:
        raise DeckError(f"{path.name}: {what} is empty")
    return root
