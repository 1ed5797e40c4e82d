"""View guards: login plus a role permission, with a Chinese 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from doudi.core.roles import can


def require(permission: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not can(request.user, permission):
                raise PermissionDenied("您的角色无权访问此页面")
            return view(request, *args, **kwargs)

        return guarded

    return decorator


def nav_context(request):
    """Template context: the menu entries the user may open, in menu order."""
    from doudi.core.navigation import visible_entries
    from doudi.core.roles import IMPORT_REGISTRY, VIEW_REGISTRY

    user = request.user
    return {
        "perms_import": can(user, IMPORT_REGISTRY),
        "perms_registry": can(user, VIEW_REGISTRY),
        "nav_entries": visible_entries(user),
    }
