"""The journey answers' ModelSerializers inspect the model once per class, not once
per answer (issue 13: most of the cost of serialising a pledge state)."""

import datetime

from rest_framework import serializers

from wagtail_pledges.api import write_serializers as ws
from wagtail_pledges.models import Membership, Pledge, Strategy


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
