"""container_info helpers: since, labels, log lines."""

from __future__ import annotations

import pytest

from ansible_collections.goship.containers.plugins.module_utils.containers.info import (
    label_filters, parse_since, split_lines, summary_from_list,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError


def test_since_forms():
    assert parse_since(None) is None
    assert parse_since("1700000000") == 1700000000.0
    assert parse_since("10m", now=1000.0) == 400.0
    assert parse_since("2026-11-22T06:00:00Z") == 1795327200.0
    assert parse_since("2026-11-22T07:00:00+01:00") == 1795327200.0
    with pytest.raises(OptionError, match="since: 'yesterday'"):
        parse_since("yesterday")


def test_labels_and_lines():
    assert label_filters({"app": "shop", "tier": None}) == ["app=shop", "tier"]
    assert label_filters(["a=b"]) == ["a=b"]
    assert split_lines(b"a\r\nb\n") == ["a", "b"]
    assert split_lines(b"") == []


def test_list_summary_reads_health_from_status():
    entry = {"Id": "x", "Names": ["/web"], "State": "running", "Status": "Up 3 seconds (health: starting)",
             "Ports": [{"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": 32768, "Type": "tcp"}, {"PrivatePort": 81}]}
    summary = summary_from_list(entry)
    assert summary["health"] == "starting" and summary["name"] == "web"
    assert summary["published_ports"] == ["127.0.0.1:32768->80/tcp"]
