"""Issue 17 item 2: every API view is restricted by construction. A view with a queryset
inherits ``Scoped`` (its ``visible`` starts from the scope function or an app's selector built
on it); a view without one says how it is scoped (``scoped_by``). A new view that does
neither fails here."""

from django.urls import get_resolver
from rest_framework.generics import GenericAPIView
from rest_framework.routers import APIRootView
from rest_framework.views import APIView

from portal.api.views import Scoped


def _api_views():
    found = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, route)
                continue
            callback = pattern.callback
            cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            if cls is not None and issubclass(cls, APIView) and route.startswith("api/"):
                found[cls] = route

    walk(get_resolver().url_patterns)
    return found


def test_every_api_view_is_scoped_by_construction():
    views = _api_views()
    assert len(views) > 15  # the walk finds the API, so the check is not empty
    unscoped = {
        cls.__qualname__: route
        for cls, route in views.items()
        if issubclass(cls, GenericAPIView) and not issubclass(cls, Scoped)
    }
    undeclared = {
        cls.__qualname__: route
        for cls, route in views.items()
        if not issubclass(cls, GenericAPIView)
        and not issubclass(cls, APIRootView)  # the router's list of endpoints: no data
        and not getattr(cls, "scoped_by", "")
    }
    assert unscoped == {}
    assert undeclared == {}


def test_a_view_that_overrides_get_queryset_still_goes_through_visible():
    """``get_queryset`` belongs to ``Scoped``: a view narrows what it shows by ``visible``
    or by filtering after it, never by replacing it."""
    for cls in _api_views():
        if issubclass(cls, Scoped):
            for klass in cls.__mro__:
                if klass is Scoped:
                    break
                assert "get_queryset" not in vars(klass), cls.__qualname__
