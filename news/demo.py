"""Demo portal content: about sixty articles over every category, a few showcase items with covers,
files on laws and notices, two disclosures, a scheduled and a taken-down article, and institution news
in every workflow state (institution 1, 13800000001, has one of each). All text is invented.

Runs through the services, as a regulator or an institution would. Safe to run again: an article whose
title exists is left alone.
"""

import datetime
import functools
import io
from collections.abc import Callable
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from institutions.demo import INSTITUTION_COUNT, admin_phone, demo_institution_spec
from institutions.models import Institution
from sujt.accounts.demo import PROVINCE_REGULATOR_PHONE, city_regulator_phone
from sujt.accounts.models import User
from sujt.core.events import DISCLOSURE_REQUESTED, event_record, events_dispatch
from sujt.core.regions import CITIES, city_code_of, city_name
from sujt.core.workflow import review_reject, review_return

from . import services
from .choices import Category, DisclosureKind
from .models import Article

# (category, title, summary) of the regulators' articles; the n-th of a category is published n×5 days
# (plus a few hours) before today, so every list has a spread of dates.
REGULATOR_ARTICLES: list[tuple[str, str, str]] = [
    (
        Category.SUPERVISION,
        "省局部署开展检验检测机构“双随机、一公开”监督抽查",
        "抽查覆盖机动车检验、环境监测、建设工程和食品等重点领域。",
    ),
    (
        Category.SUPERVISION,
        "南京市完成年度第三季度检验检测机构监督检查",
        "共检查机构四十二家，发现一般问题的已责令限期整改。",
    ),
    (
        Category.SUPERVISION,
        "苏州市开展环境监测数据质量专项检查",
        "重点核查原始记录、仪器设备检定校准和报告签发流程。",
    ),
    (Category.SUPERVISION, "无锡市对机动车检验机构开展联合检查", "检查采取现场核查与视频调阅相结合的方式。"),
    (Category.SUPERVISION, "徐州市通报建设工程质量检测机构检查情况", "对检查中发现的问题逐项建立整改台账。"),
    (Category.PENALTY, "某检测公司出具不实检验检测报告被依法处罚", "当事人已按期缴纳罚款并完成整改。"),
    (
        Category.PENALTY,
        "两家机构超出资质认定能力范围出具报告被查处",
        "监管部门依法作出警告并处罚款的行政处罚。",
    ),
    (
        Category.PENALTY,
        "某环境监测机构伪造原始记录案件处理结果公布",
        "该案已移送相关部门，机构信用等级相应调整。",
    ),
    (Category.PENALTY, "关于一起未按规定标注资质认定标志案件的处罚信息", "当事人已改正违法行为。"),
    (Category.INSTITUTION_STYLE, "走进检验检测机构：守护“舌尖上的安全”", "记者走访省内多家食品检测实验室。"),
    (Category.INSTITUTION_STYLE, "青年检测人的一天：从取样到报告", "记录一名环境监测工程师的日常工作。"),
    (Category.INDUSTRY, "全省检验检测行业营业收入保持稳定增长", "行业统计数据显示，民营机构占比持续提高。"),
    (
        Category.INDUSTRY,
        "检验检测机构数字化转型经验交流会在常州举行",
        "与会机构分享了实验室信息管理系统建设经验。",
    ),
    (Category.INDUSTRY, "长三角检验检测认证一体化发展论坛召开", "三省一市共商检验检测结果互认。"),
    (Category.INDUSTRY, "新能源汽车检测能力建设取得新进展", "多家机构新增动力电池检测项目。"),
    (
        Category.POLICY,
        "关于进一步优化检验检测机构资质认定服务的实施意见",
        "推行告知承诺、优化审批流程、压缩审批时限。",
    ),
    (
        Category.POLICY,
        "江苏省检验检测服务业高质量发展行动方案",
        "到 2028 年培育一批具有竞争力的检验检测品牌。",
    ),
    (
        Category.POLICY,
        "关于支持检验检测机构参与国家质量基础设施建设的若干措施",
        "鼓励机构参与标准制定和能力验证。",
    ),
    (Category.POLICY, "检验检测机构信用评价管理办法解读", "解读信用评价的加减分项目、等级划分和修复规则。"),
    (Category.POLICY, "关于开展检验检测机构诚信建设年活动的通知", "以诚信经营、规范出证为主题开展系列活动。"),
    (
        Category.TECHNICAL,
        "检验检测机构资质认定评审准则要点解析",
        "对人员、场所环境、设备设施和管理体系要求逐条说明。",
    ),
    (Category.TECHNICAL, "检验检测报告编制与签发技术指南", "规范报告格式、信息要素和电子签名使用。"),
    (Category.TECHNICAL, "实验室仪器设备期间核查技术规范（试行）", "明确期间核查的对象、方法和记录要求。"),
    (Category.TECHNICAL, "检验检测原始记录电子化管理技术要求", "原始记录应可追溯、不可篡改并妥善保存。"),
    (Category.NORMATIVE, "江苏省检验检测机构监督管理办法", "明确各级市场监管部门的监管职责和机构主体责任。"),
    (Category.NORMATIVE, "检验检测机构分类监管实施细则", "依据信用等级和风险程度实施差异化监管。"),
    (Category.NORMATIVE, "检验检测机构自我声明管理规定", "规定自我声明的内容、方式和法律责任。"),
    (Category.NORMATIVE, "检验检测机构从业人员管理规定", "明确授权签字人和检测人员的能力要求。"),
    (
        Category.PROFICIENCY,
        "2026 年度全省检验检测机构能力验证计划",
        "涵盖食品、水质、建材、环境等 36 个项目。",
    ),
    (Category.PROFICIENCY, "关于公布水质检测能力验证结果的通知", "参加机构 186 家，满意率 94.6%。"),
    (Category.PROFICIENCY, "食品中重金属测定能力验证报名通知", "报名截止后将统一寄送样品。"),
    (
        Category.PROFICIENCY,
        "建材类能力验证结果及不满意机构整改要求",
        "结果为不满意的机构应在 30 日内完成整改。",
    ),
    (Category.PROFICIENCY, "环境空气颗粒物测定能力验证实施方案", "样品采用统一制备、随机编码方式发放。"),
    (Category.GUIDE, "检验检测机构资质认定申请指南", "说明申请条件、所需材料、办理流程和时限。"),
    (Category.GUIDE, "省级质量检验检测中心筹建申报指南", "申报单位应具备相应的技术能力和场所条件。"),
    (Category.GUIDE, "资质认定证书延续申请指南", "证书有效期届满前 3 个月提出延续申请。"),
    (Category.GUIDE, "检验检测机构信用修复申请指南", "完成整改并经审核通过的扣分事项可申请修复。"),
    (Category.GUIDE, "资质认定变更事项办理指南", "机构名称、地址、授权签字人等变更的办理要求。"),
    (Category.NOTICE, "关于按期上传年度信用承诺书的通知", "各机构应于规定期限内登录系统上传信用承诺书。"),
    (Category.NOTICE, "关于填报技术机构年度运营数据的通知", "请各机构按要求完成年度运营数据填报。"),
    (Category.NOTICE, "关于苏检通机构管理系统升级维护的公告", "升级期间系统暂停服务，请合理安排工作。"),
    (Category.NOTICE, "关于核对机构信息的提醒", "请各机构登录系统确认同步的资质认定信息。"),
    (
        Category.NOTICE,
        "关于举办检验检测机构管理人员培训班的通知",
        "培训内容包括法规政策、管理体系和信用管理。",
    ),
]

