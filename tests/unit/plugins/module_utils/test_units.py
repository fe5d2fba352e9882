"""Durations and sizes as users write them."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.units import (
    format_duration, parse_duration_ns, parse_size_bytes,
)


@pytest.mark.parametrize("text, ns", [
    ("30s", 30_000_000_000), ("1m30s", 90_000_000_000), ("500ms", 500_000_000), ("1h", 3_600_000_000_000),
    ("2.5s", 2_500_000_000), ("10", 10_000_000_000), (5, 5_000_000_000), ("0", 0), ("1us", 1_000),
])
def test_parse_duration(text, ns):
    assert parse_duration_ns(text) == ns


@pytest.mark.parametrize("bad", ["", "lots", "10x", "1m 30s", "s", True])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError):
        parse_duration_ns(bad)


@pytest.mark.parametrize("text, size", [
    ("512m", 512 * 1024 ** 2), ("1g", 1024 ** 3), ("1G", 1024 ** 3), ("100k", 102400), ("1024b", 1024),
    ("1.5GiB", int(1.5 * 1024 ** 3)), (2048, 2048), ("64MB", 64 * 1024 ** 2),
])
def test_parse_size(text, size):
    assert parse_size_bytes(text) == size


@pytest.mark.parametrize("bad", ["lots", "", "1x", "-1m", False])
def test_parse_size_rejects(bad):
    with pytest.raises(ValueError):
        parse_size_bytes(bad)


@pytest.mark.parametrize("ns, text", [(90_000_000_000, "1m30s"), (500_000_000, "500ms"), (0, "0s"), (3_600_000_000_000, "1h")])
def test_format_duration(ns, text):
    assert format_duration(ns) == text
