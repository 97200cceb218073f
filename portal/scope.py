"""Who sees what: the one scope function every door goes through.

Pages, the admin, the API, exports, imports and background reports call
``scope_queryset(user, queryset)`` and nothing else to decide which rows a user may see.
Outside that set an object does not exist (views answer 404, not 403).

Each model says once, with ``register``, how its rows reach a region, a school and a
teacher; apps register their own models in their ``AppConfig.ready``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from .choices import STAFF_ROLE_LEVEL, Role


@dataclass(frozen=True)
class ScopePaths:
    """ORM lookups from a model to the things scope is decided by. ``None`` means a user
    attached at that level sees none of these rows (for example a teacher and regions)."""

    region: str | None  # path to a Region (its ``path`` field is used for the subtree)
    school: str | None  # path to a School
    teacher: str | None  # path to a Teacher


logger = logging.getLogger(__name__)

_REGISTRY: dict[type[Model], ScopePaths] = {}


def register(model: type[Model], *, region: str | None, school: str | None, teacher: str | None):
    _REGISTRY[model] = ScopePaths(region=region, school=school, teacher=teacher)


def paths_for(model: type[Model]) -> ScopePaths:
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no scope registered") from None


def scope_filter(user, model: type[Model]) -> Q | None:
    """The condition that restricts ``model`` to what ``user`` may see, ``Q()`` for
    everything, or ``None`` for nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Q()
    paths = paths_for(model)
    role = user.role
    if role in STAFF_ROLE_LEVEL:
        if user.region_id is None or paths.region is None:
            return None
        region = user.region
        if not region.path_is_valid or region.level != STAFF_ROLE_LEVEL[role]:
            # Fail closed: a region whose path cannot be trusted, or staff attached at the
            # wrong level, see nothing rather than a guess.
            logger.error(
                "scope refused for user %s: region %s (%s, level %s, path %r) is not valid "
                "for role %s",
                user.pk,
                region.pk,
                region.code,
                region.level,
                region.path,
                role,
            )
            return None
        prefix = region.path
        lookup = "path" if paths.region == "" else f"{paths.region}__path"
        return Q(**{f"{lookup}__startswith": prefix})
    if role == Role.SCHOOL_ADMIN:
        if user.school_id is None or paths.school is None:
            return None
        lookup = "pk" if paths.school == "" else f"{paths.school}_id"
        return Q(**{lookup: user.school_id})
    if role == Role.TEACHER:
        if user.teacher_id is None or paths.teacher is None:
            return None
        lookup = "pk" if paths.teacher == "" else f"{paths.teacher}_id"
        return Q(**{lookup: user.teacher_id})
    return None


def scope_queryset(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` restricted to the rows ``user`` may see. Start from this, never from
    ``Model.objects.all()``, in every view, export, import and report."""
    condition = scope_filter(user, queryset.model)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition) if condition else queryset


def in_scope(user, obj: Model) -> bool:
    return scope_queryset(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
