"""Running administrative text: official letters, notices, reports and decisions of a commune or a department.

Sentences are written in the style of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP layout:
agency and motto, number, place and date, title, body, recipients, signature); they are the corpus's own and
are not read from any profile, template or message of the project.
"""

from __future__ import annotations

import random

from bench.corpus.draw import Sheet
from bench.corpus.papers import motto
from bench.corpus.people import long_date, name, place

AGENCIES = (
    ("ỦY BAN NHÂN DÂN", "XÃ {commune}"),
    ("UBND TỈNH {province_upper}", "SỞ TƯ PHÁP"),
    ("UBND TỈNH {province_upper}", "SỞ XÂY DỰNG"),
    ("ỦY BAN NHÂN DÂN", "TỈNH {province_upper}"),
    ("CÔNG AN TỈNH {province_upper}", "PHÒNG QUẢN LÝ HÀNH CHÍNH"),
)
KINDS = (
    ("CV", "V/v triển khai tiếp nhận hồ sơ trực tuyến toàn trình", None),
    ("TB", None, "THÔNG BÁO"),
    ("BC", None, "BÁO CÁO"),
    ("QĐ", None, "QUYẾT ĐỊNH"),
    ("KH", None, "KẾ HOẠCH"),
)
SUBJECTS = (
    "Kết quả giải quyết thủ tục hành chính quý III năm 2026",
    "Về việc chấn chỉnh tình trạng trễ hẹn trong giải quyết hồ sơ",
    "Kết quả thực hiện công tác phòng, chống tham nhũng, tiêu cực",
    "Về việc kiện toàn Bộ phận Một cửa cấp xã",
    "Triển khai số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "Về việc công bố danh mục thủ tục hành chính được chuẩn hóa",
)
BODY = (
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc đẩy mạnh cải cách thủ tục hành chính, nâng "
    "cao chất lượng phục vụ người dân và doanh nghiệp, đơn vị báo cáo kết quả thực hiện như sau.",
    "Trong kỳ báo cáo, Bộ phận Một cửa đã tiếp nhận tổng số hồ sơ tăng so với cùng kỳ năm trước; tỷ "
    "lệ hồ sơ giải quyết đúng hạn đạt trên chín mươi phần trăm.",
    "Một số hồ sơ còn trễ hẹn do phải lấy ý kiến của cơ quan có liên quan; đơn vị đã thực hiện xin "
    "lỗi người dân bằng văn bản và hẹn lại thời gian trả kết quả.",
    "Cán bộ, công chức tại Bộ phận Một cửa có trách nhiệm hướng dẫn đầy đủ, rõ ràng, không yêu cầu bổ"
    " sung hồ sơ quá một lần trong suốt quá trình giải quyết.",
    "Việc số hóa hồ sơ được thực hiện ngay tại thời điểm tiếp nhận; bản điện tử được ký số và lưu trữ"
    " trên hệ thống thông tin giải quyết thủ tục hành chính của tỉnh.",
    "Đề nghị Thủ trưởng các cơ quan, đơn vị quán triệt nội dung văn bản này đến toàn thể cán bộ, công"
    " chức, viên chức và người lao động thuộc phạm vi quản lý.",
    "Công tác phòng, chống tham nhũng, tiêu cực được quan tâm chỉ đạo thường xuyên; không phát hiện "
    "trường hợp nhũng nhiễu, gây phiền hà cho tổ chức, cá nhân.",
    "Giao Văn phòng chủ trì, phối hợp với các phòng chuyên môn theo dõi, đôn đốc và tổng hợp kết quả,"
    " báo cáo trước ngày hai mươi hằng tháng.",
    "Trường hợp hồ sơ chưa đầy đủ, chưa hợp lệ, cán bộ tiếp nhận phải hướng dẫn một lần, đầy đủ bằng "
    "phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.",
    "Người đứng đầu cơ quan chịu trách nhiệm trước Chủ tịch Ủy ban nhân dân tỉnh nếu để xảy ra sai "
    "phạm trong quá trình tiếp nhận và trả kết quả.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước theo phân cấp hiện hành và các nguồn "
    "hợp pháp khác theo quy định của pháp luật.",
    "Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Giám đốc các sở, ban, ngành và Chủ "
    "tịch Ủy ban nhân dân các xã chịu trách nhiệm thi hành.",
    "Các chỉ tiêu về mức độ hài lòng của người dân được khảo sát định kỳ, công khai trên cổng thông "
    "tin điện tử của đơn vị để nhân dân theo dõi, giám sát.",
    "Đối với các thủ tục có tỷ lệ trễ hạn cao, đề nghị rà soát quy trình nội bộ, cắt giảm thời gian "
    "giải quyết và đơn giản hóa thành phần hồ sơ.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị kịp thời phản ánh về Sở Nội vụ"
    " để tổng hợp, báo cáo cấp có thẩm quyền xem xét, quyết định.",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025; căn cứ Nghị định số "
    "118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ.",
)
ROLES = ("CHỦ TỊCH", "GIÁM ĐỐC", "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN", "PHÓ GIÁM ĐỐC")


def official_letter(rng: random.Random, unseen: bool) -> list[Sheet]:
    """A page of running text: agency and motto, number, date, title, 3-5 paragraphs, signature."""
    commune, province = place(rng)
    top, second = rng.choice(AGENCIES)
    fill = {"commune": commune.upper(), "province_upper": province.upper()}
    code, about, title = rng.choice(KINDS)
    s = Sheet()
    number = f"Số: {rng.randint(12, 2400)}/{code}-UBND"
    motto(s, (top.format(**fill), second.format(**fill)), number)
    s.line(f"{province}, {long_date(rng)}", "serif-italic", 46, "right", gap=10)
    if title:
        s.line(title, "serif-bold", 54, "center", gap=40)
        s.line(rng.choice(SUBJECTS), "serif-bold", 48, "center")
    else:
        s.line(about or "", "serif", 44, "col:150:1100", gap=10)
        s.line(
            f"Kính gửi: Ủy ban nhân dân các xã, phường thuộc tỉnh {province}", "serif", 48, "center", gap=30
        )
    for sentence in rng.sample(BODY, rng.randint(3, 5)):
        if not s.fits(900):
            break
        s.paragraph(sentence)
    s.line("Nơi nhận:", "serif-bold", 40, "left", gap=40)
    y = s.y
    s.line("- Như trên;", "serif", 38, "left")
    s.line("- Lưu: VT.", "serif", 38, "left")
    s.y = y - 40
    s.signature([rng.choice(ROLES)], name(rng), rng, note="", seal=rng.random() < 0.5)
    return [s]
