"""The audit history in the admin (django-simple-history), writable only by those who
may change the object.

`SimpleHistoryAdmin.history_form_view` shows a past version of an object in a form and,
on POST, saves it back ("revert"). It checks only `has_view_or_change_permission`, so
anyone who may *read* an object could rewrite it — a regional director changed a
reported figure that way. Every admin with a history uses `HistoryAdmin` instead.
"""

from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model


class HistoryAdmin(SimpleHistoryAdmin):
    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        record = get_object_or_404(
            get_history_model_for_model(self.model),
            **{self.model._meta.pk.attname: unquote(object_id), "history_id": version_id},
        )
        current = self.get_object(request, unquote(object_id))
        if current is None:
            # Restoring a deleted object creates it again.
            allowed = self.has_add_permission(request) and self.has_change_permission(
                request, record.instance
            )
        else:
            allowed = self.has_change_permission(request, current)
        if not allowed:
            raise PermissionDenied
        # One transaction, like the admin's own change form (the object and its
        # many-to-many fields are saved together; optimistic locks may hold the row).
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)
