"""Demo projects and funds of Dalian village, from the seed article (idempotent).

- The water bureau's 200,000-yuan drought grant (2025): a dam, 3,000 m of repaired irrigation
  pipe and 7 reservoirs; finished, every payment through the chain, assets registered.
- The union's renovation of abandoned tea gardens: polygons in 亩; spring tea > 40 t, value
  > 30 million yuan, 20+ households earning > 100,000 yuan from fresh leaf; payments waiting
  at every step, one sent back, one refused (cash over the limit).
- The culture-centre upgrade at the resettlement area; the 2026 tianma trial.
- Imported 2025 history with a split purchase and one person at two steps, which the
  compliance checks catch.

Everything is keyed by codes and numbers: a project that exists is left alone, so a second
run writes nothing.
"""

import contextlib
import io
import math
import random
import zlib
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiPoint, Point, Polygon
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from shapely import wkb

from projects import services
from projects.compliance import compliance_run
from projects.models import (
    Asset,
    AttachmentKind,
    BudgetChange,
    ComplianceFinding,
    EconomicCategory,
    EvidencePhoto,
    Funder,
    Invoice,
    Method,
    Payment,
    PaymentStatus,
    PaymentStep,
    PaymentType,
    Project,
    ProjectStep,
    ProjectType,
    PublicNotice,
    SiteKind,
    Stage,
)
from villages.demo import CITY_CODE, VILLAGE_CENTRE, VILLAGE_CODE
from villages.geo import geodesic_length_m
from villages.models import PAYMENT_ROLES, Area

User = get_user_model()
TZ = ZoneInfo("Asia/Shanghai")
CHAIN = ["jingban", "fenguan", "caiwu", "fuzhuxi", "chuna", "kuaiji", "changwu"]
WATER_CONTRACTOR = "紫阳县恒通水利工程有限公司"
TEA_COOPERATIVE = "紫阳县大连村茶叶专业合作社"


def _u(username: str):
    return User.objects.get(username=username)


def _xy(dx_m: float, dy_m: float) -> tuple[float, float]:
    """A point dx, dy metres east and north of the village centre."""
    lon0, lat0 = VILLAGE_CENTRE
    return (lon0 + dx_m / (111_320 * math.cos(math.radians(lat0))), lat0 + dy_m / 111_320)


def _rect(cx: float, cy: float, w: float, h: float) -> Polygon:
    corners = [(cx - w / 2, cy - h / 2), (cx + w / 2, cy - h / 2), (cx + w / 2, cy + h / 2), (cx - w / 2, cy + h / 2)]
    ring = [_xy(*c) for c in corners]
    return Polygon([*ring, ring[0]], srid=4326)


def _pipe(target_m: float = 3000.0) -> LineString:
    """The repaired pipe: a bent line scaled so that its geodesic length is the seed's 3,000 m."""
    local = [(-1000, -400), (0, -380), (1000, -400), (1000, 100), (500, 100)]
    scale = 1.0
    for _ in range(3):
        line = LineString([_xy(x * scale, y * scale) for x, y in local], srid=4326)
        scale *= target_m / geodesic_length_m(wkb.loads(bytes(line.wkb)))
    return LineString([_xy(x * scale, y * scale) for x, y in local], srid=4326)


