"""The plain modules, without Django: folding, deadlines, clashes, numbering, minutes."""

import datetime as dt
import io
from pathlib import Path

from opscenter.work import conflicts, minutes
from opscenter.work.deadlines import Timeliness, timeliness
from opscenter.work.numbering import number_symbol
from opscenter.work.textsearch import fold, words

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def test_fold_removes_vietnamese_diacritics_and_punctuation():
    assert fold("Sốt xuất huyết Dengue") == "sot xuat huyet dengue"
    assert fold("ĐIỀU TRỊ đặc biệt") == "dieu tri dac biet"
    assert fold("Số: 123/SYT-NVY") == "so 123 syt nvy"
    assert words("Sở Y tế, sở y tế!") == ["so", "y", "te"]
    assert fold("Ngữ ảnh ưu ơn") == "ngu anh uu on"


def test_timeliness():
    h = dt.timedelta(hours=1)
    assert timeliness(T0, T0 - h, T0 + h) is Timeliness.ON_TIME
    assert timeliness(T0, T0 + h, T0 + 2 * h) is Timeliness.LATE
    assert timeliness(T0, None, T0 + h) is Timeliness.OVERDUE
    assert timeliness(T0, None, T0 - h) is Timeliness.OPEN
    assert timeliness(None, None, T0) is Timeliness.OPEN
    assert timeliness(None, T0, T0) is Timeliness.ON_TIME


def test_clashes_by_room_and_people():
    h = dt.timedelta(hours=1)
    existing = [conflicts.Booking(1, "A", T0, T0 + h, room=7, people=frozenset({1, 2})),
                conflicts.Booking(2, "B", T0 + h, T0 + 2 * h, room=7, people=frozenset({3})),
                conflicts.Booking(3, "C", T0, T0 + 2 * h, room=8, people=frozenset({4}))]
    proposed = conflicts.Booking(0, "new", T0 + h / 2, T0 + h, room=7, people=frozenset({4, 9}))
    found = {c.meeting: c for c in conflicts.clashes(proposed, existing)}
    assert set(found) == {1, 3}  # B starts when the new one ends
    assert found[1].room and not found[1].people
    assert not found[3].room and found[3].people == {4}


def test_number_and_symbol():
    assert number_symbol(5, "QĐ", "SYT") == "05/QĐ-SYT"
    assert number_symbol(123, "", "SYT-NVY") == "123/SYT-NVY"


def test_minutes_render_to_pdf_and_docx():
    import docx
    from pypdf import PdfReader

    m = minutes.Minutes(
        heading="BIÊN BẢN CUỘC HỌP", title="Giao ban", facts=[("Thời gian", "08:00 02/03/2026")],
        attendees_label="Có mặt", attendees=["Nguyễn Văn A"], agenda_label="Nội dung",
        items=[minutes.Item("Tình hình dịch", "BS. B", ["Ca bệnh tăng"], "Thông qua?", {"Đồng ý": 3})],
        general_notes=["Ghi chú chung"], conclusions_label="Kết luận",
        conclusions=[minutes.Conclusion("Bổ sung giường", "BV A", "09/03/2026")],
        labels={"owner": "Chủ trì", "deadline": "Hạn", "vote": "Biểu quyết"},
    )
    text = PdfReader(io.BytesIO(minutes.to_pdf(m, FONTS))).pages[0].extract_text()
    assert "BIÊN BẢN CUỘC HỌP" in text and "Đồng ý: 3" in text and "Chủ trì: BV A" in text
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(minutes.to_docx(m))).paragraphs)
    assert "Ca bệnh tăng" in body and "Bổ sung giường (Chủ trì: BV A; Hạn: 09/03/2026)" in body
