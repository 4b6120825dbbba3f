"""Settings for the browser tests (tests/browser): the dev site, tuned for speed.

The awareness-video rule normally needs 90% of a video's length to pass on the
server's clock; the browser tests play the 24-second demo videos fast, so the share
comes from ``RRN_VIDEO_WALLCLOCK_RATIO`` (default 0.05 here).
"""

import os

from .dev import *  # noqa: F403

WAGTAIL_PLEDGES = {  # noqa: F405
    **WAGTAIL_PLEDGES,  # noqa: F405
    "VIDEO_WALLCLOCK_RATIO": float(os.environ.get("RRN_VIDEO_WALLCLOCK_RATIO", "0.05")),
}
# Fast password hashing: the tests sign up and sign in several times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