# Categories whose articles carry a PDF file (laws and notices are documents).
WITH_FILE = {Category.POLICY, Category.NORMATIVE, Category.GUIDE, Category.NOTICE, Category.PROFICIENCY}
PINNED_TITLES = {"2026 年度全省检验检测机构能力验证计划", "关于按期上传年度信用承诺书的通知"}
CITY_TITLES = {  # written by a city regulator: the article carries the city
    "南京市完成年度第三季度检验检测机构监督检查": "320100",
    "苏州市开展环境监测数据质量专项检查": "320500",
    "无锡市对机动车检验机构开展联合检查": "320200",
    "徐州市通报建设工程质量检测机构检查情况": "320300",
    "检验检测机构数字化转型经验交流会在常州举行": "320400",
}
SHOWCASE_COUNT = 6
SCHEDULED_TITLE = "关于开展 2027 年度检验检测统计直报工作的通知"
TAKEN_DOWN_TITLE = "关于调整能力验证报名时间的通知（已更正）"

# Institution news: (institution number, category, title, final state).
SUBMISSIONS: list[tuple[int, str, str, str]] = [
    (1, Category.INSTITUTION_STYLE, "我单位通过资质认定扩项评审，新增检测参数 120 项", "approved"),
    (1, Category.INDUSTRY, "我单位参加长三角实验室能力比对并获满意结果", "submitted"),
    (1, Category.INSTITUTION_STYLE, "我单位开展“实验室开放日”科普活动", "returned"),
    (1, Category.INSTITUTION_STYLE, "我单位新建微生物实验室投入使用", "draft"),
    (1, Category.INDUSTRY, "关于我单位承办行业技术研讨会的报道", "rejected"),
    (1, Category.INSTITUTION_STYLE, "我单位检测大楼搬迁公告", "withdrawn"),
    (2, Category.INSTITUTION_STYLE, "深耕环境监测二十年：一家检测机构的成长之路", "approved"),
    (3, Category.INDUSTRY, "我单位参与起草的两项团体标准正式发布", "approved"),
    (4, Category.INSTITUTION_STYLE, "我单位获评市级“守合同重信用”企业", "approved"),
    (5, Category.INSTITUTION_STYLE, "我单位完成实验室信息管理系统升级", "approved"),
    (6, Category.INDUSTRY, "我单位与高校共建检验检测联合实验室", "submitted"),
    (7, Category.INSTITUTION_STYLE, "我单位开展质量月系列活动", "returned"),
]
RETURN_COMMENT = "请补充活动的时间、地点和参加人数，并删除与检验检测无关的宣传内容后重新提交。"
REJECT_COMMENT = "该稿件以商业宣传为主，不符合门户新闻资讯的发布要求。"

_MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


# Fonts with Chinese glyphs where Debian (fonts-noto-cjk, fonts-wqy-*), macOS and Windows keep them. None
# is required: without one a cover carries no words at all, since Pillow's own font has no Chinese and an
# English label on a Chinese portal reads as a placeholder.
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
SHOWCASE_LABEL = "调研成果展"
NEWS_LABEL = "机构新闻"
DEMO_NOTE = "演示数据 · 内容虚构"


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _draws_chinese(font: ImageFont.FreeTypeFont) -> bool:
    # A font without these glyphs draws the same empty box for both.
    def glyph(char: str) -> bytes:
        image = Image.new("L", (font.size * 2, font.size * 2))
        ImageDraw.Draw(image).text((0, 0), char, fill=255, font=font)
        return image.tobytes()

    return glyph("调") != glyph("研")


@functools.lru_cache(maxsize=32)
def _cjk_face(path: str, size: int) -> ImageFont.FreeTypeFont | None:
    """The Simplified Chinese face of a font file (a .ttc holds JP/KR/SC/TC/… faces), if it has Chinese."""
    faces = []
    for index in range(16):
        try:
            faces.append(ImageFont.truetype(path, size, index=index))
        except (OSError, ValueError, ImportError):  # no file, past the last face, no FreeType
            break
    faces.sort(key=lambda face: not (face.getname()[0] or "").endswith(" SC"))
    return next((face for face in faces if _draws_chinese(face)), None)


def _cjk_font(size: int) -> ImageFont.FreeTypeFont | None:
    return next(filter(None, (_cjk_face(path, size) for path in CJK_FONT_CANDIDATES)), None)


