"""Documents for tests, registered through the work services (numbered, audited)."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from opscenter.work.models import Document
from opscenter.work.services import documents


class IncomingDocumentFactory(factory.Factory):
    """An incoming document in the clerk's register: IncomingDocumentFactory(clerk=city.user(Role.CLERK))."""

    class Meta:
        model = Document

    clerk = None
    summary = factory.Sequence(lambda n: f"Văn bản {n}")
    number_symbol = factory.Sequence(lambda n: f"{n + 1}/UB")
    issue_date = factory.LazyFunction(timezone.localdate)
    issuing_body = "UBND"

    @classmethod
    def _create(cls, model_class: type[Document], *args: Any, clerk: Any = None, **fields: Any) -> Document:
        document, _created = documents.register_incoming(clerk, documents.DocumentFields(**fields))
        return document
