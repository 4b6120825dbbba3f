import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory


@pytest.fixture
def editor(db):
    """Staff with Wagtail admin access and page-editing rights, but not a reviewer."""
    person = UserFactory(is_staff=True, verified=True)
    person.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        person.groups.add(editors)
    return person


@pytest.fixture
def outsider(db):
    """A logged-in member of the public: no admin access at all."""
    return UserFactory(verified=True)
