"""What the apps do when the kernel writes teachers: a registry, filled by the apps in
``AppConfig.ready`` (the kernel names no app). ``teachers_changed`` is called in the same
transaction as the write, by every door that creates, changes, moves or retires teachers
(the services, the roster import), so figures derived from teachers (the training summary)
are right at once, not after the nightly job."""

from __future__ import annotations

from collections.abc import Callable, Iterable

_TEACHERS_CHANGED: list[Callable[[list[int]], None]] = []


def on_teachers_changed(callback: Callable[[list[int]], None]) -> None:
    if callback not in _TEACHERS_CHANGED:
        _TEACHERS_CHANGED.append(callback)


def teachers_changed(teacher_ids: Iterable[int]) -> None:
    ids = sorted({pk for pk in teacher_ids if pk is not None})
    if not ids:
        return
    for callback in _TEACHERS_CHANGED:
        callback(ids)
