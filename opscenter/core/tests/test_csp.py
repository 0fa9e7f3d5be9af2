"""The Content Security Policy and what it needs from the pages: no inline script or event handler anywhere,
only same-origin scripts and styles (the API docs included, so they work offline too), private uploads."""

import re
import stat
from pathlib import Path

import django
import ninja
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opscenter.org.roles import Role

OPSCENTER = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
SCRIPT_URL = re.compile(r"javascript:", re.I)
HTMX_EVAL = re.compile(r"\bhx-on|\bhx-(?:vals|vars)=[\"']\s*js:", re.I)


def _offences(html: str) -> list[str]:
    return [m.group(0)[:80] for rx in (INLINE_SCRIPT, INLINE_HANDLER, SCRIPT_URL, HTMX_EVAL) for m in rx.finditer(html)]


def _templates() -> list[Path]:
    admin = Path(django.__file__).parent / "contrib" / "admin" / "templates"
    ninja_templates = Path(ninja.__file__).parent / "templates" / "ninja"
    return [*OPSCENTER.rglob("templates/**/*.html"), *admin.rglob("*.html"),
            ninja_templates / "swagger.html", ninja_templates / "favicons.html"]


def test_no_template_has_an_inline_script_or_event_handler():
    templates = _templates()
    assert len(templates) > 50
    offences = {str(t): found for t in templates if (found := _offences(t.read_text()))}
    assert offences == {}


def test_the_policy_allows_scripts_from_this_site_only(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and "'self'" in directives["connect-src"]
    assert "https://tile.openstreetmap.org" in directives["img-src"]  # the map tiles (MAP_TILE_URL)


def _page_urls() -> list[str]:
    """Every named page that needs no argument, across the URL namespaces."""
    urls = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.regex.groups:
                try:
                    urls.append(reverse(f"{namespace}{p.name}"))
                except Exception:
                    continue

    walk(get_resolver().url_patterns, "")
    return sorted(set(urls))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EPIDEMIOLOGIST, Role.DISPATCHER, Role.SECURITY])
def test_every_page_passes_the_policy(city, role):
    user = city.user(role, "A" if role == Role.SECURITY else "-")
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save()
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    pages = [u for u in _page_urls() if not u.startswith(("/events/", "/logout", "/i18n/"))]
    checked = 0
    for url in pages:
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        assert _offences(html) == [], url
        assert "Content-Security-Policy" in response, url
        for ref in re.findall(r"<(?:script|link)[^>]*\b(?:src|href)=\"([^\"]+)\"", html):
            assert ref == "data:," or (ref.startswith("/") and not ref.startswith("//")), (url, ref)  # data: icon
        checked += 1
    assert checked >= 10


def test_the_api_docs_load_only_from_this_site(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"<(?:script|link)[^>]*\b(?:src|href)=\"([^\"]+)\"", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    assert _offences(html) == []
    for asset in assets:
        assert asset.startswith("/static/"), asset  # no CDN: works offline and under the CSP
        assert client.get(asset).status_code == 200, asset


def test_uploads_are_private(city, api_client, settings, tmp_path):
    from opscenter.work.tests.conftest import pdf_bytes, upload

    settings.MEDIA_ROOT = tmp_path / "media"
    response = upload(api_client(Role.HOSPITAL_MANAGER), pdf_bytes("Báo cáo"), "bao-cao.pdf")
    assert response.status_code in (200, 201), response.content
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    folders = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_dir()]
    assert folders and all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in folders)
