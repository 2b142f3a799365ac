"""The scaled generator behind the benchmark: the demo's machinery over more seasons, models and subsets."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from picks_export.exporters.demo import SCALED_TODAY, generate_demo, generate_scaled
from picks_export.exporters.tables import Rows


@pytest.fixture(scope="module")
def scaled() -> Rows:
    return generate_scaled(seasons=2, models=4, subsets=10, seed=7)


def test_one_season_two_models_eight_subsets_is_the_demo() -> None:
    assert generate_scaled(1, 2, 8, seed=3) == generate_demo(SCALED_TODAY, 3)


def test_is_deterministic() -> None:
    assert generate_scaled(1, 3, 9, seed=5) == generate_scaled(1, 3, 9, seed=5)


def test_seasons_models_and_subsets(scaled: Rows) -> None:
    days = {row[0] for row in scaled["games"]}
    assert min(days) == dt.date(2024, 10, 21) and max(days) == dt.date(2026, 6, 15)
    enabled = {code for _, code, _, _, enabled in scaled["models"] if enabled}
    assert enabled == {"926A", "phoenix", "m3", "m4"}
    assert [code for _, code, _, champion, _ in scaled["models"] if champion] == ["926A"]
    assert {row[1] for row in scaled["subset_picks"]} >= {"sys-m3", "sys-m4"}
    assert {row[0] for row in scaled["subset_definitions"]} >= {"mix_09", "mix_10"}
    assert {row[4] for row in scaled["subset_picks"]} >= {"mix_09", "mix_10"}
    # every game ended and has its box scores: the seasons are complete
    assert {row[5] for row in scaled["games"]} <= {"final", "postponed"}
    assert {row[0] for row in scaled["player_game_summary"]} == {row[0] for row in scaled["subset_picks"]}


def test_game_ids_are_unique_across_seasons(scaled: Rows) -> None:
    counts = Counter(row[1] for row in scaled["games"])
    assert max(counts.values()) == 1


def test_refuses_a_shape_smaller_than_the_demo() -> None:
    with pytest.raises(ValueError):
        generate_scaled(1, 1, 8)