def _cover_png(number: int, *, label: str) -> SimpleUploadedFile:
    """A banner-like cover: its number, with the label and a demo note when a Chinese font is at hand."""
    palette = [(22, 93, 160), (13, 124, 102), (150, 72, 22), (92, 60, 148), (20, 110, 140), (160, 40, 60)]
    colour = palette[number % len(palette)]
    image = Image.new("RGB", (960, 540), colour)
    draw = ImageDraw.Draw(image)
    for step in range(12):
        shade = tuple(min(255, c + step * 9) for c in colour)
        draw.rectangle((0, 540 - (step + 1) * 45, 960, 540 - step * 45), fill=shade)
    draw.ellipse((640, -120, 1100, 340), outline=(255, 255, 255), width=10)
    draw.text((70, 200), f"{number:02d}", fill=(255, 255, 255), font=_font(150), anchor="lm")
    label_font, note_font = _cjk_font(56), _cjk_font(26)
    if label_font is not None and note_font is not None:
        draw.text((70, 330), label, fill=(255, 255, 255), font=label_font, anchor="lm")
        draw.text((70, 490), DEMO_NOTE, fill=(235, 235, 235), font=note_font, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"cover-{number:02d}.png", buffer.getvalue(), content_type="image/png")


def _showcase_cover(number: int) -> SimpleUploadedFile:
    return _cover_png(number, label=SHOWCASE_LABEL)


def _news_cover(number: int) -> SimpleUploadedFile:
    return _cover_png(number, label=NEWS_LABEL)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _MINIMAL_PDF, content_type="application/pdf")


def _body(title: str, summary: str, *, paragraphs: int = 3) -> str:
    lines = [
        f"<p>{summary}</p>",
        "<p>各设区市市场监督管理局要高度重视，结合本地实际认真组织实施，确保各项工作落到实处。</p>",
        "<h3>主要内容</h3><ul><li>明确工作目标和责任分工；</li><li>加强过程监督和结果运用；</li>"
        "<li>及时总结经验、报送工作情况。</li></ul>",
        "<p>检验检测机构应严格落实主体责任，依法依规开展检验检测活动，对出具的检验检测数据和结果负责。</p>",
        "<p>联系方式：请通过苏检通机构管理系统的“帮助”菜单联系技术支持。</p>",
    ]
    return "".join(lines[: paragraphs + 1]) + f"<p>（本文为演示数据，《{title}》系虚构内容。）</p>"


def _user(phone: str) -> User | None:
    return User.objects.filter(phone=phone).first()


def _city_regulator(region_code: str) -> User | None:
    position = list(CITIES).index(city_code_of(region_code)) + 1
    return _user(city_regulator_phone(position))


def _exists(title: str) -> bool:
    return Article.objects.filter(title=title).exists()


def _regulator_articles(province: User, stdout: TextIO) -> int:
    now = timezone.now()
    created = 0
    index_in_category: dict[str, int] = {}
    showcase_left = SHOWCASE_COUNT
    for number, (category, title, summary) in enumerate(REGULATOR_ARTICLES, start=1):
        position = index_in_category[category] = index_in_category.get(category, 0) + 1
        if _exists(title):
            continue
        author = _city_regulator(CITY_TITLES[title]) if title in CITY_TITLES else province
        if author is None:
            continue
        showcase = category in {Category.INDUSTRY, Category.INSTITUTION_STYLE, Category.SUPERVISION} and (
            showcase_left > 0 and position <= 2
        )
        showcase_left -= showcase
        article = Article(
            category=category,
            title=title,
            summary=summary,
            body=_body(title, summary),
            published_at=now - datetime.timedelta(days=position * 5 + number % 5, hours=number % 9),
            is_pinned=title in PINNED_TITLES,
            is_showcase=showcase,
        )
        services.article_save(
            article=article,
            by=author,
            publish=True,
            cover=_showcase_cover(number) if showcase else None,
            files=[_pdf(f"{title}.pdf")] if category in WITH_FILE else (),
        )
        created += 1
    return created


