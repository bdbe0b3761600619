# Production image: gunicorn serves the web app, the same image runs Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Fonts with Chinese glyphs and Pango for PDF reports; gettext for compilemessages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b gettext curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 app
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY accounts ./accounts
COPY questions ./questions
COPY candidates ./candidates
COPY interviews ./interviews
RUN pip install .

COPY . .
# collectstatic needs settings to load; these values exist only during the build.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media && chown -R app:app /app/var

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "60", "--access-logfile", "-"]
