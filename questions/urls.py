from django.urls import path

from . import views

app_name = "questions"
urlpatterns = [
    path("", views.bank_index, name="bank"),
    path("questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("preview/", views.markdown_preview, name="markdown_preview"),
    path("import/", views.bank_upload, name="bank_upload"),
    path("import/jobs/<int:pk>/", views.bank_import_job, name="bank_import_job"),
]
