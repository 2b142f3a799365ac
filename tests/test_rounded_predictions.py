"""Predictions rounded once per read (`warehouse._rounded` and its memo shared by a read's seasons): the same values
as rounding each one, zeros of either sign included, whether the memo has room or is full."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from picks_export.exporters import rules, warehouse

predictions = st.lists(
    st.sampled_from([0.0, -0.0, 0.05, -0.05, 12.25, 26.15, -0.25, 999.95])
    | st.floats(-1000, 1000, allow_nan=False, allow_infinity=False),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(predictions, min_size=1, max_size=4))
def test_rounded_with_a_shared_memo_is_rounding_each(seasons):
    memo: dict[float, float] = {}
    for values in seasons:  # the seasons of one read share the memo
        made = warehouse._rounded(values, memo)
        assert orjson.dumps(made) == orjson.dumps([rules.round_half_away(value) for value in values])


def test_a_full_memo_still_rounds_the_new_values_and_stays_bounded(monkeypatch):
    monkeypatch.setattr(warehouse, "ROUNDED_MEMO", 3)
    memo: dict[float, float] = {}
    assert warehouse._rounded([1.25, 2.35], memo) == [1.3, 2.4]
    assert warehouse._rounded([3.45, 4.55, 1.25, -0.0], memo) == [3.5, 4.6, 1.3, -0.0]
    assert len(memo) <= 3
    assert warehouse._rounded([5.65, 0.0], memo) == [5.7, 0.0]
    assert len(memo) <= 3


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_zeros_keep_their_sign(zero):
    made = warehouse._rounded([zero, 0.05], {})
    assert orjson.dumps(made) == orjson.dumps([rules.round_half_away(zero), 0.1])
