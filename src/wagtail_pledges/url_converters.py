"""``<pledges_id:name>``: a database id in a URL, at most 18 digits.

Django's ``<int:…>`` matches any number of digits, and a 20-digit id reaches the
database as an integer it cannot hold (SQLite raises, a 500). Every id in the package's
URLs (pages, routable journey steps, the API, the review admin) uses this converter
instead: a longer number matches no URL, so it is a 404 like any unknown id.
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"  # below 2**63: fits every database's bigint

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "pledges_id")
