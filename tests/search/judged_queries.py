"""A small judged set for Vietnamese search quality (issue 20).

40 records of the kinds the portal holds (hotels, homestays, resorts, villas,
heritage sites, restaurants, tour operators, guides, islands, spas …) and 32
queries, each with the records a person judged must appear in the first three
results (one to three of them; the order inside the top three is not judged).
Queries come with and without diacritics, as visitors type them.

Used by ``tests/search/test_judged_queries.py`` (the floor) and reported in
docs/performance.md ("Search quality: judged queries").
"""

from __future__ import annotations

# title, notes, tags (comma-separated), English title
RECORDS: list[tuple[str, str, str, str]] = [
    (
        "Khách sạn Biển Xanh Nha Trang",
        "Khách sạn 4 sao trên đường Trần Phú, nhìn ra vịnh Nha Trang.",
        "khách sạn,biển",
        "Blue Sea Hotel Nha Trang",
    ),
    (
        "Khách sạn Sao Biển Cam Ranh",
        "Khách sạn gần sân bay Cam Ranh, có hồ bơi.",
        "khách sạn,sân bay",
        "Starfish Hotel Cam Ranh",
    ),
    ("Khách sạn Hòn Tre", "Khách sạn nhỏ ở trung tâm Nha Trang.", "khách sạn", ""),
    (
        "Homestay Vĩnh Hy",
        "Homestay của gia đình ngư dân ở vịnh Vĩnh Hy, Ninh Thuận.",
        "homestay",
        "",
    ),
    ("Homestay Đồi Cát", "Homestay gần đồi cát Nam Cương, Phan Rang.", "homestay", ""),
    ("Homestay Ninh Vân", "Nhà gỗ bên bãi biển Ninh Vân, yên tĩnh.", "homestay,biển", ""),
    (
        "Resort Bãi Dài Cam Ranh",
        "Khu nghỉ dưỡng 5 sao trên bãi Dài, có spa và sân golf.",
        "resort,golf,spa",
        "Long Beach Resort Cam Ranh",
    ),
    ("Resort Dốc Lết Ninh Hòa", "Khu nghỉ dưỡng bên bãi biển Dốc Lết.", "resort,biển", ""),
    (
        "Trung tâm lặn biển Hòn Mun",
        "Lặn biển ngắm san hô ở khu bảo tồn biển Hòn Mun.",
        "lặn biển,san hô",
        "Hon Mun diving centre",
    ),
    (
        "Câu lạc bộ lặn Rainbow",
        "Lặn bình khí, khóa học lặn cho người mới bắt đầu.",
        "lặn",
        "Rainbow diving club",
    ),
    (
        "Tháp Bà Ponagar",
        "Di tích kiến trúc Chăm Pa thế kỷ VIII–XIII ở Nha Trang, di tích quốc gia đặc biệt.",
        "di tích,tháp chàm",
        "Ponagar Tower",
    ),
    ("Tháp Po Klong Garai", "Tháp Chăm cổ ở Phan Rang – Tháp Chàm, Ninh Thuận.", "tháp chàm", ""),
    ("Tháp Po Rome", "Tháp Chàm thờ vua Po Rome ở Ninh Phước.", "tháp chàm", ""),
    (
        "Nhà thờ Núi Nha Trang",
        "Nhà thờ chính tòa kiến trúc Gothic.",
        "tôn giáo",
        "Nha Trang Cathedral",
    ),
    (
        "Chùa Long Sơn",
        "Ngôi chùa có tượng Phật trắng lớn trên đồi Trại Thủy.",
        "tôn giáo",
        "Long Son Pagoda",
    ),
    (
        "Viện Hải dương học Nha Trang",
        "Bảo tàng sinh vật biển, di tích lịch sử.",
        "bảo tàng",
        "Oceanography Museum",
    ),
    (
        "Di tích lịch sử Thành cổ Diên Khánh",
        "Thành cổ xây năm 1793, di tích lịch sử cấp quốc gia.",
        "di tích",
        "Dien Khanh Citadel",
    ),
    (
        "Nhà hàng hải sản Ngọc Sương",
        "Nhà hàng hải sản tươi sống ở Nha Trang.",
        "hải sản,nhà hàng",
        "Ngoc Suong seafood restaurant",
    ),
    (
        "Quán hải sản Bãi Tiên",
        "Quán ăn hải sản bình dân bên đầm Thủy Triều, Cam Ranh.",
        "hải sản",
        "",
    ),
    ("Nhà hàng chay An Lạc", "Món chay, gần chợ Đầm.", "nhà hàng", "An Lac vegetarian restaurant"),
    (
        "Công ty lữ hành Biển Đông Travel",
        "Tour đảo Nha Trang, tour lặn biển, tour Vĩnh Hy.",
        "lữ hành,tour",
        "",
    ),
    (
        "Công ty du lịch Khánh Hòa Tourist",
        "Lữ hành quốc tế inbound, đón khách Nga và Hàn Quốc.",
        "lữ hành",
        "",
    ),
    (
        "Hướng dẫn viên Nguyễn Văn An",
        "Hướng dẫn viên tiếng Anh và tiếng Nga, thẻ quốc tế.",
        "hướng dẫn viên",
        "Tour guide Nguyen Van An",
    ),
    (
        "Hướng dẫn viên Trần Thị Bích",
        "Hướng dẫn viên nội địa, chuyên tour di tích Chăm.",
        "hướng dẫn viên",
        "",
    ),
    (
        "Suối khoáng nóng Tháp Bà",
        "Tắm bùn khoáng nóng, spa thiên nhiên.",
        "spa,tắm bùn",
        "Thap Ba hot spring",
    ),
    ("I-Resort", "Tắm bùn khoáng, hồ bơi nước nóng.", "tắm bùn", ""),
    ("Đảo Bình Ba", "Đảo tôm hùm, bãi biển hoang sơ ở Cam Ranh.", "đảo,tôm hùm", "Binh Ba island"),
    ("Đảo Điệp Sơn", "Con đường cát giữa biển ở Vạn Ninh.", "đảo", "Diep Son island"),
    ("Vịnh Vân Phong", "Vịnh biển ở Vạn Ninh, ngắm san hô ở Đầm Môn.", "biển", "Van Phong bay"),
    ("Biệt thự du lịch Ana Villa", "Biệt thự có hồ bơi riêng ở Cam Lâm.", "biệt thự", ""),
    ("Biệt thự biển Bãi Dài", "Biệt thự nghỉ dưỡng gần biển Bãi Dài.", "biệt thự,biển", ""),
    (
        "Khu du lịch sinh thái Yang Bay",
        "Thác nước, rừng và trại cá sấu ở Khánh Vĩnh.",
        "sinh thái,thác",
        "Yang Bay eco-park",
    ),
    ("Thác Ba Hồ", "Ba hồ nước trên núi ở Ninh Hòa, leo núi.", "thác", "Ba Ho waterfall"),
    ("Chợ Đầm Nha Trang", "Chợ lớn nhất Nha Trang, đặc sản khô hải sản.", "chợ", "Dam market"),
    (
        "Cáp treo Hòn Tre",
        "Cáp treo vượt biển đến khu vui chơi trên đảo Hòn Tre.",
        "vui chơi",
        "Hon Tre cable car",
    ),
    ("Sân golf Diamond Bay", "Sân golf 18 lỗ bên biển.", "golf", "Diamond Bay golf course"),
    ("Nhà nghỉ Hoa Biển", "Nhà nghỉ bình dân, phòng giá rẻ gần biển.", "nhà nghỉ", ""),
    ("Nhà nghỉ Thanh Bình", "Nhà nghỉ gần ga Nha Trang.", "nhà nghỉ", ""),
    (
        "Làng gốm Bàu Trúc",
        "Làng nghề gốm Chăm cổ nhất Đông Nam Á, Ninh Phước.",
        "làng nghề",
        "Bau Truc pottery village",
    ),
    (
        "Vườn nho Ba Mọi",
        "Tham quan vườn nho, rượu nho Ninh Thuận.",
        "nông nghiệp",
        "Ba Moi vineyard",
    ),
]

