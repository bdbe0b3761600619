"""Background jobs of the question bank: thin Celery wrappers around its services."""

from celery import shared_task

from .importer import bank_import_job_run


@shared_task(name="questions.bank_import_job_run")
def bank_import_job_run_task(job_id: int) -> None:
    """Import the bank file of a queued BankImportJob (a large upload)."""
    bank_import_job_run(job_id=job_id)
