"""What every page's template may ask the permission door: ``{% if can.supervise %}``."""

from django.http import HttpRequest

from .permissions import Can


def permissions(request: HttpRequest) -> dict:
    # Lazy: a page that asks nothing costs nothing; each answer is the door's own predicate.
    return {"can": Can(request.user)}
