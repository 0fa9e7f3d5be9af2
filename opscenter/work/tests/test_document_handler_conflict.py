"""No lost update on who handles a document: assigning or forwarding from a page (or client) that showed another
handler than the one given the document since is refused (409) naming them. Directives, tasks and meetings only
move through states under a row lock, and their notes and votes are appended, so a stale page cannot undo them."""

import re

import pytest

from opscenter.org.roles import Role
from opscenter.work.models import Document

from .test_documents import incoming, post

pytestmark = pytest.mark.django_db


def shown_handler(html: str, action: str) -> str:
    form = html.split(f"/{action}/", 1)[1].split("</form>", 1)[0]
    found = re.search(r'name="current_handler" value="([^"]*)"', form)
    assert found, f"the {action} form says which handler the page showed"
    return found.group(1)


def test_assigning_from_a_stale_page_is_refused_naming_the_handler(api_client, city):
    tab_one, tab_two = api_client(Role.CLERK, language="en"), api_client(Role.CLERK, language="en")
    document = incoming(tab_one).json()
    page = f"/work/documents/{document['id']}/"
    seen = shown_handler(tab_two.get(page).content.decode(), "assign")
    assert seen == ""
    given = post(tab_one, f"/api/work/documents/{document['id']}/assign", {"handler": "operator",
                                                                            "expected_handler": ""})
    assert given.status_code == 200

    refused = tab_two.post(f"{page}assign/", {"handler": "leader", "current_handler": seen}, follow=True)
    assert "Meanwhile the document was given to operator" in refused.content.decode()
    assert Document.objects.get(pk=document["id"]).handler.username == "operator"

    now_seen = shown_handler(tab_two.get(page).content.decode(), "assign")
    assert now_seen == "operator"
    tab_two.post(f"{page}assign/", {"handler": "leader", "current_handler": now_seen})
    assert Document.objects.get(pk=document["id"]).handler.username == "leader"


def test_api_forward_with_a_stale_expected_handler_is_a_409(api_client, city):
    clerk = api_client(Role.CLERK)
    document = incoming(clerk).json()
    post(clerk, f"/api/work/documents/{document['id']}/assign", {"handler": "operator"})
    post(clerk, f"/api/work/documents/{document['id']}/assign", {"handler": "leader", "expected_handler": "operator"})
    from_clerk = post(clerk, f"/api/work/documents/{document['id']}/forward",
                      {"handler": "operator", "expected_handler": "operator"})
    assert from_clerk.status_code == 409 and "leader" in from_clerk.json()["detail"]
    assert Document.objects.get(pk=document["id"]).handler.username == "leader"