def _special_articles(province: User) -> int:
    """One scheduled for next week, one taken down after publication."""
    created = 0
    if not _exists(SCHEDULED_TITLE):
        summary = "定时发布示例：发布时间未到，门户暂不显示。"
        services.article_save(
            article=Article(
                category=Category.NOTICE,
                title=SCHEDULED_TITLE,
                summary=summary,
                body=_body(SCHEDULED_TITLE, summary),
                published_at=timezone.now() + datetime.timedelta(days=7),
            ),
            by=province,
            publish=True,
        )
        created += 1
    if not _exists(TAKEN_DOWN_TITLE):
        summary = "下线示例：该通知内容有误，已下线并另行发布更正。"
        article = services.article_save(
            article=Article(
                category=Category.PROFICIENCY,
                title=TAKEN_DOWN_TITLE,
                summary=summary,
                body=_body(TAKEN_DOWN_TITLE, summary),
            ),
            by=province,
            publish=True,
        )
        services.article_take_down(article=article, by=province, reason="报名时间有误，已另行发布更正通知。")
        created += 1
    return created


def _disclosures(province: User) -> int:
    """An inspection result and a penalty summary, asked for the way the rectification module will: a
    disclosure.requested event, which news's subscriber publishes (run here at once, so the demo does not
    wait for a worker; the event and its done delivery show in admin under 领域事件)."""
    created = 0
    for number, kind in ((9, DisclosureKind.INSPECTION), (10, DisclosureKind.PENALTY)):
        spec = demo_institution_spec(number)
        institution = Institution.objects.filter(uscc=spec["uscc"]).first()
        key = f"demo.{kind}:{number}"
        if institution is None or Article.objects.filter(disclosure_key=key).exists():
            continue
        if kind == DisclosureKind.INSPECTION:
            title = f"{city_name(institution.region_code)}检验检测机构监督检查结果公示（{institution.name}）"
            summary = "检查发现一般问题 2 项，已责令限期整改。"
        else:
            title = f"{institution.name}行政处罚信息公示"
            summary = "超出资质认定能力范围出具检验检测报告，依法予以警告并处罚款。"
        event = event_record(
            kind=DISCLOSURE_REQUESTED,
            key=f"{key}:requested",
            institution=institution,
            payload={
                "key": key,
                "kind": str(kind),
                "title": title,
                "summary": summary,
                "body": _body(title, summary, paragraphs=2),
                "region_code": city_code_of(institution.region_code),
                "by_id": (_city_regulator(institution.region_code) or province).pk,
            },
        )
        events_dispatch(event_id=event.pk)
        created += 1
    return created


def _submissions(stdout: TextIO) -> int:
    created = 0
    for number, category, title, state in SUBMISSIONS:
        if number > INSTITUTION_COUNT or _exists(title):
            continue
        institution = Institution.objects.filter(uscc=demo_institution_spec(number)["uscc"]).first()
        author = _user(admin_phone(number))
        regulator = _city_regulator(institution.region_code) if institution else None
        if institution is None or author is None or regulator is None:
            continue
        summary = f"{institution.name}供稿。"
        submission = services.submission_save(
            institution=institution,
            by=author,
            category=category,
            title=title,
            summary=summary,
            body=_body(title, summary, paragraphs=2),
            submit=state != "draft",
            cover=_news_cover(number + 40) if state == "approved" else None,
        )
        decide: dict[str, Callable[[], object]] = {
            "approved": lambda s=submission, r=regulator: services.submission_approve(obj=s, by=r),
            "returned": lambda s=submission, r=regulator: review_return(obj=s, by=r, comment=RETURN_COMMENT),
            "rejected": lambda s=submission, r=regulator: review_reject(obj=s, by=r, comment=REJECT_COMMENT),
            "withdrawn": lambda s=submission, a=author: services.submission_withdraw(submission=s, by=a),
        }
        if state in decide:
            decide[state]()
        created += 1
    return created


def seed(stdout: TextIO) -> list[tuple[str, str, str, str]]:
    province = _user(PROVINCE_REGULATOR_PHONE)
    if province is None:
        stdout.write("  门户文章：跳过（没有省局演示账号）\n")
        return []
    created = _regulator_articles(province, stdout) + _special_articles(province) + _disclosures(province)
    submitted = _submissions(stdout)
    public = Article.objects.filter(status="approved", taken_down_at__isnull=True).count()
    stdout.write(
        f"  门户文章：新建 {created} 篇监管发布、{submitted} 篇机构投稿；共 {Article.objects.count()} 篇"
        f"（其中已发布 {public} 篇，含 1 篇定时发布）\n"
    )
    return []
