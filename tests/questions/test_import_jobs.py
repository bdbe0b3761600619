"""Large uploads import in a background job (eager in tests) whose page shows its progress and
then its outcome; only the uploader and staff see a job."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from questions.import_jobs import bank_import_job_for
from questions.importer import bank_import_job_run
from questions.models import BankImportJob, Question, QuestionBank
from tests.factories import UserFactory

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
pytestmark = pytest.mark.django_db


@pytest.fixture
def small_async_limit(settings):
    settings.BANK_UPLOAD_ASYNC_BYTES = 1000  # the built-in bank (~190 KB) goes to a job


def upload(client, data: bytes, name: str = "ai.md", dry_run: str = ""):
    file = SimpleUploadedFile(name, data, content_type="text/markdown")
    return client.post("/bank/import/", {"file": file, "dry_run": dry_run})


def test_a_large_upload_runs_as_a_job_and_its_page_shows_the_result(
    client, admin_user, small_async_limit, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(client, BUILTIN.read_bytes())
    job = BankImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bank/import/jobs/{job.pk}/"
    assert len(callbacks) == 1  # the task was sent once the job row was committed
    job.refresh_from_db()
    assert (job.status, job.progress, job.requested_by) == ("done", 100, admin_user)
    assert bytes(job.content) == b""  # the upload is not kept once imported
    assert Question.objects.count() == 129
    html = client.get(response["Location"]).content.decode()
    assert "Import of ai.md" in html
    assert 'data-status="done">Done</p>' in html
    assert '<dd data-figure="created">129</dd>' in html
    assert "hx-trigger" not in html.split('id="import-outcome"')[1]  # finished: no polling


def test_a_queued_job_polls_its_status_fragment(
    client, admin_user, small_async_limit, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=False):  # no worker has picked it up yet
        response = upload(client, BUILTIN.read_bytes(), dry_run="on")
    url = response["Location"]
    html = client.get(url).content.decode()
    assert "Import of ai.md · check only" in html
    assert 'data-status="queued">Queued · 0%</p>' in html
    assert f'hx-get="{url}" hx-trigger="every 1s"' in html
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="import-outcome">')
    assert "<form" not in fragment and f'hx-get="{url}"' in fragment
    bank_import_job_run(job_id=BankImportJob.objects.get().pk)  # the worker's turn
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done">Done</p>' in fragment
    assert "Check passed (nothing written)" in fragment and "hx-get" not in fragment
    assert QuestionBank.objects.count() == 0


def test_a_refused_file_in_a_job_lists_its_lines(
    client, admin_user, small_async_limit, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    bad = BUILTIN.read_text().replace("正确答案: B. 删除或修正缺失值和异常值。", "正确答案: F.", 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, bad.encode(), name="bad.md")
    job = BankImportJob.objects.get()
    assert job.status == "failed"
    html = client.get(response["Location"]).content.decode()
    assert 'data-status="failed">Failed</p>' in html
    assert "The file was refused: 1 problem" in html
    assert "bad.md:108: question 1 of skill" in html and "answer key names F" in html
    assert QuestionBank.objects.count() == 0


def test_a_job_runs_once_even_when_its_task_comes_twice(admin_user):
    job = BankImportJob.objects.create(
        source_name="ai.md", content=BUILTIN.read_bytes(), requested_by=admin_user
    )
    bank_import_job_run(job_id=job.pk)
    finished = BankImportJob.objects.get(pk=job.pk).finished_at
    bank_import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.finished_at == finished and job.result["created"] == 129
    assert Question.objects.count() == 129


def test_a_small_upload_still_imports_while_the_page_waits(client, admin_user):
    client.force_login(admin_user)
    response = upload(client, BUILTIN.read_bytes())  # under the default 512 KB
    assert response.status_code == 200
    assert '<dd data-figure="created">129</dd>' in response.content.decode()
    assert not BankImportJob.objects.exists()


def test_only_the_uploader_and_staff_see_a_job(client, admin_user):
    uploader = UserFactory(username="uploader", role="interviewer")
    other = UserFactory(username="other", role="interviewer")
    job = BankImportJob.objects.create(source_name="ai.md", content=b"x", requested_by=uploader)
    assert bank_import_job_for(user=uploader, pk=job.pk) == job
    assert bank_import_job_for(user=other, pk=job.pk) is None
    assert bank_import_job_for(user=admin_user, pk=job.pk) == job
    other_admin = UserFactory(username="root2", role="admin")
    client.force_login(other_admin)
    assert client.get(f"/bank/import/jobs/{job.pk}/").status_code == 200
    assert client.get(f"/bank/import/jobs/{job.pk + 1}/").status_code == 404
    client.force_login(other)  # interviewers may not import at all
    assert client.get(f"/bank/import/jobs/{job.pk}/").status_code == 403
