"""Hypothesis strategies drawing values around each boundary of a Kubernetes value rule.

Each strategy mixes values that are valid by construction (up to and one past each length limit),
the same with a bad character at the start, the end or inside, empty strings, and arbitrary
unicode text, so both verdicts are exercised near every edge the API server checks.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

LOWER = "abcdefghijklmnopqrstuvwxyz"
ALNUM = LOWER + LOWER.upper() + "0123456789"
EDGE = ["", "-", ".", "_", " ", "\n", "A", "0", "é", "/", "\u212a"]  # \u212a: Kelvin sign, lowercases to 'k'

_any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


def _bounded(ends: str, inner: str, limit: int) -> st.SearchStrategy[str]:
    """Strings of ``ends`` at both ends and ``inner`` inside, of length 1..limit+1, often at the limit."""
    length = st.one_of(st.integers(1, limit + 1), st.sampled_from([limit - 1, limit, limit + 1]))

    def build(n: int, data: st.DataObject) -> str:
        if n == 1:
            return data.draw(st.text(ends, min_size=1, max_size=1))
        middle = data.draw(st.text(inner, min_size=n - 2, max_size=n - 2))
        return data.draw(st.sampled_from(ends)) + middle + data.draw(st.sampled_from(ends))

    return st.builds(build, length, st.data())


def _mutated(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``base`` with something put at the start, the end, or both."""
    return st.builds(lambda a, s, b: a + s + b, st.sampled_from(EDGE), base, st.sampled_from(EDGE))


def around(ends: str, inner: str, limit: int) -> st.SearchStrategy[str]:
    valid = _bounded(ends, inner, limit)
    return st.one_of(valid, _mutated(valid), _any_text, st.just(""))


def dns_labels() -> st.SearchStrategy[str]:
    return around(LOWER + "0123456789", LOWER + "0123456789-", 63)


def dns_subdomains() -> st.SearchStrategy[str]:
    label = _bounded(LOWER + "0123456789", LOWER + "0123456789-", 63)
    joined = st.lists(label, min_size=1, max_size=6).map(".".join)
    long = st.lists(_bounded(LOWER, LOWER, 63), min_size=4, max_size=4).map(".".join)  # 253-255 chars
    long = st.builds(lambda s, n: s[:n], long, st.integers(251, 255))
    return st.one_of(joined, _mutated(joined), long, _any_text, st.just(""), joined.map(lambda s: s + ".."))


def qualified_names() -> st.SearchStrategy[str]:
    name = around(ALNUM, ALNUM + "-_.", 63)
    prefix = st.one_of(dns_subdomains(), st.just("example.com"), st.just("Example.COM"))
    prefixed = st.builds(lambda p, n: f"{p}/{n}", prefix, name)
    return st.one_of(name, prefixed, st.builds(lambda a, b: f"{a}/{b}/x", name, name))


def label_values() -> st.SearchStrategy[str]:
    return around(ALNUM, ALNUM + "-_.", 63)


