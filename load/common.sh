# Sourced by the load scripts (load/run.sh, load/cluster.sh): locust's venv and the production profile on loopback.

# locust lives in its own venv: it pulls gevent and Flask, which the portal does not need.
locust_venv() {
  if [ ! -f load/.venv/.installed ] || [ load/requirements.txt -nt load/.venv/.installed ]; then
    python3 -m venv load/.venv
    load/.venv/bin/python -m pip install --quiet --disable-pip-version-check -r load/requirements.txt
    touch load/.venv/.installed
  fi
}

# The production profile, except what only the TLS-terminating proxy can give on loopback: plain HTTP here.
production_on_loopback() {
  export DJANGO_ENV=production
  SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
  export SECRET_KEY
  export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 BEHIND_HTTPS_PROXY=0
  export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend NOTIFICATIONS_EMAIL_AT_ONCE=0
}
