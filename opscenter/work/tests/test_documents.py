"""Official documents through the API: incoming from registration to closing, found by OCR'd text without
diacritics; outgoing from draft to issue (and delivered as incoming); uploads, confidentiality, numbering."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.work.models import Document, DocumentAction
from opscenter.work.tests.conftest import docx_bytes, pdf_bytes, scanned_page, signed_pdf, upload

JSON = "application/json"


def post(client, url, body=None):
    return client.post(url, body or {}, content_type=JSON)


def incoming(client, **overrides):
    body = {"doc_type": "cong_van", "number_symbol": "245/SYT-NVY", "issue_date": timezone.localdate().isoformat(),
            "issuing_body": "Bộ Y tế", "summary": "V/v tăng cường phòng chống sốt xuất huyết", "signer": "Nguyễn Văn A",
            "urgency": "urgent", **overrides}
    return post(client, "/api/work/documents/incoming", body)


def search(client, q: str) -> list[int]:
    return [d["id"] for d in client.get("/api/work/documents", {"q": q}).json()["items"]]


def test_incoming_document_from_registration_to_closing_found_by_its_scanned_text(api_client, city):
    clerk = api_client(Role.CLERK)
    scan = upload(clerk, scanned_page(), "scan.png")
    assert scan.status_code == 201, scan.content
    assert scan.json()["ocr"] is True and scan.json()["mime"] == "image/png"
    r = incoming(clerk, files=[scan.json()["id"]], summary="Công văn của Bộ")
    assert r.status_code == 201, r.content
    document = r.json()
    assert document["register_number"] == 1 and document["year"] == timezone.localdate().year
    assert document["status"] == "registered"

    # The words are only in the scan, and the query has no diacritics.
    assert search(clerk, "chuan bi giuong benh") == [document["id"]]
    assert search(clerk, "SỐT XUẤT HUYẾT") == [document["id"]]
    assert search(clerk, "245/SYT-NVY") == [document["id"]]
    assert search(clerk, "sot ret") == []

    deadline = (timezone.now() + dt.timedelta(days=2)).isoformat()
    r = post(clerk, f"/api/work/documents/{document['id']}/assign",
             {"handler": "operator", "deadline": deadline, "text": "Đề nghị xử lý"})
    assert r.status_code == 200 and r.json()["handler"] == "operator" and r.json()["status"] == "assigned"
    operator = api_client(Role.OPERATOR)
    r = post(operator, f"/api/work/documents/{document['id']}/forward", {"handler": "leader", "text": "Xin ý kiến"})
    assert r.json()["handler"] == "leader"
    leader = api_client(Role.LEADER)
    assert post(operator, f"/api/work/documents/{document['id']}/process", {"text": "x"}).status_code == 403
    r = post(leader, f"/api/work/documents/{document['id']}/process", {"text": "Giao phòng NVY theo dõi"})
    assert r.json()["status"] == "in_progress"
    r = post(leader, f"/api/work/documents/{document['id']}/close", {"text": "Đã chỉ đạo các bệnh viện"})
    assert r.json()["status"] == "closed"
    assert post(leader, f"/api/work/documents/{document['id']}/close", {"text": "again"}).status_code == 409
    trail = [a["action"] for a in clerk.get(f"/api/work/documents/{document['id']}").json()["actions"]]
    assert trail == ["registered", "assigned", "forwarded", "processed", "closed"]


def test_numbers_run_per_register_and_an_idempotent_repeat_keeps_its_number(api_client, city):
    clerk = api_client(Role.CLERK)
    first = incoming(clerk, idempotency_key="den-1").json()
    again = incoming(clerk, idempotency_key="den-1")
    second = incoming(clerk, number_symbol="12/UBND").json()
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert (first["register_number"], second["register_number"]) == (1, 2)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"summary": ""}, "summary"),
    ({"number_symbol": ""}, "number_symbol"),
    ({"issue_date": "2999-01-01"}, "issue_date"),
    ({"doc_type": "memo"}, "doc_type"),
    ({"confidentiality": 9}, "confidentiality"),
    ({"files": [424242]}, "files"),
])
def test_bad_registration_names_the_field(api_client, city, overrides, field):
    r = incoming(api_client(Role.CLERK), **overrides)
    assert r.status_code == 422 and field in [e["field"] for e in r.json()["detail"]]


def test_wrong_file_type_and_oversized_upload(api_client, city, settings):
    clerk = api_client(Role.CLERK)
    r = upload(clerk, b"MZ\x90\x00 not a document at all", "report.pdf")  # named .pdf, is not one
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "file"
    settings.WORK_MAX_UPLOAD_MB = 0.01
    r = upload(clerk, pdf_bytes("x " * 20000), "big.pdf")
    assert r.status_code == 422 and "MB" in r.json()["detail"][0]["message"]


def test_the_same_file_twice_is_stored_once_with_its_checksum(api_client, city):
    import hashlib

    clerk = api_client(Role.CLERK)
    data = docx_bytes("Kế hoạch tiêm chủng mở rộng năm 2026")
    first, again = upload(clerk, data, "ke-hoach.docx"), upload(clerk, data, "ke-hoach.docx")
    assert first.status_code == 201 and again.status_code == 200 and first.json()["id"] == again.json()["id"]
    assert first.json()["sha256"] == hashlib.sha256(data).hexdigest()
    doc = incoming(clerk, files=[first.json()["id"]], summary="Kế hoạch").json()
    assert search(clerk, "tiem chung mo rong") == [doc["id"]]


def test_signed_pdf_signature_is_verified(api_client, city):
    clerk = api_client(Role.CLERK)
    r = upload(clerk, signed_pdf("Quyết định phê duyệt kế hoạch"), "qd.pdf")
    [signature] = r.json()["signatures"]
    assert signature["intact"] and signature["valid"] and not signature["trusted"]
    assert "Giám đốc Sở Y tế" in signature["signer"]
    tampered = bytearray(signed_pdf("Quyết định phê duyệt kế hoạch"))
    at = tampered.find(b"stream") + 20  # a byte of the signed content
    tampered[at] = (tampered[at] + 1) % 256
    [broken] = upload(clerk, bytes(tampered), "qd-sua.pdf").json()["signatures"]
    assert not (broken["intact"] and broken["valid"])
    unsigned = upload(clerk, pdf_bytes("Không ký"), "thuong.pdf").json()
    assert unsigned["signatures"] == []


def test_outgoing_from_draft_to_issue_arrives_as_incoming_at_the_recipient(api_client, city):
    operator, leader, clerk = api_client(Role.OPERATOR), api_client(Role.LEADER), api_client(Role.CLERK)
    r = post(operator, "/api/work/documents/outgoing", {
        "doc_type": "cong_van", "issuer_symbol": "SYT-NVY", "summary": "V/v báo cáo công suất giường hồi sức",
        "recipients": "Như trên; Lưu VT, NVY.", "recipient_units": ["BV-A"]})
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["register_number"] is None
    draft = r.json()["id"]
    assert post(clerk, f"/api/work/documents/{draft}/submit").status_code == 403  # only the drafter
    assert post(operator, f"/api/work/documents/{draft}/submit").json()["status"] == "in_review"
    assert post(operator, f"/api/work/documents/{draft}/review", {"approve": True}).status_code == 403
    r = post(leader, f"/api/work/documents/{draft}/review", {"approve": False})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "text"
    assert post(leader, f"/api/work/documents/{draft}/review", {"approve": True}).json()["status"] == "approved"
    assert post(leader, f"/api/work/documents/{draft}/issue").status_code == 403  # the clerk numbers
    r = post(clerk, f"/api/work/documents/{draft}/issue")
    assert r.status_code == 200, r.content
    issued = r.json()
    assert issued["status"] == "issued" and issued["number_symbol"] == "01/SYT-NVY"
    assert issued["issue_date"] == timezone.localdate().isoformat() and issued["signer"] == "leader"

    manager_a = api_client(Role.HOSPITAL_MANAGER, "A")
    [received] = manager_a.get("/api/work/documents", {"direction": "in"}).json()["items"]
    assert received["unit"] == "BV-A" and received["number_symbol"] == "01/SYT-NVY"
    assert received["register_number"] == 1 and received["status"] == "registered"
    assert api_client(Role.HOSPITAL_MANAGER, "B").get("/api/work/documents").json()["items"] == []


def test_confidential_documents_by_level_and_every_view_audited(api_client, city):
    clerk = api_client(Role.CLERK)
    secret = upload(clerk, pdf_bytes("Nội dung tối mật"), "mat.pdf").json()
    doc = incoming(clerk, confidentiality=2, files=[secret["id"]]).json()  # secret
    assert api_client(Role.OPERATOR).get(f"/api/work/documents/{doc['id']}").status_code == 404  # cleared 1
    assert search(api_client(Role.OPERATOR), "toi mat") == []
    leader = api_client(Role.LEADER)
    assert leader.get(f"/api/work/documents/{doc['id']}").status_code == 200
    assert leader.get(secret["url"]).status_code == 200
    assert api_client(Role.OPERATOR).get(secret["url"]).status_code == 404
    actions = list(AuditLog.objects.filter(object_type="work.document", object_id=str(doc["id"]),
                                           actor__username="leader").order_by("pk").values_list("action", flat=True))
    assert actions == ["work.document.viewed", "work.document.downloaded"]
    r = post(clerk, f"/api/work/documents/{doc['id']}/assign", {"handler": "operator"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "handler"


def test_nothing_registered_is_deleted_it_is_cancelled(api_client, city):
    clerk = api_client(Role.CLERK)
    doc = incoming(clerk).json()
    r = post(clerk, f"/api/work/documents/{doc['id']}/cancel", {"reason": ""})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    r = post(clerk, f"/api/work/documents/{doc['id']}/cancel", {"reason": "Đăng ký nhầm"})
    assert r.json()["status"] == "cancelled" and r.json()["cancel_reason"] == "Đăng ký nhầm"
    assert incoming(clerk).json()["register_number"] == 2  # the cancelled number stays used
    assert Document.objects.count() == 2 and DocumentAction.objects.filter(action="cancelled").count() == 1


def test_scope_of_registering(api_client, city):
    assert incoming(api_client(Role.OPERATOR)).status_code == 403  # not a records clerk
    assert incoming(api_client(Role.CLERK), unit="BV-A").status_code == 201  # below the department
    assert incoming(api_client(Role.SECURITY, "A")).status_code == 403
    assert api_client(Role.SECURITY, "A").get("/api/work/documents").status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers (IMMEDIATE transactions): real concurrency needs PostgreSQL")
def test_concurrent_clerks_never_share_a_number(live_city):
    city = live_city  # the threads see only what is committed
    from opscenter.work.services import documents

    clerk = city.user(Role.CLERK)
    numbers: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(12)

    def register(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                doc, _ = documents.register_incoming(clerk, documents.DocumentFields(
                    summary=f"Văn bản {n}-{i}", number_symbol=f"{n}{i}/UB", issue_date=timezone.localdate(),
                    issuing_body="UBND"))
                numbers.append(doc.register_number or 0)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=register, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 61))