# query, the titles that must be in the first three results
JUDGED: list[tuple[str, list[str]]] = [
    ("khách sạn nha trang", ["Khách sạn Biển Xanh Nha Trang", "Khách sạn Hòn Tre"]),
    ("khach san cam ranh", ["Khách sạn Sao Biển Cam Ranh"]),
    ("homestay", ["Homestay Vĩnh Hy", "Homestay Đồi Cát", "Homestay Ninh Vân"]),
    ("homestay vinh hy", ["Homestay Vĩnh Hy"]),
    ("lặn biển", ["Trung tâm lặn biển Hòn Mun", "Công ty lữ hành Biển Đông Travel"]),
    ("lan bien", ["Trung tâm lặn biển Hòn Mun", "Công ty lữ hành Biển Đông Travel"]),
    ("tháp chàm", ["Tháp Po Klong Garai", "Tháp Po Rome", "Tháp Bà Ponagar"]),
    ("thap cham", ["Tháp Po Klong Garai", "Tháp Po Rome", "Tháp Bà Ponagar"]),
    ("di tích lịch sử", ["Di tích lịch sử Thành cổ Diên Khánh", "Viện Hải dương học Nha Trang"]),
    ("resort cam ranh", ["Resort Bãi Dài Cam Ranh"]),
    ("khu nghỉ dưỡng", ["Resort Bãi Dài Cam Ranh", "Resort Dốc Lết Ninh Hòa"]),
    ("hải sản", ["Nhà hàng hải sản Ngọc Sương", "Quán hải sản Bãi Tiên"]),
    ("seafood restaurant", ["Nhà hàng hải sản Ngọc Sương"]),
    ("nhà hàng chay", ["Nhà hàng chay An Lạc"]),
    ("hướng dẫn viên", ["Hướng dẫn viên Nguyễn Văn An", "Hướng dẫn viên Trần Thị Bích"]),
    ("huong dan vien tieng nga", ["Hướng dẫn viên Nguyễn Văn An"]),
    ("tắm bùn", ["Suối khoáng nóng Tháp Bà", "I-Resort"]),
    ("tam bun", ["Suối khoáng nóng Tháp Bà", "I-Resort"]),
    ("đảo", ["Đảo Bình Ba", "Đảo Điệp Sơn"]),
    ("tôm hùm", ["Đảo Bình Ba"]),
    ("biệt thự", ["Biệt thự du lịch Ana Villa", "Biệt thự biển Bãi Dài"]),
    ("biet thu ho boi", ["Biệt thự du lịch Ana Villa"]),
    ("golf", ["Sân golf Diamond Bay", "Resort Bãi Dài Cam Ranh"]),
    ("chùa", ["Chùa Long Sơn"]),
    ("nhà thờ", ["Nhà thờ Núi Nha Trang"]),
    ("oceanography museum", ["Viện Hải dương học Nha Trang"]),
    ("lữ hành", ["Công ty lữ hành Biển Đông Travel", "Công ty du lịch Khánh Hòa Tourist"]),
    ("nhà nghỉ giá rẻ", ["Nhà nghỉ Hoa Biển"]),
    ("làng gốm chăm", ["Làng gốm Bàu Trúc"]),
    ("thác nước", ["Khu du lịch sinh thái Yang Bay", "Thác Ba Hồ"]),
    ("vinh van phong", ["Vịnh Vân Phong"]),
    ("cáp treo", ["Cáp treo Hòn Tre"]),
]
