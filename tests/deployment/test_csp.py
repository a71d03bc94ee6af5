"""Content-Security-Policy: the header is sent, scripts come only from the portal's files, and no template
(ours, present or future) carries an inline script or an on*= handler that the policy would block."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]

COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
DATA_SCRIPT = re.compile(r"""\btype\s*=\s*["']application/(ld\+)?json["']""", re.I)
HANDLER = re.compile(r"""<[^>]*?\s(on[a-z]+)\s*=""", re.I | re.S)
HTMX_EVAL = re.compile(r"""\shx-on[:-]|\shx-vals\s*=\s*["']\s*js:|\shx-vars\s*=""", re.I)
JS_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']\s*javascript:""", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _inline_script_problems(text: str) -> list[str]:
    problems = []
    for match in SCRIPT_TAG.finditer(text):
        attrs = match.group(1)
        if not re.search(r"\bsrc\s*=", attrs, re.I) and not DATA_SCRIPT.search(attrs):
            problems.append(f"встроенный <script> без src: {match.group(0)}")
    problems += [f"обработчик {m.group(1)}=" for m in HANDLER.finditer(text)]
    problems += [f"eval-атрибут htmx: {m.group(0).strip()}" for m in HTMX_EVAL.finditer(text)]
    problems += [f"ссылка javascript: в {m.group(1)}" for m in JS_URL.finditer(text)]
    return problems


def _templates():
    for directory in TEMPLATE_DIRS:
        yield from sorted(directory.rglob("*.html"))


def test_scanner_catches_what_the_policy_blocks():
    assert _inline_script_problems("<script>alert(1)</script>")
    assert _inline_script_problems('<button type="button"\n  onclick="go()">')
    assert _inline_script_problems('<a href="javascript:go()">')
    assert _inline_script_problems('<div hx-on:click="go()">')
    assert not _inline_script_problems("<script src=\"{% static 'js/portal.js' %}\"></script>")
    assert not _inline_script_problems('<script id="x" type="application/json">{"a": 1}</script>')
    assert not _inline_script_problems("<p>Кнопка online=да, button='x' hx-confirm=\"Удалить?\"</p>")


def test_no_template_has_inline_script_or_event_handler():
    problems = []
    for path in _templates():
        text = COMMENT.sub("", path.read_text(encoding="utf-8"))
        problems += [f"{path.relative_to(ROOT)}: {problem}" for problem in _inline_script_problems(text)]
    assert not problems, "Перенесите в static/js/ (CSP запрещает встроенные скрипты):\n" + "\n".join(problems)


def test_no_page_template_has_a_style_element():
    # style-src-elem 'self': a <style> block would be ignored by the browser. E-mails are not web pages.
    problems = []
    for path in _templates():
        if "email" in path.relative_to(ROOT).parts:
            continue
        text = COMMENT.sub("", path.read_text(encoding="utf-8"))
        if STYLE_TAG.search(text):
            problems.append(str(path.relative_to(ROOT)))
    assert not problems, "Перенесите <style> в static/css/: " + ", ".join(problems)


def test_login_page_sends_the_policy(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src-elem"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("username", ["department", "coordinator", "school"])
def test_rendered_pages_have_only_external_scripts(client, demo, username):
    from schools.models import School

    login(client, demo[username])
    school = School.objects.order_by("pk").first()
    for url in [reverse("home"), reverse("schools:list"), reverse("schools:detail", args=[school.pk])]:
        response = client.get(url)
        if response.status_code != 200:
            continue
        assert "script-src 'self';" in response["Content-Security-Policy"] + ";"
        html = response.content.decode()
        assert not _inline_script_problems(html), (url, _inline_script_problems(html))
        assert '<meta name="htmx-config"' in html


def test_no_back_office_list_has_a_style_element(client, demo, monkeypatch):
    """Django's change list writes an inline <style> when a list shows no action bar; the portal's override takes
    the rule from a file instead, so the browser does not drop it under the policy."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    from schools.models import Region

    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    # A list without its action bar: where Django would write the <style> (the override serves every change list).
    monkeypatch.setattr(admin.site._registry[Region], "actions_on_top", False)
    html = client.get(reverse("admin:schools_region_changelist")).content.decode()
    assert "admin_list_without_actions.css" in html and not STYLE_TAG.search(html)
