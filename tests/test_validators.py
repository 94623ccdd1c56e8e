"""core.validators, core.props.kind_discriminator and core.props.held: the one-line validators props classes
declare, and the walker over what a props tree holds."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import pytest
from pydantic import Tag

from airflow_constructs.core.props import Props, PropsError, held, kind_discriminator
from airflow_constructs.core.validators import (
    dns_label_validator,
    dns_subdomain_validator,
    each_validator,
    pattern_validator,
    repeated,
)


class _Named(Props):
    code: str = "ab"
    label: str | None = None
    subdomain: str | None = None

    _code = pattern_validator(
        "code", pattern=re.compile(r"^[a-z]+$"), message="expected lowercase letters", max_length=3
    )
    _label = dns_label_validator("label", what="a label", max_length=5)
    _subdomain = dns_subdomain_validator("subdomain", what="a subdomain")


class _Each(Props):
    words: list[str] = []
    ids: dict[str, int] = {}
    names: list[str] = []

    _words = each_validator("words", valid=str.islower, message="{item!r} is not lowercase")
    _ids = each_validator("ids", valid=str.isidentifier, message="id {item!r} is not an identifier")
    _names = dns_subdomain_validator("names", what="a name")


class _A(Props):
    kind: Literal["a"] = "a"


class _B(Props):
    kind: Literal["b"] = "b"


class _Holder(Props):
    choice: Annotated[
        Annotated[_A, Tag("a")] | Annotated[_B, Tag("b")],
        kind_discriminator("choice", "a", "expected kind 'a' (the default) or 'b'"),
    ] = _A()


def test_pattern_validator_checks_the_pattern_then_the_length() -> None:
    assert _Named(code="abc").code == "abc"
    with pytest.raises(PropsError) as info:
        _Named(code="AB")
    assert str(info.value) == "_Named.code: 'AB' is not allowed: expected lowercase letters"
    with pytest.raises(PropsError) as info:
        _Named(code="abcd")
    assert str(info.value) == "_Named.code: 'abcd' is not allowed: expected lowercase letters"


def test_dns_validators_let_an_optional_name_be_none_and_name_what_they_check() -> None:
    assert _Named().label is None and _Named().subdomain is None
    assert _Named(label="ab-c", subdomain="a.b").subdomain == "a.b"
    with pytest.raises(PropsError) as info:
        _Named(label="abcdef")
    assert str(info.value) == (
        "_Named.label: 'abcdef' is not allowed: 'abcdef' is not a valid name for a label: use at most 5 lowercase "
        "letters, digits and '-', starting and ending with a letter or digit"
    )
    with pytest.raises(PropsError) as info:
        _Named(subdomain="A_B")
    assert str(info.value).startswith(
        "_Named.subdomain: 'A_B' is not allowed: 'A_B' is not a valid name for a subdomain: "
    )


def test_kind_discriminator_defaults_a_dict_without_kind_and_names_the_allowed_kinds() -> None:
    assert isinstance(_Holder(choice={}).choice, _A)  # type: ignore[arg-type]
    assert isinstance(_Holder(choice={"kind": "b"}).choice, _B)  # type: ignore[arg-type]
    assert isinstance(_Holder(choice=_B()).choice, _B)
    with pytest.raises(PropsError) as info:
        _Holder(choice={"kind": "c"})  # type: ignore[arg-type]
    assert str(info.value) == "_Holder.choice: {'kind': 'c'} is not allowed: expected kind 'a' (the default) or 'b'"


def test_each_validator_names_the_first_bad_item_or_key() -> None:
    assert _Each(words=["a", "b"], ids={"x": 1}).words == ["a", "b"]
    with pytest.raises(PropsError) as info:
        _Each(words=["a", "B", "C"])
    assert str(info.value) == "_Each.words: ['a', 'B', 'C'] is not allowed: 'B' is not lowercase"
    with pytest.raises(PropsError) as info:
        _Each(ids={"z-2": 1, "a-1": 2})
    assert str(info.value) == "_Each.ids: {'z-2': 1, 'a-1': 2} is not allowed: id 'a-1' is not an identifier"


def test_dns_subdomain_validator_checks_every_name_of_a_list() -> None:
    assert _Each(names=["a.b", "c"]).names == ["a.b", "c"]
    with pytest.raises(PropsError) as info:
        _Each(names=["a.b", "C_D"])
    assert str(info.value).startswith(
        "_Each.names: ['a.b', 'C_D'] is not allowed: 'C_D' is not a valid name for a name: "
    )


def test_repeated_names_each_name_that_stands_twice_once_sorted() -> None:
    assert repeated(["b", "a", "b", "c", "a", "b"]) == ["a", "b"]
    assert repeated(["a", "b"]) == []


class _Leaf(Props):
    value: str = "x"


class _Special(_Leaf):
    pass


class _Tree(Props):
    first: _Leaf = _Leaf()
    special: _Special = _Special()
    inner: _Holder = _Holder()
    nested: _Each = _Each()
    deep: dict[str, _Leaf] = {"not": _Leaf()}


class _Root(Props):
    tree: _Tree = _Tree()
    last: _Leaf | None = _Leaf(value="y")


def test_held_walks_nested_models_in_field_order_and_passes_over_skipped_ones() -> None:
    root = _Root()
    assert held(root, _Leaf) == [
        (("tree", "first"), root.tree.first),
        (("tree", "special"), root.tree.special),
        (("last",), root.last),
    ]
    assert held(root, _Leaf, skip=_Special) == [(("tree", "first"), root.tree.first), (("last",), root.last)]
    assert held(root, _B) == []
