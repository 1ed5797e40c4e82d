"""常用筛选: a user saves the filters of a list under a name and opens them again in one click
(issue 13 item 3). Writes and reads for the workbench's SavedFilter; the list pages show them
through the `saved_filters` template tag."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.http import url_has_allowed_host_and_scheme

from doudi.workbench.models import SavedFilter

# Not filters: where the list is, and what it is turned into.
DROPPED = {"page", "export", "print", "csrfmiddlewaretoken"}
MAX_PER_PAGE = 20


class SavedFilterError(ValueError):
    """Why a filter was not saved, in Chinese."""


def clean_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k not in DROPPED and v.strip()]
    return urlencode(pairs)


def saved_for(user, path: str) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(user=user, path=path)


def saved_filter_save(*, user, path: str, name: str, query: str) -> SavedFilter:
    """Saved under `name` for `path` (a page of this app); the same name again replaces it."""
    name = " ".join((name or "").split())
    if not name:
        raise SavedFilterError("请给这组筛选条件起个名称")
    if len(name) > 40:
        raise SavedFilterError("名称不能超过 40 个字")
    if not (path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=None)) or "?" in path or len(path) > 200:
        raise SavedFilterError("只能保存本系统列表页面的筛选条件")
    query = clean_query(query)
    if not query:
        raise SavedFilterError("当前没有任何筛选条件，无需保存")
    if len(query) > 500:
        raise SavedFilterError("筛选条件太长，无法保存")
    with transaction.atomic():
        found = SavedFilter.objects.select_for_update().filter(user=user, path=path, name=name).first()
        if found:
            found.query = query
            found.save(update_fields=["query"])
            return found
        if saved_for(user, path).count() >= MAX_PER_PAGE:
            raise SavedFilterError(f"每个页面最多保存 {MAX_PER_PAGE} 组常用筛选，请先删除不用的")
        try:
            with transaction.atomic():
                return SavedFilter.objects.create(user=user, path=path, name=name, query=query)
        except IntegrityError:  # the same name saved at the same moment (a double click)
            return SavedFilter.objects.get(user=user, path=path, name=name)


def saved_filter_delete(*, user, pk: int) -> str:
    """Deletes one of the user's own saved filters; returns its page. Another user's: not found."""
    found = SavedFilter.objects.filter(user=user, pk=pk).first()
    if found is None:
        raise SavedFilterError("没有找到该常用筛选")
    found.delete()
    return found.path
