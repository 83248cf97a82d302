# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CORRIDOR_VAR_DIR=/srv/var
WORKDIR /srv/corridor
# WeasyPrint (the lawyer's dossier) renders with Pango, and Cyrillic with DejaVu.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY config ./config
COPY core ./core
COPY drafts ./drafts
COPY accounts ./accounts
COPY intake ./intake
COPY referrals ./referrals
COPY evacuations ./evacuations
COPY network ./network
COPY conversations ./conversations
COPY evidence ./evidence
COPY portal ./portal
COPY retention ./retention
COPY reminders ./reminders
COPY stats ./stats
COPY audit ./audit
COPY ops ./ops
COPY crypto ./crypto
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && useradd --system --home /srv corridor \
    && mkdir -p /srv/var/spool && chown -R corridor /srv/var
USER corridor
EXPOSE 8000
