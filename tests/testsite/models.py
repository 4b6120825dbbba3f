"""Concrete pages of the test site, built on the site's own base page."""

from wagtail.fields import RichTextField

from tests.testapp.models import BasePage


class PlainPage(BasePage):
    """A plain content page, used as the baseline in query-budget tests."""

    body = RichTextField(blank=True)

    content_panels = [*BasePage.content_panels, "body"]
