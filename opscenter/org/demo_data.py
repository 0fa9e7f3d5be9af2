"""The demo health network of Ho Chi Minh City, as organised since 1 July 2025.

Real names, addresses and official ward codes (Quyết định 19/2025/QĐ-TTg); populations, coordinates
and bed counts are approximate. No Django here: the seed and the tests read these lists as plain data.
"""

from __future__ import annotations

from typing import Any

# Every demo account's password (the seed and the domain apps' demo hooks create accounts).
DEMO_PASSWORD = "opscenter-demo"

BED_TYPES = ("emergency", "icu", "internal_medicine", "surgery", "paediatrics", "infectious", "obstetrics")

# code, name, former district(s), population, latitude, longitude
_WARDS: list[tuple[str, str, str, int, float, float]] = [
    ("26740", "Phường Sài Gòn", "Quận 1", 47_000, 10.7780, 106.7020),
    ("26737", "Phường Tân Định", "Quận 1", 48_500, 10.7905, 106.6905),
    ("26743", "Phường Bến Thành", "Quận 1", 71_900, 10.7700, 106.6920),
    ("26758", "Phường Cầu Ông Lãnh", "Quận 1", 78_700, 10.7620, 106.6940),
    ("27154", "Phường Bàn Cờ", "Quận 3", 67_600, 10.7725, 106.6800),
    ("27139", "Phường Xuân Hòa", "Quận 3", 48_500, 10.7800, 106.6880),
    ("27142", "Phường Nhiêu Lộc", "Quận 3", 88_100, 10.7870, 106.6790),
    ("27259", "Phường Xóm Chiếu", "Quận 4", 57_900, 10.7580, 106.7090),
    ("27265", "Phường Khánh Hội", "Quận 4", 94_500, 10.7585, 106.6990),
    ("27301", "Phường Chợ Quán", "Quận 5", 63_500, 10.7560, 106.6810),
    ("27316", "Phường An Đông", "Quận 5", 81_200, 10.7570, 106.6700),
    ("27343", "Phường Chợ Lớn", "Quận 5", 85_100, 10.7545, 106.6600),
    ("27367", "Phường Bình Tây", "Quận 6", 45_900, 10.7500, 106.6450),
    ("27349", "Phường Phú Lâm", "Quận 6", 74_300, 10.7520, 106.6330),
    ("27478", "Phường Tân Thuận", "Quận 7", 125_300, 10.7520, 106.7300),
    ("27475", "Phường Tân Hưng", "Quận 7", 182_400, 10.7440, 106.7050),
    ("27487", "Phường Tân Mỹ", "Quận 7", 66_900, 10.7300, 106.7180),
    ("27418", "Phường Chánh Hưng", "Quận 8", 190_700, 10.7430, 106.6700),
    ("27169", "Phường Diên Hồng", "Quận 10", 59_200, 10.7710, 106.6620),
    ("27190", "Phường Vườn Lài", "Quận 10", 76_400, 10.7660, 106.6720),
    ("27163", "Phường Hòa Hưng", "Quận 10", 75_200, 10.7780, 106.6680),
    ("27238", "Phường Minh Phụng", "Quận 11", 74_500, 10.7600, 106.6450),
    ("27226", "Phường Phú Thọ", "Quận 11", 62_000, 10.7680, 106.6520),
    ("26791", "Phường Đông Hưng Thuận", "Quận 12", 110_000, 10.8430, 106.6300),
    ("26944", "Phường Gia Định", "Quận Bình Thạnh", 120_300, 10.8020, 106.6990),
    ("26929", "Phường Bình Thạnh", "Quận Bình Thạnh", 117_500, 10.8090, 106.7010),
    ("26956", "Phường Thạnh Mỹ Tây", "Quận Bình Thạnh", 152_400, 10.8000, 106.7200),
    ("26890", "Phường Hạnh Thông", "Quận Gò Vấp", 127_100, 10.8200, 106.6800),
    ("26884", "Phường Gò Vấp", "Quận Gò Vấp", 99_600, 10.8370, 106.6680),
    ("26898", "Phường Thông Tây Hội", "Quận Gò Vấp", 118_800, 10.8420, 106.6560),
    ("27073", "Phường Phú Nhuận", "Quận Phú Nhuận", 65_200, 10.7960, 106.6800),
    ("26977", "Phường Tân Sơn Hòa", "Quận Tân Bình", 58_800, 10.7985, 106.6670),
    ("26968", "Phường Tân Sơn Nhất", "Quận Tân Bình", 66_700, 10.7950, 106.6560),
    ("27004", "Phường Tân Bình", "Quận Tân Bình", 87_900, 10.8030, 106.6400),
    ("27031", "Phường Tân Phú", "Quận Tân Phú", 89_100, 10.7850, 106.6350),
    ("27442", "Phường Bình Tân", "Quận Bình Tân", 137_200, 10.7680, 106.5980),
    ("27457", "Phường Tân Tạo", "Quận Bình Tân, Huyện Bình Chánh", 113_900, 10.7330, 106.5900),
    ("26824", "Phường Thủ Đức", "Thành phố Thủ Đức", 120_700, 10.8500, 106.7600),
    ("26803", "Phường Tam Bình", "Thành phố Thủ Đức", 146_600, 10.8640, 106.7420),
    ("27097", "Phường Bình Trưng", "Thành phố Thủ Đức", 108_100, 10.7860, 106.7620),
    ("27094", "Phường An Khánh", "Thành phố Thủ Đức", 73_600, 10.7900, 106.7300),
    ("26833", "Phường Long Bình", "Thành phố Thủ Đức", 100_800, 10.8900, 106.8300),
    ("25747", "Phường Thủ Dầu Một", "Thành phố Thủ Dầu Một (Bình Dương)", 165_000, 10.9850, 106.6580),
    ("25942", "Phường Dĩ An", "Thành phố Dĩ An (Bình Dương)", 227_800, 10.9050, 106.7700),
    ("25978", "Phường Thuận An", "Thành phố Thuận An (Bình Dương)", 120_000, 10.9300, 106.7100),
    ("26506", "Phường Vũng Tàu", "Thành phố Vũng Tàu (Bà Rịa – Vũng Tàu)", 117_400, 10.3460, 107.0800),
    ("26542", "Phường Phước Thắng", "Thành phố Vũng Tàu (Bà Rịa – Vũng Tàu)", 52_600, 10.3920, 107.1180),
    ("26560", "Phường Bà Rịa", "Thành phố Bà Rịa (Bà Rịa – Vũng Tàu)", 52_300, 10.4960, 107.1700),
    ("26572", "Phường Tam Long", "Thành phố Bà Rịa (Bà Rịa – Vũng Tàu)", 41_100, 10.5180, 107.1900),
    ("26704", "Phường Phú Mỹ", "Thị xã Phú Mỹ (Bà Rịa – Vũng Tàu)", 78_600, 10.5900, 107.0500),
    ("27637", "Xã Bình Chánh", "Huyện Bình Chánh", 76_200, 10.6700, 106.5700),
    ("27601", "Xã Vĩnh Lộc", "Huyện Bình Chánh", 167_000, 10.8100, 106.5700),
    ("27619", "Xã Bình Hưng", "Huyện Bình Chánh, Quận 8", 183_500, 10.7200, 106.6700),
    ("27655", "Xã Nhà Bè", "Huyện Nhà Bè", 156_500, 10.6950, 106.7380),
    ("27664", "Xã Cần Giờ", "Huyện Cần Giờ", 22_100, 10.4120, 106.9540),
    ("27553", "Xã Củ Chi", "Huyện Củ Chi", 128_600, 10.9340, 106.5560),
    ("27496", "Xã Tân An Hội", "Huyện Củ Chi", 84_300, 10.9750, 106.4900),
    ("27508", "Xã An Nhơn Tây", "Huyện Củ Chi", 40_900, 11.0500, 106.4950),
    ("27559", "Xã Hóc Môn", "Huyện Hóc Môn", 88_600, 10.8850, 106.5950),
    ("27592", "Xã Bà Điểm", "Huyện Hóc Môn", 192_200, 10.8450, 106.6000),
    # Côn Đảo lies 180 km out at sea, south of every other unit of the city.
    ("26732", "Đặc khu Côn Đảo", "Huyện Côn Đảo (Bà Rịa – Vũng Tàu)", 10_000, 8.6830, 106.6080),
]


