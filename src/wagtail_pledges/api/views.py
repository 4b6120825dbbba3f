"""REST API views. Every view names its permission classes explicitly."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