def _jpeg(seed: int, label: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), (rng.randint(60, 120), rng.randint(120, 180), rng.randint(60, 110)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, 320), rng.randint(0, 240)
        draw.ellipse((x, y, x + 30, y + 20), fill=(rng.randint(20, 80), rng.randint(90, 150), 40))
    draw.text((10, 10), label.encode("ascii", "ignore").decode() or "photo", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return SimpleUploadedFile(f"{label}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _pdf(title: str) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n% demo document\n" + title.encode("utf-8") + b"\n%%EOF\n"
    return SimpleUploadedFile(f"{zlib.crc32(title.encode()):08x}.pdf", content, content_type="application/pdf")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def _steps(project: Project, hq, cadre, dates: dict) -> None:
    """Walk the lifecycle up to the last stage in `dates` (application's row is re-dated)."""
    for stage, day in dates.items():
        project.refresh_from_db()
        if stage == Stage.APPLICATION:
            ProjectStep.objects.filter(project=project, stage=stage).update(on=day)
            continue
        if stage in (Stage.PRE_WORK_NOTICE, Stage.COMPLETION_NOTICE):
            kind = PublicNotice.Kind.PRE_WORK if stage == Stage.PRE_WORK_NOTICE else PublicNotice.Kind.COMPLETION
            notice = services.notice_create(
                actor=cadre,
                project=project,
                kind=kind,
                posted_from=day,
                posted_until=date.fromordinal(day.toordinal() + 9),
                place="大连村村委会公示栏、安置区公告栏",
            )
            services.notice_photo_record(actor=cadre, notice=notice, photo=_jpeg(notice.pk, f"notice-{kind}"))
        if stage == Stage.ASSETS_REGISTERED:
            _assets(project, cadre, day)
        actor = hq if stage == Stage.APPROVED else cadre
        services.project_advance(actor=actor, project=project, stage=stage, on=day)


def _assets(project: Project, cadre, day: date) -> None:
    for name, value in (("拦水坝", "60000.00"), ("灌溉管道3000米", "90000.00"), ("蓄水池7座", "50000.00")):
        services.asset_register(
            actor=cadre,
            project=project,
            name=name,
            asset_class=Asset.AssetClass.PUBLIC,
            owner_level=Asset.OwnerLevel.VILLAGE,
            owner="大连村股份经济合作社",
            value=value,
            maintainer="大连村灌溉用水协会",
            registered_on=day,
        )


def _payment(
    project: Project,
    line,
    *,
    number: str,
    amount: str,
    type: str,
    purpose: str,
    payee: str,
    invoice: tuple[str, str, date] | None = None,
    method: str = Method.TRANSFER,
    cash_reason: str = "",
):
    handler = _u("jingban")
    payment = services.payment_prepare(
        actor=handler,
        project=project,
        budget_line=line,
        type=type,
        purpose=purpose,
        payee=payee,
        payee_account="" if method == Method.CASH else "6228 4807 0000 " + number[-4:],
        amount=amount,
        method=method,
        cash_reason=cash_reason,
        number=number,
    )
    documents = {
        PaymentType.WORKS: [AttachmentKind.CONTRACT, AttachmentKind.ACCEPTANCE],
        PaymentType.SERVICES: [AttachmentKind.CONTRACT],
        PaymentType.PAYOUT: [AttachmentKind.RECIPIENT_LIST],
        PaymentType.COLLECTIVE: [AttachmentKind.MINUTES],
    }.get(type, [])
    for kind in documents:
        title = f"{number} {AttachmentKind(kind).label}"
        services.attachment_add(actor=handler, kind=kind, title=title, file=_pdf(title), payment=payment)
    if invoice:
        code, invoice_number, issued_on = invoice
        services.invoice_add(
            actor=handler,
            payment=payment,
            code=code,
            number=invoice_number,
            issued_on=issued_on,
            amount=amount,
            seller=payee,
        )
    return payment


def _chain(payment: Payment, upto: int, *, paid_on: date | None = None) -> Payment:
    """Act at chain steps 0..upto-1, each by the demo user who holds that step."""
    for index in range(upto):
        payment.refresh_from_db()
        actor = _u(CHAIN[index])
        if index == 0:
            services.payment_submit(actor=actor, payment=payment)
        else:
            services.payment_approve(
                actor=actor,
                payment=payment,
                transfer_reference=f"HX{payment.number[-9:].replace('-', '')}" if index == 4 else "",
                voucher_number=f"记-{payment.number[-8:]}" if index == 5 else "",
                paid_on=paid_on,
            )
    payment.refresh_from_db()
    return payment


def _backdate(payment: Payment, day: date) -> None:
    """History: the water project's payments were made in 2025."""
    when = _at(day)
    Payment.objects.filter(pk=payment.pk).update(created=when, step_since=when)
    for offset, step in enumerate(payment.steps.order_by("pk")):
        PaymentStep.objects.filter(pk=step.pk).update(acted_at=_at(day, 9 + offset))


# ---------------------------------------------------------------- the projects


def _water(village, hq, cadre, water_bureau) -> None:
    if Project.objects.filter(code="DL-2025-01").exists():
        return
    grant = services.grant_create(
        actor=hq,
        funder=water_bureau,
        area=village,
        code="SLJ-2025-KH-01",
        name="2025年抗旱应急资金",
        purpose="修建拦水坝，维修灌溉管道，修建蓄水池，减轻旱情对茶园的损失",
        amount="200000.00",
        starts_on=date(2025, 5, 1),
        ends_on=date(2026, 6, 30),
        conditions="专款专用，不得挪用；项目完工后30日内报送绩效自评。",
    )
    services.attachment_add(
        actor=hq, kind=AttachmentKind.GRANT_DOCUMENT, title="资金下达文件", file=_pdf("SLJ"), grant=grant
    )
    project = services.project_create(
        actor=hq,
        village=village,
        code="DL-2025-01",
        name="大连村抗旱水利设施项目",
        type=ProjectType.IRRIGATION,
        implementer="大连村村民委员会",
        responsible_person="谢志军（村党支部书记）",
        starts_on=date(2025, 5, 1),
        ends_on=date(2026, 6, 30),
        works="修建拦水坝1座，维修灌溉管道3000米，修建蓄水池7个",
        subsidy_standard="按工程量据实补助",
        benefit="保障茶园抗旱用水，减轻旱情损失，惠及全村茶农",
    )
    budget = services.project_budget_create(actor=hq, project=project, grant=grant, name="抗旱水利设施项目预算")
    lines = {}
    for code, name, amount in (
        ("DL01-1", "拦水坝", "60000.00"),
        ("DL01-2", "灌溉管道维修", "90000.00"),
        ("DL01-3", "蓄水池", "50000.00"),
    ):
        lines[code] = services.budget_line_create(
            actor=hq,
            project_budget=budget,
            code=code,
            name=name,
            economic_category=EconomicCategory.CAPITAL_CONSTRUCTION,
            amount=amount,
        )
    services.site_add(
        actor=cadre, project=project, kind=SiteKind.DAM, name="拦水坝", geometry=Point(*_xy(-900, 500), srid=4326)
    )
    services.site_add(actor=cadre, project=project, kind=SiteKind.PIPE, name="灌溉主管道", geometry=_pipe())
    reservoirs = MultiPoint(
        [Point(*_xy(600 * math.cos(2 * math.pi * k / 7), 600 * math.sin(2 * math.pi * k / 7))) for k in range(7)],
        srid=4326,
    )
    services.site_add(actor=cadre, project=project, kind=SiteKind.RESERVOIR, name="蓄水池", geometry=reservoirs)
    for kind, name, unit, target, site_kind in (
        ("quantity", "修建拦水坝", "座", "1", SiteKind.DAM),
        ("quantity", "维修灌溉管道", "m", "3000", SiteKind.PIPE),
        ("quantity", "修建蓄水池", "座", "7", SiteKind.RESERVOIR),
        ("quality", "工程验收合格率", "%", "100", ""),
        ("timeliness", "完工时间（天）", "天", "120", ""),
        ("social", "受益农户", "户", "300", ""),
        ("satisfaction", "受益群众满意度", "%", "95", ""),
    ):
        indicator = services.indicator_add(
            actor=cadre,
            project=project,
            kind=kind,
            name=name,
            unit=unit,
            target=target,
            comparator="le" if kind == "timeliness" else "ge",
            site_kind=site_kind,
        )
        if site_kind:
            services.actual_report(actor=cadre, indicator=indicator, reported_on=date(2025, 9, 15), from_sites=True)
        else:
            value = {"quality": "100", "timeliness": "96", "social": "326", "satisfaction": "98"}[kind]
            services.actual_report(actor=cadre, indicator=indicator, value=value, reported_on=date(2025, 9, 15))
    for seed, (phase, day, caption) in enumerate(
        (
            ("before", date(2025, 5, 8), "旱情中的茶园与破损管道"),
            ("during", date(2025, 6, 20), "管道维修施工"),
            ("after", date(2025, 8, 20), "验收时的蓄水池"),
        )
    ):
        services.photo_add(
            actor=cadre,
            project=project,
            phase=phase,
            photo=_jpeg(100 + seed, f"water-{phase}"),
            taken_at=_at(day),
            caption=caption,
            location=Point(*_xy(-300 + 200 * seed, -380), srid=4326),
        )
    for number, line, amount, purpose, invoice_no, day in (
        ("ZF2025-SL-001", "DL01-1", "60000.00", "拦水坝工程款", "25610001", date(2025, 8, 25)),
        ("ZF2025-SL-002", "DL01-2", "50000.00", "灌溉管道维修工程款（一期）", "25610002", date(2025, 7, 10)),
        ("ZF2025-SL-003", "DL01-2", "40000.00", "灌溉管道维修工程款（二期）", "25610003", date(2025, 8, 26)),
        ("ZF2025-SL-004", "DL01-3", "50000.00", "蓄水池工程款", "25610004", date(2025, 8, 27)),
    ):
        payment = _payment(
            project,
            lines[line],
            number=number,
            amount=amount,
            type=PaymentType.WORKS,
            purpose=purpose,
            payee=WATER_CONTRACTOR,
            invoice=("6100251130", invoice_no, day),
        )
        _backdate(_chain(payment, 7, paid_on=day), day)
    _steps(
        project,
        hq,
        cadre,
        {
            Stage.APPLICATION: date(2025, 4, 20),
            Stage.APPROVED: date(2025, 4, 28),
            Stage.PRE_WORK_NOTICE: date(2025, 5, 6),
            Stage.UNDER_CONSTRUCTION: date(2025, 5, 16),
            Stage.ACCEPTED: date(2025, 8, 20),
            Stage.COMPLETION_NOTICE: date(2025, 8, 22),
            Stage.SELF_EVALUATED: date(2025, 9, 15),
            Stage.ASSETS_REGISTERED: date(2025, 9, 20),
        },
    )


def _union_grant(city, hq, union):
    grant = services.grant_create(
        actor=hq,
        funder=union,
        area=city,
        code="ZGH-2025-BF-01",
        name="2025年驻村帮扶专项资金",
        purpose="支持驻村帮扶村产业发展和公共文化设施建设",
        amount="300000.00",
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 12, 31),
        conditions="实行预算管理，严格执行“三重一大”和七步支付审批流程。",
    )
    department = services.department_budget_create(
        actor=hq, area=city, year=2025, code="ZGH-2025-BM", name="市总工会部门预算·驻村帮扶", amount="300000.00"
    )
    return grant, department


def _tea(village, hq, cadre, grant, department) -> None:
    if Project.objects.filter(code="DL-2025-02").exists():
        return
    project = services.project_create(
        actor=hq,
        village=village,
        code="DL-2025-02",
        name="大连村撂荒茶园流转改造项目",
        type=ProjectType.TEA_GARDEN,
        implementer=TEA_COOPERATIVE,
        responsible_person="朱晶（驻村第一书记）",
        starts_on=date(2025, 3, 1),
        ends_on=date(2026, 12, 31),
        works="流转撂荒茶园，推行精细化管理，高海拔茶树改种，开展茶农技术培训",
        subsidy_standard="茶园改造每亩补助800元；务工补贴按实名制发放",
        benefit="茶农务工增收、鲜叶销售增收，合作社分红",
    )
    households = list(village.households.order_by("number")[:23]) if hasattr(village, "households") else []
    project.beneficiaries.add(*households)
    budget = services.project_budget_create(
        actor=hq, project=project, grant=grant, name="撂荒茶园改造项目预算", department_budget=department
    )
    lines = {}
    for code, name, category, amount in (
        ("DL02-1", "茶园流转改造", EconomicCategory.CAPITAL_CONSTRUCTION, "100000.00"),
        ("DL02-2", "茶农务工补贴", EconomicCategory.HOUSEHOLD_TRANSFERS, "30000.00"),
        ("DL02-3", "技术培训", EconomicCategory.GOODS_SERVICES, "20000.00"),
    ):
        lines[code] = services.budget_line_create(
            actor=hq, project_budget=budget, code=code, name=name, economic_category=category, amount=amount
        )
    # A budget change, approved and logged: training moves up, renovation down; the original stays visible.
    for code, amount, reason in (
        ("DL02-1", "95000.00", "高海拔茶树改种面积调减"),
        ("DL02-3", "25000.00", "增加“劳模工匠助企乡村行”技术培训场次"),
    ):
        change = services.budget_change_request(actor=hq, line=lines[code], new_amount=amount, reason=reason)
        services.budget_change_decide(actor=_u("fenguan"), change=change, approve=True)
        lines[code].refresh_from_db()
    for index, (cx, cy, w, h) in enumerate(((-500, 550, 220, 140), (350, 700, 200, 150), (-250, -850, 210, 145))):
        services.site_add(
            actor=cadre,
            project=project,
            kind=SiteKind.TEA_GARDEN,
            name=f"改造茶园{index + 1}号",
            geometry=_rect(cx, cy, w, h),
        )
    for kind, name, unit, target, comparator, site_kind, actual in (
        ("quantity", "撂荒茶园改造面积", "亩", "120", "ge", SiteKind.TEA_GARDEN, None),
        ("quantity", "春茶产量", "t", "40", "gt", "", "42.6"),
        ("economic", "综合产值", "万元", "3000", "gt", "", "3050"),
        ("economic", "鲜叶销售收入超10万元的农户", "户", "20", "ge", "", "23"),
        ("lasting", "茶园管护机制", "个", "1", "ge", "", "1"),
        ("satisfaction", "茶农满意度", "%", "95", "ge", "", "97"),
    ):
        indicator = services.indicator_add(
            actor=cadre,
            project=project,
            kind=kind,
            name=name,
            unit=unit,
            target=target,
            comparator=comparator,
            site_kind=site_kind,
        )
        if site_kind:
            services.actual_report(actor=cadre, indicator=indicator, reported_on=date(2026, 6, 30), from_sites=True)
        else:
            services.actual_report(actor=cadre, indicator=indicator, value=actual, reported_on=date(2026, 6, 30))
    services.photo_add(
        actor=cadre,
        project=project,
        phase="after",
        photo=_jpeg(200, "tea-after"),
        taken_at=_at(date(2026, 4, 10)),
        caption="改造后的茶园，春茶开采",
        location=Point(*_xy(-500, 550), srid=4326),
    )
    _steps(
        project,
        hq,
        cadre,
        {
            Stage.APPLICATION: date(2025, 2, 10),
            Stage.APPROVED: date(2025, 2, 20),
            Stage.PRE_WORK_NOTICE: date(2025, 2, 21),
            Stage.UNDER_CONSTRUCTION: date(2025, 3, 5),
        },
    )
    _tea_payments(project, lines)


def _tea_payments(project: Project, lines: dict) -> None:
    """Payments waiting at every step of the chain; one sent back, one refused."""
    today = timezone.localdate()
    plan = [
        # number, line, amount, type, purpose, payee, steps done
        ("ZF2026-CY-001", "DL02-1", "40000.00", PaymentType.WORKS, "茶园流转改造工程款", TEA_COOPERATIVE, 7),
        ("ZF2026-CY-002", "DL02-1", "5000.00", PaymentType.WORKS, "茶园道路修整", TEA_COOPERATIVE, 6),
        ("ZF2026-CY-003", "DL02-1", "10000.00", PaymentType.WORKS, "茶树改种工程款", TEA_COOPERATIVE, 5),
        ("ZF2026-CY-004", "DL02-1", "20000.00", PaymentType.WORKS, "茶园管护工程款", TEA_COOPERATIVE, 4),
        ("ZF2026-CY-005", "DL02-2", "12000.00", PaymentType.PAYOUT, "茶农务工补贴（第一批）", "大连村村民委员会", 3),
        ("ZF2026-CY-006", "DL02-3", "8000.00", PaymentType.SERVICES, "茶叶加工技术培训", "紫阳县茶业技术服务中心", 2),
        ("ZF2026-CY-007", "DL02-2", "9000.00", PaymentType.PAYOUT, "茶农务工补贴（第二批）", "大连村村民委员会", 1),
        ("ZF2026-CY-008", "DL02-2", "6000.00", PaymentType.PAYOUT, "茶农务工补贴（第三批）", "大连村村民委员会", 0),
    ]
    for index, (number, line, amount, type, purpose, payee, upto) in enumerate(plan):
        invoice = ("6100261130", f"2661{index:04d}", today) if type != PaymentType.PAYOUT else None
        _chain(
            _payment(
                project,
                lines[line],
                number=number,
                amount=amount,
                type=type,
                purpose=purpose,
                payee=payee,
                invoice=invoice,
            ),
            upto,
        )
    # Caught by the leader in charge: the invoice's seller is the nursery, the payee its owner. Sent back.
    seedlings = _payment(
        project,
        lines["DL02-1"],
        number="ZF2026-CY-009",
        amount="15000.00",
        type=PaymentType.GOODS,
        purpose="购买茶苗",
        payee="紫阳县秀英茶苗繁育场",
        invoice=("6100261130", "26619009", today),
    )
    _chain(seedlings, 1)
    services.payment_send_back(
        actor=_u("fenguan"), payment=seedlings, reason="合同约定分两批供苗，请按实际到货数量拆分后重新报送"
    )
    # Refused by the rules: cash over the limit stays a draft, with the refusal logged by the handler.
    cash = _payment(
        project,
        lines["DL02-3"],
        number="ZF2026-CY-010",
        amount="2500.00",
        type=PaymentType.GOODS,
        purpose="培训资料印刷",
        payee="焕古镇文印部",
        invoice=("6100261130", "26619010", today),
        method=Method.CASH,
        cash_reason="文印部无对公账户",
    )
    # 能转账拒付现金: refused, as the page refuses it when the handler tries.
    with contextlib.suppress(ValidationError):
        services.payment_submit(actor=_u("jingban"), payment=cash)


def _history(project: Project, line) -> None:
    """2025 ledger rows imported as they were, without the chain's checks: the audit finds them."""
    if Payment.objects.filter(number="LS2025-001").exists():
        return
    handler = _u("jingban")
    for number, amount, day, invoice_no in (
        ("LS2025-001", "6000.00", date(2025, 11, 3), "25619901"),
        ("LS2025-002", "5500.00", date(2025, 11, 5), "25619902"),
    ):
        when = _at(day)
        payment = Payment.objects.create(
            number=number,
            project=project,
            budget_line=line,
            type=PaymentType.GOODS,
            purpose="有机肥采购（2025年历史台账导入）",
            payee="紫阳县绿源农资店",
            payee_account="6228 4807 0000 9901",
            amount=Decimal(amount),
            status=PaymentStatus.COMPLETED,
            step=6,
            step_since=when,
            paid_on=day,
            transfer_reference=f"HX{number}",
            voucher_number=f"记-{number}",
            created_by=handler,
        )
        Payment.objects.filter(pk=payment.pk).update(created=when)
        Invoice.objects.create(
            payment=payment,
            code="6100251130",
            number=invoice_no,
            key=f"6100251130:{invoice_no}",
            issued_on=day,
            amount=Decimal(amount),
            seller="紫阳县绿源农资店",
        )
        for step, username in enumerate(CHAIN):
            # In the old paper ledger the handler also signed as cashier on the first purchase.
            actor = handler if (number == "LS2025-001" and step == 4) else _u(username)
            PaymentStep.objects.create(
                payment=payment,
                step=step,
                role=PAYMENT_ROLES[step],
                action=PaymentStep.Action.DONE,
                actor=actor,
                acted_at=when,
            )


def _culture(village, hq, cadre, grant, department) -> None:
    if Project.objects.filter(code="DL-2025-03").exists():
        return
    project = services.project_create(
        actor=hq,
        village=village,
        code="DL-2025-03",
        name="安置区文化活动中心提升项目",
        type=ProjectType.CULTURE_CENTRE,
        implementer="大连村村民委员会",
        responsible_person="谢志军（村党支部书记）",
        starts_on=date(2025, 10, 1),
        ends_on=date(2026, 12, 31),
        works="升级安置区文化活动中心，增添图书、健身器材",
        subsidy_standard="设备购置据实补助",
        benefit="丰富村民精神文化生活，安置区群众就近开展文体活动",
    )
    budget = services.project_budget_create(
        actor=hq, project=project, grant=grant, name="文化活动中心提升预算", department_budget=department
    )
    line = services.budget_line_create(
        actor=hq,
        project_budget=budget,
        code="DL03-1",
        name="图书和健身器材购置",
        economic_category=EconomicCategory.OTHER_CAPITAL,
        amount="60000.00",
    )
    services.site_add(
        actor=cadre,
        project=project,
        kind=SiteKind.BUILDING,
        name="安置区文化活动中心",
        geometry=_rect(200, -100, 40, 25),
    )
    for kind, name, unit, target in (
        ("quantity", "新增图书（册）", "个", "2000"),
        ("quantity", "新增健身器材", "个", "12"),
        ("satisfaction", "群众满意度", "%", "90"),
    ):
        services.indicator_add(actor=cadre, project=project, kind=kind, name=name, unit=unit, target=target)
    _steps(
        project,
        hq,
        cadre,
        {
            Stage.APPLICATION: date(2025, 9, 10),
            Stage.APPROVED: date(2025, 9, 20),
            Stage.PRE_WORK_NOTICE: date(2025, 9, 22),
            Stage.UNDER_CONSTRUCTION: date(2025, 10, 8),
        },
    )
    today = timezone.localdate()
    _chain(
        _payment(
            project,
            line,
            number="ZF2026-WH-001",
            amount="26000.00",
            type=PaymentType.GOODS,
            purpose="健身器材购置",
            payee="安康市康体器材有限公司",
            invoice=("6100261131", "26620001", today),
        ),
        7,
    )
    _chain(
        _payment(
            project,
            line,
            number="ZF2026-WH-002",
            amount="18000.00",
            type=PaymentType.GOODS,
            purpose="图书购置",
            payee="陕西新华书店安康分公司",
            invoice=("6100261131", "26620002", today),
        ),
        1,
    )


def _tianma(village, hq, cadre) -> None:
    if Project.objects.filter(code="DL-2026-01").exists():
        return
    project = services.project_create(
        actor=hq,
        village=village,
        code="DL-2026-01",
        name="大连村天麻试种项目",
        type=ProjectType.HERB_TRIAL,
        implementer="大连村村民委员会",
        responsible_person="朱晶（驻村第一书记）",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 12, 31),
        works="赴宁陕考察天麻种植技术，2026年开春试种，为村民探路",
        subsidy_standard="试种由第一书记先行投入，不使用帮扶资金",
        benefit="探索林下中药材产业，成功后带动农户种植",
    )
    services.site_add(
        actor=cadre, project=project, kind=SiteKind.FIELD, name="天麻试种地", geometry=_rect(-700, -100, 60, 56)
    )
    for kind, name, unit, target, site_kind in (
        ("quantity", "试种面积", "亩", "5", SiteKind.FIELD),
        ("social", "参与试种农户", "户", "5", ""),
    ):
        services.indicator_add(
            actor=cadre, project=project, kind=kind, name=name, unit=unit, target=target, site_kind=site_kind
        )
    _steps(project, hq, cadre, {Stage.APPLICATION: date(2026, 1, 15), Stage.APPROVED: date(2026, 2, 1)})


