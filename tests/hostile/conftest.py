# The page fixtures, shared with tests/pages.
from tests.pages.conftest import (  # noqa: F401
    home,
    individual_page,
    organisation_page,
    plain_page,
)
