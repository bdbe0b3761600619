"""Bank uploads: small files import while the page waits, large ones in a background job."""

from functools import partial

from django.conf import settings
from django.db import transaction

from .importer import ImportResult, bank_import
from .models import BankImportJob
from .tasks import bank_import_job_run_task


def bank_upload_import(
    *, data: bytes, source_name: str, dry_run: bool, requested_by
) -> ImportResult | BankImportJob:
    """Import an uploaded bank file now (the result), or above BANK_UPLOAD_ASYNC_BYTES queue
    it (the job, whose task starts once the job row is committed). Raises BankImportError
    when a file imported now is refused."""
    if len(data) <= settings.BANK_UPLOAD_ASYNC_BYTES:
        return bank_import(data=data, source_name=source_name, dry_run=dry_run)
    job = BankImportJob.objects.create(
        source_name=source_name, content=data, dry_run=dry_run, requested_by=requested_by
    )
    transaction.on_commit(partial(bank_import_job_run_task.delay, job.pk))
    return job


def bank_import_job_for(*, user, pk: int) -> BankImportJob | None:
    """The job if `user` may see it: the user who uploaded it, or staff."""
    jobs = BankImportJob.objects.defer("content")
    if not user.is_staff:
        jobs = jobs.filter(requested_by=user)
    return jobs.filter(pk=pk).first()
