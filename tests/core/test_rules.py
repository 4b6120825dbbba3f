"""The transition table: the one list of allowed starting states."""

import pytest

from wagtail_pledges import lifecycle
from wagtail_pledges.lifecycle import MEMBERSHIP_MOVES, REVIEW_MOVES, TransitionError
from wagtail_pledges.models import ReviewStatus, Status


def test_joining_and_may_start_come_from_the_table():
    assert set(lifecycle.JOINING) == {Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED}
    assert set(lifecycle.MAY_START) == set(Status.values) - {Status.ACTIVE}


def test_no_review_move_starts_from_where_it_ends():
    for name, move in REVIEW_MOVES.items():
        assert move.target not in move.sources, name
        assert move.is_done(move.target), name


def test_the_review_moves_a_joining_membership_follows():
    for name in ("submit", "approve", "request_changes", "decline"):
        assert MEMBERSHIP_MOVES[name].sources == frozenset(lifecycle.JOINING)


def test_a_refused_move_names_the_current_state():
    with pytest.raises(TransitionError) as error:
        REVIEW_MOVES["approve"].check(ReviewStatus.DRAFT, current="Draft")
    assert str(error.value) == (
        "Only a submitted pledge or plan can be approved (this one is Draft).")
    assert error.value.code == "illegal_transition"
    assert REVIEW_MOVES["submit"].is_done(ReviewStatus.APPROVED)