def load(stdout=None) -> None:
    village = Area.objects.get(code=VILLAGE_CODE)
    city = Area.objects.get(code=CITY_CODE)
    hq, cadre = _u("hq"), _u("zhujing")
    union = services.funder_upsert(actor=hq, code="AKZGH", name="安康市总工会", kind=Funder.Kind.UNION)
    water_bureau = services.funder_upsert(actor=hq, code="AKSLJ", name="安康市水利局", kind=Funder.Kind.GOVERNMENT)
    _water(village, hq, cadre, water_bureau)
    if not Project.objects.filter(code="DL-2025-02").exists():
        grant, department = _union_grant(city, hq, union)
        _tea(village, hq, cadre, grant, department)
        _culture(village, hq, cadre, grant, department)
    tea = Project.objects.get(code="DL-2025-02")
    _history(tea, tea.budgets.get().lines.get(code="DL02-1"))
    _tianma(village, hq, cadre)
    if not ComplianceFinding.objects.exists():
        compliance_run()
    if stdout:
        stdout.write(
            f"projects: {Project.objects.count()}, payments: {Payment.objects.count()}, "
            f"findings: {ComplianceFinding.objects.filter(resolved=False).count()}, "
            f"photos: {EvidencePhoto.objects.count()}, budget changes: {BudgetChange.objects.count()}"
        )
