"""The registry import page (capability ``registry.import``): the CLI's import, from a browser.

The upload is written under ``MEDIA_ROOT/imports`` with a generated name (the client's file name is
never used as a path), handed to ``linsek.agencies.imports.registry_import`` and deleted afterwards.
The size limit is enforced while the body streams in, not after it has been stored.
"""

from __future__ import annotations

import uuid
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from linsek.accounts.policy import user_can
from linsek.core.errors import Forbidden
from linsek.web.errors import page
from linsek.web.forms import IMPORT_KIND_LABELS, RegistryImportForm, upload_too_large_message

PROBLEMS_SHOWN = 500


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit (the rest of the body is discarded)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _kinds() -> tuple[str, ...]:
    from linsek.agencies.imports import IMPORT_KINDS

    return tuple(IMPORT_KINDS)


def _store(upload: Any) -> Path:
    """Write the upload to a generated name under MEDIA_ROOT/imports, keeping only its (checked) suffix."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{PurePath(upload.name).suffix.lower()}"
    with path.open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


@csrf_exempt  # the CSRF check runs in _import_form, after the size-limiting handler is in place
@page
def registry_import_page(request: HttpRequest) -> HttpResponse:
    if not user_can(request.user, "registry.import"):
        raise Forbidden(_("Anda tidak berwenang mengimpor data registri."))
    limiter = SizeLimitUploadHandler(request, settings.LINSEK_IMPORT_UPLOAD_MAX_BYTES)
    request.upload_handlers = [limiter, *request.upload_handlers]
    return _import_form(request, limiter)


@csrf_protect
def _import_form(request: HttpRequest, limiter: SizeLimitUploadHandler) -> HttpResponse:
    kinds = _kinds()
    report = None
    original_name = ""
    status = 200
    if request.method == "POST":
        form = RegistryImportForm(request.POST, request.FILES, kinds=kinds)
        if limiter.exceeded:
            form.is_valid()
            form.add_error("file", upload_too_large_message())
            status = 413
        elif form.is_valid():
            from linsek.agencies.imports import registry_import

            upload = form.cleaned_data["file"]
            original_name = PurePath(upload.name).name
            path = _store(upload)
            try:
                report = registry_import(
                    kind=form.cleaned_data["kind"],
                    path=path,
                    actor=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            finally:
                path.unlink(missing_ok=True)
        else:
            status = 400
    else:
        form = RegistryImportForm(kinds=kinds)
    context = {
        "form": form,
        "report": report,
        "original_name": original_name,
        "kind_label": IMPORT_KIND_LABELS.get(report.kind, report.kind) if report else "",
        "problems": list(report.problems[:PROBLEMS_SHOWN]) if report else [],
        "problems_shown": PROBLEMS_SHOWN,
        "max_bytes": settings.LINSEK_IMPORT_UPLOAD_MAX_BYTES,
    }
    return render(request, "web/import.html", context, status=status)