def _ward_kind(name: str) -> str:
    if name.startswith("Đặc khu"):
        return "special_zone"
    return "commune" if name.startswith("Xã") else "ward"


WARDS: list[dict[str, Any]] = [
    {"code": code, "name": name, "kind": _ward_kind(name), "former_district": former,
     "population": population, "latitude": lat, "longitude": lon}
    for code, name, former, population, lat, lon in _WARDS
]

DEPARTMENT: dict[str, Any] = {
    "code": "SYT", "name": "Sở Y tế Thành phố Hồ Chí Minh", "short_name": "Sở Y tế",
    "address": "59 Nguyễn Thị Minh Khai", "ward_code": "26743", "latitude": 10.7741, "longitude": 106.6925,
}


def _hospital(code: str, name: str, short_name: str, level: str, address: str, ward_code: str,
              position: tuple[float, float], specialties: list[str], beds: tuple[int, ...],
              is_pilot: bool = False) -> dict[str, Any]:
    """`beds` lists licensed beds in BED_TYPES order."""
    return {
        "code": code, "name": name, "short_name": short_name, "level": level, "address": address,
        "ward_code": ward_code, "latitude": position[0], "longitude": position[1], "specialties": specialties,
        "is_pilot": is_pilot, "beds": dict(zip(BED_TYPES, beds, strict=True)),
    }


