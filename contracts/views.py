"""Contract data pages: file imports (admins only) and the market-summary API."""

import contextlib
import json
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.views.decorators.http import require_GET, require_POST

from akto_portal.models import Region
from contracts import selectors, services
from contracts.forms import ImportUploadForm
from contracts.imports.examples import EXAMPLES, example_csv, example_xlsx
from contracts.models import ImportBatch

SESSION_KEY = "contract_imports"
SERVICES = {"contracts": services.contract_import, "market": services.market_import}


STAGING_MAX_AGE = 24 * 3600  # seconds an unconfirmed upload is kept


def _staging_dir() -> Path:
    default = Path(tempfile.gettempdir()) / "akto-imports"
    path = Path(getattr(settings, "IMPORT_STAGING_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clean_staging():
    """Forget uploads nobody confirmed within a day (and their previews, progress)."""
    limit = time.time() - STAGING_MAX_AGE
    for path in _staging_dir().iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def _n(value):
    return number_format(value, force_grouping=True)


def _redirect(request, url_name, **kwargs):
    """A redirect; as JSON for the page's script, which then navigates itself (so the
    flash message is read by the page the user sees, not by the script's request)."""
    response = redirect(url_name, **kwargs)
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse({"redirect": response["Location"]})
    return response


def _require_admin(request):
    if not request.user.is_admin:
        raise PermissionDenied("Seuls les administrateurs importent des fichiers.")


def _progress_writer(key):
    """Write (done, total) where the page's progress poll reads it."""
    if not key:
        return None
    target = _staging_dir() / f"{key}.progress"

    def progress(done, total):
        target.write_text(f"{done} {total}")

    return progress


def _report_as_dict(report):
    already = report.already_imported
    return {
        "layout_label": report.layout_label,
        "file_format": report.file_format,
        "rows_read": report.rows_read,
        "rows_ignored": report.rows_ignored,
        "ignored_note": report.ignored_note,
        "ignored_columns": report.ignored_columns,
        "errors": [{"line": e.line, "message": e.message} for e in report.errors],
        "error_count": report.error_count,
        "facts": len(report.facts),
        "summary": [
            {
                "region": row["region"],
                "year": row["year"],
                "detail": row.get("contract_type") or row.get("period"),
                "count": int(row["count"]),
            }
            for row in report.summary
        ],
        "scope_label": report.scope_label,
        "rows_to_replace": report.rows_to_replace,
        "already_imported": (
            {"pk": already.pk, "created_at": already.created_at.isoformat()} if already else None
        ),
        "ok": report.ok,
    }


@require_GET
def import_index(request):
    _require_admin(request)
    return _index(request, ImportUploadForm())


def _index(request, form, status=200):
    batches = ImportBatch.objects.select_related("created_by").order_by("-created_at")[:30]
    return render(
        request,
        "contracts/imports.html",
        {"form": form, "batches": batches, "examples": EXAMPLES},
        status=status,
    )


@require_POST
def import_upload(request):
    """Store the file, check it whole (a dry run) and show the preview."""
    _require_admin(request)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, form, status=400)
    _clean_staging()
    token = uuid.uuid4().hex
    staged = _staging_dir() / f"{token}.upload"
    upload = form.cleaned_data["file"]
    with staged.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    kind = form.cleaned_data["kind"]
    key = form.cleaned_data["progress_key"]
    report = SERVICES[kind](
        path=staged,
        file_name=upload.name,
        user=request.user,
        dry_run=True,
        progress=_progress_writer(key and key.hex),
    )
    (_staging_dir() / f"{token}.json").write_text(json.dumps(_report_as_dict(report)))
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"file_name": upload.name, "kind": kind}
    request.session[SESSION_KEY] = pending
    return _redirect(request, "contract-import-preview", token=token)


def _pending(request, token):
    entry = request.session.get(SESSION_KEY, {}).get(token)
    preview = _staging_dir() / f"{token}.json"
    if entry is None or not preview.exists():
        raise Http404("Aucun fichier en attente sous ce nom.")
    return entry, json.loads(preview.read_text())


@require_GET
def import_preview(request, token):
    _require_admin(request)
    entry, report = _pending(request, token)
    return render(
        request,
        "contracts/import_preview.html",
        {"token": token, "entry": entry, "report": report},
    )


@require_POST
def import_confirm(request, token):
    """Import the file checked in the preview (checked again: the data may have moved)."""
    _require_admin(request)
    entry, _preview = _pending(request, token)
    staged = _staging_dir() / f"{token}.upload"
    key = request.POST.get("progress_key", "")
    try:
        key = uuid.UUID(key).hex if key else ""
    except ValueError:
        key = ""
    report = SERVICES[entry["kind"]](
        path=staged,
        file_name=entry["file_name"],
        user=request.user,
        progress=_progress_writer(key),
    )
    if report.batch is not None:
        batch = report.batch
        messages.success(
            request,
            f"Import n° {batch.pk} enregistré : {_n(batch.rows_written)} chiffre(s) écrit(s), "
            f"{_n(batch.rows_replaced)} remplacé(s).",
        )
    elif report.already_imported is not None:
        messages.warning(request, "Ce fichier a déjà été importé : rien n'a changé.")
    else:
        (_staging_dir() / f"{token}.json").write_text(json.dumps(_report_as_dict(report)))
        messages.error(request, "Le fichier contient des erreurs : rien n'a été écrit.")
        return _redirect(request, "contract-import-preview", token=token)
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    for suffix in ("upload", "json"):
        (_staging_dir() / f"{token}.{suffix}").unlink(missing_ok=True)
    return _redirect(request, "contract-imports")


@require_GET
def import_progress(request, key):
    _require_admin(request)
    target = _staging_dir() / f"{key.hex}.progress"
    try:
        done, total = (int(n) for n in target.read_text().split())
    except (OSError, ValueError):
        done, total = 0, 0
    return JsonResponse({"done": done, "total": total})


@require_GET
def import_example(request, layout, extension):
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


@require_GET
def market_summary_api(request):
    """GET /api/v1/market/summary?region=28&year=2021 (region omitted: France)."""
    code = request.GET.get("region", "").strip()
    year_text = request.GET.get("year", "").strip()
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        return JsonResponse({"error": "Paramètre « year » attendu (ex. 2021)."}, status=400)
    region = None
    if code and code.upper() not in ("FR", "FRANCE"):
        region = Region.objects.filter(code=code.zfill(2)).first()
        if region is None:
            return JsonResponse({"error": f"Région inconnue : « {code} »."}, status=404)
    summary = selectors.market_summary(region=region, year=int(year_text))
    return JsonResponse(summary.as_json(), json_dumps_params={"ensure_ascii": False})
