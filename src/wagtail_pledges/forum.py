"""The members' forum, as the ``FORUM`` setting describes it, for one viewer."""

from __future__ import annotations

from dataclasses import dataclass

from .conf import pledges_settings
from .policy import FORUM, get_policy


@dataclass(frozen=True)
class ForumAccess:
    """What to show ``user`` about the forum.

    Members (the policy's ``forum`` benefit) get the note, or the URL once it is open;
    everyone else gets neither (the URL may be a private invitation) and is invited
    to join.
    """

    is_member: bool
    is_open: bool
    note: str = ""
    url: str = ""


def forum_for(user) -> ForumAccess:
    forum = pledges_settings.forum
    is_open = forum["STATUS"] == "open"
    if not get_policy().has_benefit(user, FORUM):
        return ForumAccess(is_member=False, is_open=is_open)
    return ForumAccess(is_member=True, is_open=is_open, note=forum["NOTE"],
                       url=forum["URL"] if is_open else "")
