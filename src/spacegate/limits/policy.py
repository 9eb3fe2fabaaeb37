"""Rate specs as admins write them: ``"1000/hour,100/minute"`` (any number of windows).

A window is a unit (``second``, ``minute``, ``hour``, ``day``; singular, plural or short) with an
optional count: ``"500/5minutes"``. ``"off"`` (or an empty string) means no limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacegate.limits.gcra import Rate

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_NAMES = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}
_ITEM = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")
OFF = frozenset({"", "off", "none", "unlimited"})
#: The largest limit and the longest window a spec may name (beyond them a limit means nothing:
#: a window longer than a year never refills in a way anyone would wait for).
MAX_LIMIT = 10**9
MAX_SECONDS = 366 * 86400


class InvalidSpec(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Window:
    """One rate of a spec, named for headers and messages (``hour``, ``minute``, ``5minutes``)."""

    limit: int
    seconds: int

    @property
    def name(self) -> str:
        for unit, word in reversed(_NAMES.items()):
            if self.seconds == unit:
                return word
            if self.seconds % unit == 0:
                return f"{self.seconds // unit}{word}s"
        return f"{self.seconds}seconds"  # pragma: no cover  (every window is whole seconds)

    @property
    def rate(self) -> Rate:
        return Rate(self.limit, self.seconds)

    def describe(self) -> str:
        per = _NAMES.get(self.seconds)
        return (
            f"{self.limit} requests per {per}" if per else f"{self.limit} requests per {self.name}"
        )

    def __str__(self) -> str:
        return f"{self.limit}/{self.name}"


def parse(spec: str) -> tuple[Window, ...]:
    """The windows of ``spec``, longest first; raises InvalidSpec with a readable message."""
    if spec.strip().lower() in OFF:
        return ()
    windows: dict[int, Window] = {}
    for part in spec.lower().split(","):
        m = _ITEM.match(part)
        if m is None or m.group(3) not in _UNITS:
            raise InvalidSpec(
                f"'{part.strip()}' is not a rate: write e.g. '1000/hour,100/minute' "
                "(units: second, minute, hour, day)."
            )
        limit, count = int(m.group(1)), int(m.group(2) or 1)
        if limit < 1 or count < 1:
            raise InvalidSpec(f"'{part.strip()}': the limit and the window must be at least 1.")
        seconds = count * _UNITS[m.group(3)]
        if limit > MAX_LIMIT or seconds > MAX_SECONDS:
            raise InvalidSpec(
                f"'{part.strip()}': a limit is at most {MAX_LIMIT:,} and a window at most 366 days."
            )
        if seconds in windows:
            raise InvalidSpec(f"'{spec}' names the same window twice.")
        windows[seconds] = Window(limit, seconds)
    return tuple(sorted(windows.values(), key=lambda w: -w.seconds))


def render(windows: tuple[Window, ...]) -> str:
    return ",".join(str(w) for w in windows) or "off"