# beds: emergency, icu, internal medicine, surgery, paediatrics, infectious, obstetrics
HOSPITALS: list[dict[str, Any]] = [
    _hospital("BV-CHORAY", "Bệnh viện Chợ Rẫy", "BV Chợ Rẫy", "central", "201B Nguyễn Chí Thanh", "27343",
              (10.7579, 106.6593), ["general", "trauma", "stroke", "cardiac", "burns", "oncology"],
              (130, 220, 720, 680, 0, 90, 0), is_pilot=True),
    _hospital("BV-ND115", "Bệnh viện Nhân dân 115", "BV Nhân dân 115", "city", "527 Sư Vạn Hạnh", "27163",
              (10.7747, 106.6673), ["general", "stroke", "cardiac", "trauma"],
              (80, 120, 600, 450, 40, 40, 60), is_pilot=True),
    _hospital("BV-NDGD", "Bệnh viện Nhân dân Gia Định", "BV Nhân dân Gia Định", "city", "1 Nơ Trang Long",
              "26944", (10.8037, 106.7027), ["general", "trauma", "stroke", "cardiac", "obstetrics"],
              (90, 100, 550, 400, 120, 50, 150), is_pilot=True),
    _hospital("BV-NHIETDOI", "Bệnh viện Bệnh Nhiệt đới", "BV Bệnh Nhiệt đới", "city", "764 Võ Văn Kiệt",
              "27301", (10.7527, 106.6786), ["infectious", "respiratory"],
              (30, 50, 60, 0, 150, 260, 0), is_pilot=True),
    _hospital("BV-NHIDONG1", "Bệnh viện Nhi Đồng 1", "BV Nhi Đồng 1", "city", "341 Sư Vạn Hạnh", "27190",
              (10.7687, 106.6702), ["paediatrics", "infectious", "respiratory"],
              (80, 150, 0, 120, 900, 150, 0), is_pilot=True),
    _hospital("BV-NHIDONG2", "Bệnh viện Nhi Đồng 2", "BV Nhi Đồng 2", "city", "14 Lý Tự Trọng", "26740",
              (10.7814, 106.7028), ["paediatrics", "infectious", "respiratory"],
              (70, 120, 0, 150, 850, 110, 0)),
    _hospital("BV-NHIDONGTP", "Bệnh viện Nhi đồng Thành phố", "BV Nhi đồng Thành phố", "city",
              "15 Võ Trần Chí", "27457", (10.7226, 106.5878), ["paediatrics", "infectious", "respiratory"],
              (60, 100, 0, 120, 600, 120, 0)),
    _hospital("BV-TUDU", "Bệnh viện Từ Dũ", "BV Từ Dũ", "city", "284 Cống Quỳnh", "26743",
              (10.7687, 106.6858), ["obstetrics"], (40, 60, 0, 150, 150, 0, 1100)),
    _hospital("BV-HUNGVUONG", "Bệnh viện Hùng Vương", "BV Hùng Vương", "city", "128 Hồng Bàng", "27343",
              (10.7557, 106.6603), ["obstetrics"], (30, 40, 0, 100, 80, 0, 550)),
    _hospital("BV-UNGBUOU", "Bệnh viện Ung Bướu Thành phố Hồ Chí Minh", "BV Ung Bướu", "city",
              "47 Nguyễn Huy Lượng", "26929", (10.8056, 106.6963), ["oncology"],
              (20, 40, 700, 700, 60, 0, 0)),
    _hospital("BV-CTCH", "Bệnh viện Chấn thương Chỉnh hình", "BV Chấn thương Chỉnh hình", "city",
              "929 Trần Hưng Đạo", "27301", (10.7548, 106.6787), ["trauma"], (60, 40, 0, 500, 0, 0, 0)),
    _hospital("BV-DHYD", "Bệnh viện Đại học Y Dược Thành phố Hồ Chí Minh", "BV Đại học Y Dược", "central",
              "215 Hồng Bàng", "27343", (10.7554, 106.6645), ["general", "cardiac", "stroke", "oncology"],
              (50, 80, 400, 400, 30, 20, 80)),
    _hospital("BV-THONGNHAT", "Bệnh viện Thống Nhất", "BV Thống Nhất", "central", "1 Lý Thường Kiệt", "26968",
              (10.7920, 106.6531), ["general", "cardiac", "stroke"],
              (60, 100, 650, 350, 0, 40, 0), is_pilot=True),
    _hospital("BV-BINHDAN", "Bệnh viện Bình Dân", "BV Bình Dân", "city", "371 Điện Biên Phủ", "27154",
              (10.7732, 106.6798), ["general", "trauma"], (40, 50, 0, 620, 0, 0, 0)),
    _hospital("BV-NTP", "Bệnh viện Nguyễn Tri Phương", "BV Nguyễn Tri Phương", "city", "468 Nguyễn Trãi",
              "27316", (10.7551, 106.6660), ["general", "trauma", "stroke", "obstetrics"],
              (50, 60, 350, 250, 40, 30, 60), is_pilot=True),
    _hospital("BV-TRUNGVUONG", "Bệnh viện Trưng Vương", "BV Trưng Vương", "city", "266 Lý Thường Kiệt",
              "27169", (10.7711, 106.6597), ["general", "trauma", "stroke"],
              (60, 50, 300, 250, 0, 40, 0), is_pilot=True),
    _hospital("BV-ANBINH", "Bệnh viện An Bình", "BV An Bình", "city", "146 An Bình", "27316",
              (10.7555, 106.6736), ["general", "obstetrics"], (30, 30, 200, 150, 30, 20, 40)),
    _hospital("BV-NGUYENTRAI", "Bệnh viện Nguyễn Trãi", "BV Nguyễn Trãi", "city", "314 Nguyễn Trãi", "27316",
              (10.7554, 106.6714), ["general", "obstetrics"], (40, 40, 300, 200, 50, 30, 40)),
    _hospital("BV-PNT", "Bệnh viện Phạm Ngọc Thạch", "BV Phạm Ngọc Thạch", "city", "120 Hùng Vương", "27343",
              (10.7560, 106.6620), ["respiratory", "infectious"], (20, 40, 350, 100, 40, 250, 0)),
    _hospital("BV-LVT", "Bệnh viện Lê Văn Thịnh", "BV Lê Văn Thịnh", "city", "130 Lê Văn Thịnh", "27097",
              (10.7870, 106.7606), ["general", "obstetrics"], (40, 30, 180, 120, 50, 20, 60)),
    _hospital("BV-THUDUC", "Bệnh viện Thủ Đức", "BV Thủ Đức", "city", "29 Phú Châu", "26803",
              (10.8606, 106.7430), ["general", "trauma", "stroke", "obstetrics", "paediatrics"],
              (60, 60, 350, 250, 120, 40, 120)),
    _hospital("BV-BINHDUONG", "Bệnh viện Đa khoa Bình Dương", "BV Đa khoa Bình Dương", "regional",
              "5 Phạm Ngọc Thạch", "25747", (10.9921, 106.6588),
              ["general", "trauma", "stroke", "cardiac", "obstetrics", "paediatrics"],
              (80, 100, 550, 400, 180, 60, 130)),
    _hospital("BV-BARIA", "Bệnh viện Bà Rịa", "BV Bà Rịa", "regional", "686 Võ Văn Kiệt", "26572",
              (10.5177, 107.1868), ["general", "trauma", "stroke", "obstetrics", "paediatrics"],
              (50, 50, 300, 220, 100, 40, 90)),
    _hospital("BV-VUNGTAU", "Bệnh viện Vũng Tàu", "BV Vũng Tàu", "regional", "27 đường 2 Tháng 9", "26542",
              (10.3902, 107.1178), ["general", "trauma", "obstetrics"], (40, 40, 250, 200, 60, 30, 60)),
    _hospital("BV-HOCMON", "Bệnh viện Đa khoa khu vực Hóc Môn", "BV ĐKKV Hóc Môn", "regional",
              "65/2B Bà Triệu", "27559", (10.8866, 106.5929), ["general", "trauma", "obstetrics"],
              (40, 30, 200, 140, 80, 30, 80)),
    _hospital("BV-CUCHI", "Bệnh viện Đa khoa khu vực Củ Chi", "BV ĐKKV Củ Chi", "regional", "1307 Tỉnh lộ 7",
              "27508", (11.0480, 106.4950), ["general", "trauma", "obstetrics"],
              (40, 30, 180, 120, 60, 20, 50)),
    _hospital("BV-175", "Bệnh viện Quân y 175", "BV Quân y 175", "central", "786 Nguyễn Kiệm", "26890",
              (10.8178, 106.6786), ["general", "trauma", "stroke", "cardiac", "burns"],
              (80, 120, 650, 650, 0, 50, 50)),
    _hospital("BV-VIENTIM", "Viện Tim Thành phố Hồ Chí Minh", "Viện Tim", "city", "4 Dương Quang Trung",
              "27163", (10.7735, 106.6658), ["cardiac"], (20, 40, 80, 60, 30, 0, 0)),
    _hospital("BV-DKSAIGON", "Bệnh viện Đa khoa Sài Gòn", "BV Đa khoa Sài Gòn", "city", "125 Lê Lợi", "26743",
              (10.7723, 106.6982), ["general"], (30, 20, 150, 100, 0, 0, 0)),
    _hospital("BV-FV", "Bệnh viện FV", "BV FV", "private", "6 Nguyễn Lương Bằng", "27487",
              (10.7339, 106.7188), ["general", "cardiac", "oncology"], (20, 20, 80, 70, 20, 0, 30)),
    _hospital("BV-TAMANH", "Bệnh viện Đa khoa Tâm Anh Thành phố Hồ Chí Minh", "BV Tâm Anh", "private",
              "2B Phổ Quang", "26977", (10.8008, 106.6665), ["general", "cardiac", "stroke", "obstetrics"],
              (20, 30, 150, 150, 50, 0, 100)),
]

