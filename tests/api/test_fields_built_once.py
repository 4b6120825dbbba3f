"""The journey answers' ModelSerializers inspect the model once per class, not once
per answer (issue 13: most of the cost of serialising a pledge state)."""

import datetime

import pytest
from rest_framework import serializers

from wagtail_pledges.api import write_serializers as ws
from wagtail_pledges.models import Membership, Pledge, RestrictivePractice, Strategy


def state():
    pledge = Pledge(id=7, sequence=1, review_status="approved", action="Debrief.",
                    strategy=Strategy(id=1, slug="debriefing", name="Debriefing"),
                    target_date=datetime.date(2027, 1, 1))
    pledge._prefetched_objects_cache = {"practices": []}
    return {"pledge": pledge, "membership": Membership(tier="individual", status="active"),
            "email_verified": True}


def test_fields_are_built_once_and_each_answer_gets_its_own(monkeypatch):
    first = ws.PledgeStateSerializer(state()).data  # builds (or has built) the fields
    built = []
    original = serializers.ModelSerializer.build_field
    monkeypatch.setattr(serializers.ModelSerializer, "build_field",
                        lambda self, *args: built.append(args[0]) or original(self, *args))
    again = ws.PledgeStateSerializer(state()).data
    assert built == []  # no model inspection for the second answer
    assert again == first
    assert first["pledge"] == {
        "id": 7, "sequence": 1, "review_status": "approved", "is_editable": False,
        "action": "Debrief.", "strategy": "debriefing", "target_date": "2027-01-01",
        "practices": [], "reviewer_comment": "", "submitted_at": None, "decided_at": None,
        "period_start": None, "period_end": None}
    assert first["membership"] == {"tier": "individual", "status": "active",
                                   "period_start": None, "period_end": None}
    one, two = ws.PledgeSerializer(), ws.PledgeSerializer()
    assert one.fields["action"] is not two.fields["action"]
    assert one.fields["action"].parent is one and two.fields["action"].parent is two


def test_no_field_is_constructed_again_for_each_answer(monkeypatch):
    """Each answer's fields are copies of the ones built once, not new fields: DRF's
    deep copy constructs every field again from its arguments (nested serializers
    and their fields included), which was the largest part of answering."""
    ws.PledgeStateSerializer(state()).data  # noqa: B018 (builds the fields once)
    answer = ws.PledgeStateSerializer(state())
    constructed = []
    original = serializers.Field.__init__
    monkeypatch.setattr(serializers.Field, "__init__", lambda self, *args, **kwargs: (
        constructed.append(type(self).__name__), original(self, *args, **kwargs))[1])
    assert answer.data["pledge"]["strategy"] == "debriefing"
    assert constructed == []


def test_copies_share_nothing_that_binding_changes():
    ws.PledgeStateSerializer(state()).data  # noqa: B018
    built = ws.PledgeSerializer._fields_built_once
    one, two = ws.PledgeSerializer(), ws.PledgeSerializer()
    practices_one, practices_two = one.fields["practices"], two.fields["practices"]
    # The many-related field's inner field is copied with it and bound to its copy.
    assert practices_one.child_relation is not practices_two.child_relation
    assert practices_one.child_relation.parent is practices_one
    assert practices_one.child_relation.root is one
    # The fields built once stay unbound: no answer's binding reaches them.
    assert built["action"].parent is None and built["practices"].parent is None
    assert built["practices"].child_relation.parent is built["practices"]


@pytest.mark.django_db
def test_a_copied_list_field_validates_in_its_own_serializers_context():
    """The practices field of the commit body is a copy; its inner field must reach the
    serializer that binds it (``root.context``: where terms read once per request are
    kept), not the field it was copied from."""
    practice = RestrictivePractice.objects.get(slug="physical")  # from the migrations
    body = {"page": 3, "action": "Debrief.", "strategy": "debriefing",
            "practices": ["physical"], "target_date": "2027-01-01"}
    for _ in range(2):
        context = {}
        serializer = ws.PledgeCommitSerializer(data=body, context=context)
        assert serializer.is_valid(), serializer.errors
        assert serializer.validated_data["practices"] == [practice]
        assert set(context["_terms"]) == {Strategy, RestrictivePractice}
    refused = ws.PledgeCommitSerializer(data={**body, "practices": ["nope"]}, context={})
    assert not refused.is_valid()
    assert "nope" in str(refused.errors["practices"])