def annotation_sizes() -> st.SearchStrategy[dict[str, str]]:
    """One key plus a value whose total lands just under, at or over 256 KiB (bytes, so é counts 2)."""
    limit = 256 * 1024

    def build(key: str, over: int, wide: bool) -> dict[str, str]:
        room = limit - len(key.encode()) + over
        return {key: "é" * (room // 2) + "x" * (room % 2) if wide else "x" * room}

    keys = st.sampled_from(["a", "example.com/big", "Big", "x" * 63, "k.io/" + "y" * 63])
    return st.builds(build, keys, st.integers(-40, 40), st.booleans())


def env_var_names() -> st.SearchStrategy[str]:
    printable = "".join(chr(c) for c in range(32, 127))
    return st.one_of(
        around(ALNUM + "-._", ALNUM + "-._", 40),
        st.text(printable, min_size=1, max_size=12),
        st.sampled_from(["1ABC", "A=B", "A B", "_", "-", ".", "..", "a\tb"]),
    )


def port_names() -> st.SearchStrategy[str]:
    return st.one_of(
        around(LOWER + "0123456789", LOWER + "0123456789-", 15),
        st.text("ab1-", min_size=1, max_size=16),
        st.sampled_from(["123", "a--b", "-a", "a-", "http", "metrics"]),
    )


def ports() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(-2, 3), st.integers(65533, 65537), st.integers(-(2**31), 2**31 - 1))


def quantities() -> st.SearchStrategy[str]:
    suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E", "e3", "E-2"]
    bad_suffixes = ["K", "ki", "MB", "e", "i", "mi", "g", "e+", "b"]
    number = st.one_of(
        st.from_regex(r"[+-]?[0-9]{1,4}(\.[0-9]{0,3})?", fullmatch=True),
        st.from_regex(r"[+-]?\.[0-9]{1,3}", fullmatch=True),
        st.sampled_from([".", "+", "-", "", "0", "-0", "1.2.3"]),
    )
    suffix = st.one_of(st.sampled_from(suffixes), st.sampled_from(bad_suffixes))
    return st.one_of(st.builds(lambda n, s: n + s, number, suffix), _any_text)


_CRON_ATOMS = [
    "*",
    "?",
    "0",
    "5",
    "7",
    "12",
    "23",
    "24",
    "31",
    "32",
    "59",
    "60",
    "-1",
    "+3",
    "jan",
    "DEC",
    "Sun",
    "sat",
]


def _cron_field(low: int, high: int, names: list[str]) -> st.SearchStrategy[str]:
    """One field valid by construction: values, names, ranges, steps and lists within its bounds."""
    number = st.integers(low, high)
    atom = st.one_of(number.map(str), st.sampled_from(names)) if names else number.map(str)
    ordered = st.builds(lambda a, b: f"{min(a, b)}-{max(a, b)}", number, number)
    rng = st.one_of(st.just("*"), atom, ordered)
    stepped = st.one_of(rng, st.builds(lambda r, s: f"{r}/{s}", rng, st.integers(1, high + 1)))
    return st.lists(stepped, min_size=1, max_size=3).map(",".join)


_MONTH_NAMES = ["jan", "FEB", "Mar", "dec"]
_DAY_NAMES = ["sun", "MON", "Fri", "sat"]


def cron_schedules() -> st.SearchStrategy[str]:
    atom = st.sampled_from(_CRON_ATOMS)
    rng = st.one_of(atom, st.builds(lambda a, b: f"{a}-{b}", atom, atom))
    stepped = st.one_of(rng, st.builds(lambda r, s: f"{r}/{s}", rng, st.sampled_from(["0", "1", "2", "15", "x"])))
    field = st.lists(stepped, min_size=1, max_size=3).map(",".join)
    spaces = st.sampled_from([" ", "  ", "\t", "\x1c", "\u00a0"])
    five = st.builds(lambda fields, sep: sep.join(fields), st.lists(field, min_size=4, max_size=6), spaces)
    macros = st.sampled_from(
        ["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually", "@reboot", "@every 1h30m",
         "@every 0", "@every 1x", "@every ", "@hourly ", " @hourly", "CRON_TZ=UTC 0 * * * *", "TZ=UTC @daily",
         "0 0 * * ,", "0 0 1,,2 * *", "*-5 * * * *", "@every .5s", "@every -1s"]
    )  # fmt: skip
    valid = st.tuples(
        _cron_field(0, 59, []), _cron_field(0, 23, []), _cron_field(1, 31, []),
        _cron_field(1, 12, _MONTH_NAMES), _cron_field(0, 6, _DAY_NAMES),
    ).map(" ".join)  # fmt: skip
    return st.one_of(valid, five, _mutated(five), macros, _any_text)


def time_zones() -> st.SearchStrategy[str]:
    names = sorted(zoneinfo.available_timezones())
    known = st.sampled_from(names)
    return st.one_of(
        known,
        known.map(str.lower),
        known.map(lambda z: z + "x"),
        _mutated(known),
        st.sampled_from(["UTC", "Local", "local", "", "posixrules", "Etc/GMT+5", "../etc/passwd", "Europe/./Berlin"]),
        _any_text,
    )


def cidrs() -> st.SearchStrategy[str]:
    v4 = st.builds(lambda a, b, p: f"{a}.{b}.0.0/{p}", st.integers(0, 256), st.integers(0, 3), st.integers(-1, 33))
    v6 = st.builds(lambda h, p: f"{h:x}::/{p}", st.integers(0, 0xFFFF), st.integers(0, 129))
    odd = st.sampled_from(
        ["10.0.0.1/8", "010.0.0.0/8", "10.0.0.0/08", "10.0.0.0", "::/0", "0.0.0.0/0", "::ffff:1.2.3.0/120",
         "2001:DB8::/32", "10.0.0.0/8 ", "10.0.0.0/+8"]
    )  # fmt: skip
    return st.one_of(v4, v6, odd, _any_text)


def draw(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """``count`` values from ``strategy``, each once (hypothesis as a generator, no shrinking)."""
    seen: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        if value not in seen:
            seen.append(value)

    collect()
    return seen
