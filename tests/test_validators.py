"""core.validators and core.props.kind_discriminator: the one-line validators props classes declare."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import pytest
from pydantic import Tag

from airflow_constructs.core.props import Props, PropsError, kind_discriminator
from airflow_constructs.core.validators import dns_label_validator, dns_subdomain_validator, pattern_validator


class _Named(Props):
    code: str = "ab"
    label: str | None = None
    subdomain: str | None = None

    _code = pattern_validator(
        "code", pattern=re.compile(r"^[a-z]+$"), message="expected lowercase letters", max_length=3
    )
    _label = dns_label_validator("label", what="a label", max_length=5)
    _subdomain = dns_subdomain_validator("subdomain", what="a subdomain")


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
