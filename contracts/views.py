"""Contract data pages: file imports (admins only) and the market-summary API.

An upload is written straight into the private staging folder (within
IMPORT_MAX_UPLOAD_MB) and handed to the background worker; the page then follows the
job through its JSON status until the preview, then the write, are ready.
"""

import contextlib
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from akto_portal.api_auth import api_view
from akto_portal.http import AuthenticatedRequest
from contracts import jobs, selectors
from contracts.forms import ImportUploadForm
from contracts.imports import staging
from contracts.imports.examples import EXAMPLES, example_csv, example_xlsx
from contracts.models import ImportBatch, ImportJob
from contracts.scope import Scope, parse_scope
from contracts.uploads import MB, StagingUploadHandler

MULTIPART_OVERHEAD = 64 * 1024  # the form's other fields and the multipart envelope
WAITING_NOTE_AFTER = 30  # seconds a queued job waits before the page says so


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def _redirect(request: HttpRequest, url_name: str, **kwargs: Any) -> HttpResponse:
    """A redirect; as JSON for the page's script, which then navigates itself."""
    response = redirect(url_name, **kwargs)
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse({"redirect": response["Location"]})
    return response


def _require_admin(request: AuthenticatedRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied("Seuls les administrateurs importent des fichiers.")


def _max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_MB * MB


def _too_large_message() -> str:
    return (
        f"Fichier trop volumineux : {_n(settings.IMPORT_MAX_UPLOAD_MB)} Mo au plus. "
        "Découpez-le (par année ou par région) et envoyez chaque partie."
    )


@require_GET
def import_index(request: AuthenticatedRequest) -> HttpResponse:
    _require_admin(request)
    return _index(request, ImportUploadForm())


def _index(
    request: AuthenticatedRequest, form: Form, status: int = 200, upload_error: str = ""
) -> HttpResponse:
    jobs.import_jobs_recover()  # a job whose worker died shows as failed, not running
    batches = ImportBatch.objects.select_related("created_by", "replaced_by").order_by(
        "-created_at"
    )[:30]
    pending = ImportJob.objects.filter(created_by=request.user).exclude(
        state__in=[ImportJob.State.DONE, ImportJob.State.FAILED]
    )[:10]
    return render(
        request,
        "contracts/imports.html",
        {
            "form": form,
            "batches": batches,
            "pending": pending,
            "examples": EXAMPLES,
            "upload_error": upload_error,
            "max_upload_bytes": _max_upload_bytes(),
            "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB,
        },
        status=status,
    )


@csrf_exempt  # the upload handler must be set before anything reads the body: CSRF is
@require_POST  # checked by `_receive_upload` (csrf_protect), once the handler is in place
def import_upload(request: AuthenticatedRequest) -> HttpResponse:
    """Store the file in the staging folder and queue its check (no reading here)."""
    _require_admin(request)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > _max_upload_bytes() + MULTIPART_OVERHEAD:
        # Refused before a byte of the file is read.
        return _index(request, ImportUploadForm(), status=413, upload_error=_too_large_message())
    handler = StagingUploadHandler(
        job_id=uuid.uuid4(), max_bytes=_max_upload_bytes(), request=request
    )
    request.upload_handlers = [handler]
    try:
        return _receive_upload(request, handler)
    finally:
        with contextlib.suppress(Exception):  # the body may not have parsed
            for upload in request.FILES.values():
                if isinstance(upload, UploadedFile):  # not a key left without files
                    upload.close()
        if not ImportJob.objects.filter(pk=handler.job_id).exists():
            handler.discard()  # refused, invalid or interrupted: nothing stays behind


@csrf_protect
def _receive_upload(request: AuthenticatedRequest, handler: StagingUploadHandler) -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES)
    if handler.too_large:
        return _index(request, ImportUploadForm(), status=413, upload_error=_too_large_message())
    if not form.is_valid():
        return _index(request, form, status=400)
    staging.clean_stale()
    upload = form.cleaned_data["file"]
    job = jobs.import_job_create(
        job_id=handler.job_id,
        kind=form.cleaned_data["kind"],
        file_name=upload.name,
        size=upload.size,
        user=request.user,
    )
    return _redirect(request, "contract-import-preview", job_id=job.pk)


def _job(request: AuthenticatedRequest, job_id: uuid.UUID) -> ImportJob:
    """The job, if this administrator uploaded it (404 for anyone else)."""
    _require_admin(request)
    jobs.import_jobs_recover()  # a job whose worker died shows as failed, not running
    return get_object_or_404(ImportJob, pk=job_id, created_by=request.user)


def _status(job: ImportJob) -> dict[str, Any]:
    waiting = job.state == ImportJob.State.QUEUED and (
        (timezone.now() - job.updated_at).total_seconds() > WAITING_NOTE_AFTER
    )
    return {
        "step": job.step,
        "state": job.state,
        "busy": job.busy,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "label": _status_label(job),
        "waiting": waiting,
    }


def _status_label(job: ImportJob) -> str:
    if job.state == ImportJob.State.QUEUED:
        return "En attente du programme de traitement…"
    if job.state == ImportJob.State.RUNNING:
        action = "Vérification" if job.step == ImportJob.Step.CHECK else "Écriture"
        return f"{action} du fichier : {job.percent} %"
    return job.get_state_display()


@require_GET
def import_preview(request: AuthenticatedRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    return render(
        request,
        "contracts/import_preview.html",
        {"job": job, "report": job.report, "status": _status(job)},
    )


@require_GET
def import_status(request: AuthenticatedRequest, job_id: uuid.UUID) -> JsonResponse:
    """The job's progress, polled by the page's script."""
    return JsonResponse(_status(_job(request, job_id)))


@require_POST
def import_confirm(request: AuthenticatedRequest, job_id: uuid.UUID) -> HttpResponse:
    """Queue the write of the file checked in the preview (checked again by the worker)."""
    job = _job(request, job_id)
    try:
        jobs.import_job_confirm(job=job, user=request.user)
    except jobs.JobRefused as exc:
        messages.error(request, str(exc))
    return _redirect(request, "contract-import-preview", job_id=job.pk)


@require_GET
def import_example(request: HttpRequest, layout: str, extension: str) -> HttpResponse:
    """The template file of a layout, to fill in (any signed-in user may read it)."""
    if layout not in EXAMPLES or extension not in ("csv", "xlsx"):
        raise Http404
    name = f"modele-{layout.replace('_', '-')}.{extension}"
    if extension == "csv":
        response = HttpResponse(example_csv(layout), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            example_xlsx(layout),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _market_scope(request: HttpRequest) -> Scope:
    """The dashboards' scope parser, `year` required (a market figure has no default year)."""
    _filterset, scope = parse_scope(request.GET, today=timezone.localdate(), require=("year",))
    return scope


@api_view(parse=_market_scope)
def market_summary_api(request: HttpRequest, scope: Scope) -> JsonResponse:
    """GET /api/v1/market/summary?region=28&year=2021 (region omitted or FR: France).
    A branch, public or professionalisation filter has no market to be a share of: the
    share is null and `share_refusal` says why, as on the dashboard."""
    summary = selectors.without_share(
        selectors.market_summary(region=scope.region, year=scope.year),
        selectors.market_share_refusal(
            branch=scope.branch, contract_type=scope.contract_type, public=scope.public
        ),
    )
    return JsonResponse(summary.as_json(), json_dumps_params={"ensure_ascii": False})