EMERGENCY_CENTER: dict[str, Any] = {
    "code": "CC115", "name": "Trung tâm Cấp cứu 115 Thành phố Hồ Chí Minh", "short_name": "Cấp cứu 115",
    "address": "1 Phạm Hữu Chí", "ward_code": "27343", "latitude": 10.7574, "longitude": 106.6566,
}

# code suffix, place, address, ward code, latitude, longitude; many stations sit at a hospital.
_STATIONS: list[tuple[str, str, str, str, float, float]] = [
    ("S01", "Sài Gòn", "125 Lê Lợi", "26743", 10.7723, 106.6982),
    ("S02", "Gia Định", "1 Nơ Trang Long", "26944", 10.8037, 106.7027),
    ("S03", "Thủ Đức", "29 Phú Châu", "26803", 10.8606, 106.7430),
    ("S04", "Bình Trưng", "130 Lê Văn Thịnh", "27097", 10.7870, 106.7606),
    ("S05", "Tân Hưng", "101 Nguyễn Thị Thập", "27475", 10.7385, 106.7150),
    ("S06", "Bình Tân", "809 Hương lộ 2", "27442", 10.7715, 106.6030),
    ("S07", "Bình Chánh", "Quốc lộ 1", "27637", 10.6830, 106.5800),
    ("S08", "Hóc Môn", "65/2B Bà Triệu", "27559", 10.8866, 106.5929),
    ("S09", "Củ Chi", "Quốc lộ 22", "27553", 10.9340, 106.5560),
    ("S10", "Nhà Bè", "Nguyễn Bình", "27655", 10.6950, 106.7380),
    ("S11", "Cần Giờ", "Lương Văn Nho", "27664", 10.4120, 106.9540),
    ("S12", "Gò Vấp", "641 Quang Trung", "26898", 10.8385, 106.6575),
    ("S13", "Thủ Dầu Một", "5 Phạm Ngọc Thạch", "25747", 10.9921, 106.6588),
    ("S14", "Vũng Tàu", "27 đường 2 Tháng 9", "26542", 10.3902, 107.1178),
]

AMBULANCE_STATIONS: list[dict[str, Any]] = [
    {"code": f"CC115-{suffix}", "name": f"Trạm cấp cứu 115 {place}", "short_name": f"Trạm 115 {place}",
     "address": address, "ward_code": ward_code, "latitude": lat, "longitude": lon}
    for suffix, place, address, ward_code, lat, lon in _STATIONS
]
