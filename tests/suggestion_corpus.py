"""An evaluation set for metadata suggestions: PDFs of real ND30 layouts, generated with known answers.

``corpus()`` builds (deterministically, no binary files kept) about seventy documents:

* **ours** — drafts rendered by ``models.outgoing.render`` and issued the way QLVB issues them
  (``fill_number_and_date`` writes the số/ký hiệu and the date into their form fields), the
  layout every agency of the installation sends;
* **other layouts**, drawn with fpdf2 in Times-like Tinos the way other systems and word
  processors lay the same page out: the header as a two-column table written row by row (the
  columns interleave in the text layer) or column by column, right column first, a số/ký hiệu
  broken over two lines (after its hyphen or slash, or under a bare "Số:"), "Số:" with or without a space or colon, "SỐ" in capitals, dates with
  and without a leading zero or written 03/12/2026, agency names wrapped over two lines,
  công văn with "V/v" (on one or two lines), quyết định, tờ trình, thông báo, kế hoạch, báo cáo,
  giấy mời, whose bodies quote other numbers and dates ("Căn cứ Nghị định số 30/2020/NĐ-CP ngày
  05 tháng 3 năm 2020");
* **scanned-looking** text layers with the noise OCR leaves: "S6:", "Sô:", "So" for "Số", stray
  spaces inside the number ("1 2 / UBND - VP"), O for 0 and l for 1 in dates, "rn" for "m".

Each ``Sample`` carries the answer the văn thư would type (``truth``). ``score`` compares a
suggestion with it field by field: số and ký hiệu exactly (NFC, no spaces, upper case), the date
exactly, the issuing agency and the type by their folded words (the case of a header written in
capitals is a guess either way), the trích yếu exactly up to case and spacing.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from models.documents.duplicates import issuer_key
from models.text import fold

FIELDS = ("code_number", "code_notation", "issued_date", "organ_name", "type_name", "subject")
FONT_DIR = Path("/usr/share/fonts/truetype/croscore")


@dataclass(frozen=True)
class Agency:
    parent: str  # the line above, "" when the agency is the top of the header
    lines: tuple[str, ...]  # the agency's own name as printed (maybe wrapped over two lines)
    abbreviation: str
    place: str
    truth: str  # the issuing agency as the văn thư types it


AGENCIES = [
    Agency("UBND TỈNH NINH BÌNH", ("SỞ TÀI CHÍNH",), "STC", "Ninh Bình", "Sở Tài chính tỉnh Ninh Bình"),
    Agency("UBND TỈNH NINH BÌNH", ("SỞ NỘI VỤ",), "SNV", "Ninh Bình", "Sở Nội vụ tỉnh Ninh Bình"),
    Agency("", ("ỦY BAN NHÂN DÂN", "TỈNH NINH BÌNH"), "UBND", "Ninh Bình", "Ủy ban nhân dân tỉnh Ninh Bình"),
    Agency("UBND TỈNH HÀ NAM", ("VĂN PHÒNG",), "VP", "Hà Nam", "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"),
    Agency("UBND HUYỆN GIA VIỄN", ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",), "PGDĐT", "Gia Viễn",
           "Phòng Giáo dục và Đào tạo huyện Gia Viễn"),
    Agency("UBND TỈNH NINH BÌNH", ("SỞ NÔNG NGHIỆP VÀ", "MÔI TRƯỜNG"), "SNNMT", "Ninh Bình",
           "Sở Nông nghiệp và Môi trường tỉnh Ninh Bình"),
    Agency("", ("HỘI ĐỒNG NHÂN DÂN", "TỈNH HÀ NAM"), "HĐND", "Hà Nam", "Hội đồng nhân dân tỉnh Hà Nam"),
    Agency("UBND THÀNH PHỐ HOA LƯ", ("PHÒNG TÀI CHÍNH - KẾ HOẠCH",), "TCKH", "Hoa Lư",
           "Phòng Tài chính - Kế hoạch thành phố Hoa Lư"),
    Agency("UBND TỈNH NINH BÌNH", ("SỞ Y TẾ",), "SYT", "Ninh Bình", "Sở Y tế tỉnh Ninh Bình"),
]

# (type as printed, abbreviation in the ký hiệu, type as typed, subjects)
TYPES = [
    ("Công văn", "", "Công văn", [
        "triển khai kế hoạch chuyển đổi số năm 2027",
        "hướng dẫn lập dự toán ngân sách nhà nước năm 2027 và kế hoạch tài chính 03 năm",
        "đôn đốc báo cáo kết quả thực hiện Chỉ thị số 05/CT-TTg",
        "góp ý dự thảo Quy chế làm việc của Ủy ban nhân dân tỉnh",
    ]),
    ("Quyết định", "QĐ", "Quyết định", [
        "Về việc phê duyệt Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức năm 2027",
        "Ban hành Quy chế quản lý văn bản và hồ sơ điện tử",
        "Về việc thành lập Tổ công tác triển khai Đề án 06",
    ]),
    ("Tờ trình", "TTr", "Tờ trình", [
        "Về việc đề nghị phê duyệt chủ trương đầu tư dự án cải tạo trụ sở",
        "Đề nghị bổ sung kinh phí thực hiện nhiệm vụ chuyển đổi số",
    ]),
    ("Thông báo", "TB", "Thông báo", [
        "Kết luận của Chủ tịch Ủy ban nhân dân tỉnh tại cuộc họp giao ban tháng 11",
        "Lịch tiếp công dân định kỳ tháng 12 năm 2026",
    ]),
    ("Kế hoạch", "KH", "Kế hoạch", ["Tổ chức Hội nghị tổng kết công tác văn thư, lưu trữ năm 2026"]),
    ("Báo cáo", "BC", "Báo cáo", ["Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2026"]),
    ("Giấy mời", "GM", "Giấy mời", ["Dự Hội nghị triển khai nhiệm vụ năm 2027"]),
]

SIGNERS = [("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị Bình"), ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An"),
           ("", "CHÁNH VĂN PHÒNG", "Lê Minh Đức"), ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "Phạm Thu Hà")]

BODY = [
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Căn cứ Quyết định số 125/QĐ-UBND ngày 20 tháng 01 năm 2026 của Ủy ban nhân dân tỉnh;",
    "Thực hiện Công văn số 4567/BTC-NSNN ngày 15/11/2026 của Bộ Tài chính, đề nghị các đơn vị "
    "khẩn trương triển khai và báo cáo kết quả trước ngày 25 tháng 12 năm 2026.",
    "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị phản ánh về cơ quan chủ trì để tổng hợp.",
]


# What OCR does to a scanned header: the "Số" label misread, spaces inside the number, O for 0 and
# l for 1, "rn" for "m".
NOISES = [{"so": "S6:"}, {"digits": True}, {"so": "Sô:"}, {"spaces": True}, {"rn": True}, {"so": "So"},
          {"so": "S6:", "spaces": True}, {"so": "S0:"}, {"digits": True, "rn": True}]


@dataclass(frozen=True)
class Sample:
    name: str
    pdf: bytes
    truth: dict[str, str]
    family: str  # ours | table | columns | scanned


@dataclass
class _Spec:
    """One generated document: the facts, then how its page is laid out."""

    agency: Agency
    type_printed: str
    type_abbr: str
    type_truth: str
    subject: str
    number: str
    issued: date
    signer: tuple[str, str, str]
    layout: str = "columns"  # columns | table | right_first
    number_style: str = "Số: {code}"
    break_code: str = ""  # "hyphen" | "slash": the số/ký hiệu wraps there; "label": under a bare "Số:"
    date_style: str = "long"  # long | short_day | slashes
    vv_lines: int = 1
    noise: dict = field(default_factory=dict)

    @property
    def notation(self) -> str:
        agency = self.agency.abbreviation
        if self.type_abbr:
            return f"{self.type_abbr}-{agency if agency != 'VP' else 'UBND'}"
        return "UBND-VP" if agency == "VP" else f"{agency}-VP" if agency != "UBND" else "UBND-KT"

    @property
    def is_cong_van(self) -> bool:
        return self.type_truth == "Công văn"

    @property
    def subject_truth(self) -> str:
        return f"V/v {self.subject}" if self.is_cong_van else self.subject

    def truth(self) -> dict[str, str]:
        return {"code_number": self.number, "code_notation": self.notation, "issued_date": self.issued.isoformat(),
                "organ_name": self.agency.truth, "type_name": self.type_truth, "subject": self.subject_truth}


def _specs(seed: int = 30) -> list[_Spec]:
    """The documents of the set: every agency, type, layout and style combined, reproducibly."""
    rng = random.Random(seed)
    specs = []
    layouts = ["columns", "table", "right_first"]
    number_styles = ["Số: {code}", "Số:{code}", "Số {code}", "SỐ: {code}", "Số : {code}"]
    date_styles = ["long", "long", "short_day", "slashes"]
    index = 0
    for type_printed, abbr, type_truth, subjects in TYPES:
        for subject in subjects:
            for variant in range(4):
                agency = AGENCIES[index % len(AGENCIES)]
                spec = _Spec(agency, type_printed, abbr, type_truth, subject, str(rng.randint(1, 2400)),
                             date(2026, rng.randint(1, 12), rng.randint(1, 28)), SIGNERS[index % len(SIGNERS)])
                spec.layout = layouts[index % len(layouts)]
                spec.number_style = number_styles[(index // 3) % len(number_styles)]
                spec.date_style = date_styles[(index + index // 4) % len(date_styles)]
                spec.break_code = {2: "hyphen", 4: "slash", 7: "label"}.get(index % 8, "")
                spec.vv_lines = 2 if spec.is_cong_van and variant % 2 else 1
                if index % 4 == 3:  # every kind of noise in turn
                    spec.noise = NOISES[(index // 4) % len(NOISES)]
                specs.append(spec)
                index += 1
    return specs


# --- drawing other systems' layouts with fpdf2 ------------------------------------------------


def _date_text(spec: _Spec, place: bool = True) -> str:
    day = spec.issued
    if spec.date_style == "slashes":
        text = f"ngày {day.day:02d}/{day.month:02d}/{day.year}"
    elif spec.date_style == "short_day":
        text = f"ngày {day.day} tháng {day.month} năm {day.year}"
    else:
        month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    if spec.noise.get("digits"):
        text = text.replace("0", "O", 1).replace("1", "l", 1)
    if spec.noise.get("rn"):  # OCR reads "m" as "rn"
        text = text.replace("năm", "nărn")
    return f"{spec.agency.place}, {text}" if place else text


def _number_lines(spec: _Spec) -> list[str]:
    code = f"{spec.number}/{spec.notation}"
    if spec.noise.get("spaces"):
        number = f"{spec.number[:1]} {spec.number[1:]}" if len(spec.number) > 1 else spec.number
        code = f"{number} / " + spec.notation.replace("-", " - ")
    line = spec.number_style.format(code=code)
    if "so" in spec.noise:
        line = re.sub(r"^(Số|SỐ)\s*:?", spec.noise["so"], line)
    if spec.break_code == "hyphen" and "-" in line:
        head, tail = line.split("-", 1)
        return [f"{head}-", tail]
    if spec.break_code == "slash":
        head, tail = line.split("/", 1)
        return [f"{head}/", tail.strip()]
    if spec.break_code == "label":  # "Số:" alone, the number under it
        label = re.match(r"^\S+(\s*:)?", line).group(0)
        return [label, line[len(label):].strip()]
    return [line]


def _left_lines(spec: _Spec) -> list[tuple[str, bool]]:
    """The left header column: (text, bold) lines."""
    lines = [(spec.agency.parent, False)] if spec.agency.parent else []
    lines += [(line, True) for line in spec.agency.lines]
    lines += [("", False)] + [(line, False) for line in _number_lines(spec)]
    if spec.is_cong_van:
        vv = f"V/v {spec.subject}"
        if spec.vv_lines == 2:
            words = vv.split()
            lines += [(" ".join(words[: len(words) // 2]), False), (" ".join(words[len(words) // 2:]), False)]
        else:
            lines += [(vv, False)]
    return lines


def _right_lines(spec: _Spec) -> list[tuple[str, bool]]:
    return [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True), ("", False),
            (_date_text(spec), False)]


def _fpdf_document(spec: _Spec) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("Tinos", "", str(FONT_DIR / "Tinos-Regular.ttf"))
    pdf.add_font("Tinos", "B", str(FONT_DIR / "Tinos-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    left, right = _left_lines(spec), _right_lines(spec)
    top, step, size = 20.0, 6.0, 12

    def put(x_centre: float, y: float, text: str, bold: bool, width: float) -> None:
        if not text:
            return
        pdf.set_font("Tinos", "B" if bold else "", size)
        while pdf.get_string_width(text) > width and size > 8:
            pdf.set_font_size(pdf.font_size_pt - 1)
        pdf.text(x_centre - pdf.get_string_width(text) / 2, y, text)
        pdf.set_font_size(size)

    cells = [(i, 55.0, line, bold, 80.0) for i, (line, bold) in enumerate(left)]
    cells_right = [(i, 140.0, line, bold, 95.0) for i, (line, bold) in enumerate(right)]
    if spec.layout == "table":  # row by row: the two columns interleave in the content stream
        order = [cell for pair in zip(cells, cells_right, strict=False) for cell in pair]
        order += cells[len(cells_right):] + cells_right[len(cells):]
    elif spec.layout == "right_first":
        order = cells_right + cells
    else:
        order = cells + cells_right
    for row, x, text, bold, width in order:
        put(x, top + row * step, text, bold, width)
    y = top + (max(len(left), len(right)) + 2) * step
    if not spec.is_cong_van:
        put(105, y, spec.type_printed.upper(), True, 170)
        y += step
        words = spec.subject.split()
        subject_lines = [spec.subject] if len(spec.subject) < 70 else [
            " ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2:])]
        for line in subject_lines:
            put(105, y, line, True, 170)
            y += step
        y += step
    else:
        put(105, y, "Kính gửi: Các sở, ban, ngành tỉnh", False, 170)
        y += 2 * step
    pdf.set_font("Tinos", "", 12)
    for paragraph in BODY:
        pdf.set_xy(25, y)
        pdf.multi_cell(165, step, paragraph)
        y = pdf.get_y() + 2
    competence, position, name = spec.signer
    y += step
    for line in [competence, position]:
        put(150, y, line, True, 90)
        y += step
    put(150, y + 25, name, True, 90)
    return bytes(pdf.output())


# --- our own issued documents ------------------------------------------------------------------


def _issued_document(spec: _Spec) -> bytes:
    from models.outgoing.drafting import DraftContent, date_text
    from models.outgoing.render import render_document
    from models.signing.issuing import fill_number_and_date

    competence, position, name = spec.signer
    content = DraftContent(
        agency_name=" ".join(spec.agency.lines), parent_agency_name=spec.agency.parent,
        type_name=spec.type_printed, notation=spec.notation, place_name=spec.agency.place, subject=spec.subject,
        body="\n\n".join(BODY), signer_position=position, signer_full_name=name, signer_competence=competence,
        type_abbr=spec.type_abbr, kinh_gui=["Các sở, ban, ngành tỉnh"] if spec.is_cong_van else [],
        noi_nhan=["Như trên"], storage_unit_abbr="VP")
    rendered = render_document(content)
    return fill_number_and_date(rendered.pdf, so_ky_hieu=f"{spec.number}/{spec.notation}",
                                date_text=date_text(spec.issued))


@functools.cache
def corpus(ours: int = 10) -> tuple[Sample, ...]:
    """The whole evaluation set: ``ours`` documents issued by QLVB, the rest drawn in other layouts."""
    samples = []
    for index, spec in enumerate(_specs()):
        samples.append(Sample(f"{index:02d}-{spec.layout}-{spec.type_abbr or 'CV'}", _fpdf_document(spec),
                              spec.truth(), "scanned" if spec.noise else spec.layout))
    for index, spec in enumerate(_specs(seed=2020)[::3][:ours]):
        # Our renderer wraps the agency itself; the number and date go in the issuing fields.
        spec.noise = {}
        samples.append(Sample(f"ours-{index:02d}-{spec.type_abbr or 'CV'}", _issued_document(spec), spec.truth(),
                              "ours"))
    return tuple(samples)


# --- scoring -----------------------------------------------------------------------------------


def _code(value: str) -> str:
    return "".join(unicodedata.normalize("NFC", value).upper().split())


def _words(value: str) -> str:
    return " ".join(fold(value).replace("-", " ").split())


def _plain(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


COMPARE = {"code_number": _code, "code_notation": _code, "issued_date": str.strip,
           "organ_name": issuer_key, "type_name": _words, "subject": _plain}


def score(suggested: dict, truth: dict[str, str]) -> dict[str, bool]:
    """Whether each field of the suggestion is the right answer (a missing field is wrong)."""
    return {name: name in suggested and COMPARE[name](str(suggested[name])) == COMPARE[name](truth[name])
            for name in FIELDS}


@dataclass
class Measure:
    """Per field: accuracy (right / all samples, i.e. recall) and precision (right / suggested)."""

    samples: int
    right: dict[str, int]
    suggested: dict[str, int]
    by_family: dict[str, dict[str, float]]
    wrong: list[tuple[str, str, object, str]]  # sample, field, suggested, expected

    def accuracy(self, name: str) -> float:
        return self.right[name] / self.samples

    def precision(self, name: str) -> float:
        return self.right[name] / self.suggested[name] if self.suggested[name] else 1.0


def measure(samples, suggest) -> Measure:
    """Run ``suggest`` (PDF bytes → suggestion dict) over the samples and count, field by field."""
    right = dict.fromkeys(FIELDS, 0)
    suggested = dict.fromkeys(FIELDS, 0)
    families: dict[str, list[dict[str, bool]]] = {}
    wrong = []
    for sample in samples:
        found = suggest(sample.pdf)
        marks = score(found, sample.truth)
        families.setdefault(sample.family, []).append(marks)
        for name, ok in marks.items():
            right[name] += ok
            suggested[name] += name in found
            if not ok:
                wrong.append((sample.name, name, found.get(name), sample.truth[name]))
    by_family = {family: {name: sum(m[name] for m in marks) / len(marks) for name in FIELDS}
                 for family, marks in families.items()}
    return Measure(len(samples), right, suggested, by_family, wrong)


def suggest_from_pdf(pdf: bytes) -> dict:
    """What the intake form suggests for a PDF: its text layer (with filled fields), then the rules."""
    from models.documents.suggestions import suggest_metadata
    from models.documents.text_extract import pdf_text

    return suggest_metadata(pdf_text(pdf))
