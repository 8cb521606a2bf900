"""Words of the generated documents: types with their ký hiệu and weight, issuers, subjects.

Shared by the inbox and search corpus (``inbox_search``) and the province corpus (``province_corpus``).
"""

TYPES = [("Công văn", "UBND-VP", 40), ("Quyết định", "QĐ-UBND", 20), ("Kế hoạch", "KH-UBND", 10),
         ("Thông báo", "TB-VP", 10), ("Báo cáo", "BC-STC", 10), ("Tờ trình", "TTr-SNV", 10)]
ORGANS = ["Sở Tài chính tỉnh Hà Nam", "Sở Nội vụ tỉnh Hà Nam", "Sở Tư pháp tỉnh Hà Nam",
          "Bộ Nội vụ", "Ủy ban nhân dân huyện Kim Bảng", "Sở Giáo dục và Đào tạo tỉnh Hà Nam"]
TOPICS = ["hướng dẫn lập dự toán ngân sách năm 2027", "đào tạo, bồi dưỡng cán bộ, công chức",
          "kiện toàn tổ chức bộ máy", "triển khai chuyển đổi số", "phòng chống thiên tai",
          "quyết toán vốn đầu tư xây dựng cơ bản", "cải cách hành chính", "tuyển dụng viên chức",
          "báo cáo tình hình kinh tế - xã hội", "giải quyết khiếu nại, tố cáo", "phê duyệt quy hoạch",
          "tổ chức hội nghị sơ kết", "kế hoạch đào tạo nghề cho lao động nông thôn"]
