# plotly.js with only the trace types we draw, from the versions in package-lock.json.
FROM node:22-slim AS plotly
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend frontend
RUN npm run build:plotly

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# WeasyPrint (the PDF report) needs Pango; DejaVu is the report's font.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
COPY --from=plotly /build/static/vendor static/vendor
# Hashed, pre-compressed static files (plotly.js included), served by WhiteNoise.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic-key python manage.py collectstatic --noinput -v0
# Uploaded import files wait here for the worker (a volume shared with it), private.
RUN mkdir -p var/imports && chmod 700 var/imports \
    && useradd --system portal && chown -R portal /app
USER portal
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && gunicorn akto_portal.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --worker-class gthread --threads ${GUNICORN_THREADS:-4} --access-logfile -"]
