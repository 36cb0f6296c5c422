# Premium Desk: one image for every process of the Procfile (compose.yaml picks the
# command). Not built in this project's CI (no container engine there); the rehearsal
# (tests/rehearsal) runs the same processes on the host instead.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=helpdesk.settings
WORKDIR /app

COPY pyproject.toml README.md ./
COPY helpdesk helpdesk
COPY accounts accounts
COPY sla sla
COPY chat chat
RUN pip install ".[sentry]"

COPY . .
# Static files and compiled catalogues are built into the image; collectstatic needs a
# key only to import the settings.
RUN python -m helpdesk.core.i18n_compile \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 10001 portal
USER portal
EXPOSE 8001 8002
# The web process by default; compose.yaml sets the others' commands.
CMD ["gunicorn", "helpdesk.wsgi:application", "--config", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8001"]
