"""The records a ruleset is checked against: teachers, schools (with plan and roster), projects.

A value left out is ``None`` and is reported as ``missing_data`` by every rule that needs it;
it is never silently a pass or a fail. Free-form facts a new regional document needs, and that
these models do not name, go under ``attributes`` (a mapping) and can be read by rules as
``attributes.NAME`` without a Python change.

>>> t = Teacher.model_validate({"id": "T1", "hours": {"online": 50, "offline": 25}})
>>> t.hours.total
75.0
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    computed_field,
    field_validator,
    model_validator,
)

from ..errors import Invalid, did_you_mean
from .catalog import CATALOG

Level = Literal["teacher", "school", "project", "region"]


def _finite(value: float) -> float:
    if math.isnan(value) or math.isinf(value):
        raise Invalid(
            f"必须是有限数值,不能是 NaN 或无穷大,实际为 {value}",
            f"must be a finite number, not NaN or Infinity, found {value}",
        )
    return value


def _point_code(code: str) -> str:
    code = code.strip().upper()
    if code not in CATALOG.points:
        hint = did_you_mean(code, CATALOG.points)
        raise Invalid(
            f"未知的微能力点 {code!r}" + (f";是否应为 {hint}?" if hint else ""),
            f"unknown micro-ability point {code!r}" + (f"; did you mean {hint}?" if hint else ""),
        )
    return code


def _finite_values(value: Any) -> Any:
    """Free attributes hold any data, but never NaN or infinity: they would pass every bound."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise ValueError("must be a finite number, not NaN or Infinity / 必须是有限数值")
    if isinstance(value, dict):
        for v in value.values():
            _finite_values(v)
    elif isinstance(value, list):
        for v in value:
            _finite_values(v)
    return value


#: The closed set of assessment grades (等级) and the texts platforms export for each.
GRADES: dict[str, tuple[str, ...]] = {
    "优秀": ("优", "优等", "excellent", "distinction"),
    "良好": ("良", "good"),
    "合格": ("及格", "通过", "达标", "pass", "passed"),
    "不合格": ("不及格", "未通过", "不通过", "未达标", "不达标", "fail", "failed"),
}
#: The closed set of certification levels (认证级别) and their common spellings.
CERT_LEVELS: dict[str, tuple[str, ...]] = {
    "校": ("校级", "学校", "本校", "school"),
    "区": ("区级", "县级", "区县", "区县级", "县区级", "县", "district", "county"),
    "市": ("市级", "市州", "地市级", "city"),
    "省": ("省级", "province"),
}


def _closed_set(table: dict[str, tuple[str, ...]], what: tuple[str, str]) -> Any:
    """A validator that maps exported text onto one value of ``table``, or refuses it by name."""
    lookup = {key: key for key in table}
    lookup.update({alias.casefold(): key for key, aliases in table.items() for alias in aliases})

    def check(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # pydantic reports the wrong type
        text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        found = lookup.get(text) or lookup.get(text.casefold())
        if found is None:
            allowed = "/".join(table)
            raise Invalid(
                f"未知的{what[0]} {value!r}(应为 {allowed} 之一)",
                f"unknown {what[1]} {value!r} (expected one of {allowed})",
            )
        return found

    return check


Grade = Annotated[
    Literal["优秀", "良好", "合格", "不合格"],
    BeforeValidator(_closed_set(GRADES, ("等级", "grade"))),
]
CertLevel = Annotated[
    Literal["校", "区", "市", "省"],
    BeforeValidator(_closed_set(CERT_LEVELS, ("认证级别", "certification level"))),
]
# Records are read as strictly as rosters: a number is a number, a date a date. YAML 1.1 and
# pydantic's lax mode would turn `yes` into 1 h, `050` into 40, `completed_on: 0` into
# 1970-01-01 and Unix seconds into dates, silently; here each is a located error instead.
_YAML11_NUMBER = re.compile(r"^[-+]?(?:0[0-7_]+|0[xob][0-9a-f_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?)$", re.I)


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _strict_number(value: Any) -> Any:
    """A number, never true/false or text (a roster cell is converted before it gets here)."""
    if isinstance(value, bool):
        raise Invalid(f"应为数字,不能是真假值 {_shown(value)}", f"expected a number, not true/false: found {_shown(value)}")
    if isinstance(value, str):
        if _YAML11_NUMBER.match(value.strip()):
            raise Invalid(
                f"应为数字,实际为 {_shown(value)}(八进制/十六进制/六十进制/下划线写法含义不明,请写十进制数)",
                f"expected a number, found {_shown(value)} (octal, hex, base-60 or underscore forms are "
                "ambiguous: write a decimal number)",
            )
        raise Invalid(f"应为数字,实际为 {_shown(value)}", f"expected a number, found {_shown(value)}")
    return value


# The forms of a date people write, in a plan by hand or in a roster's cell: 2023-09-25,
# 2023/9/25, 2023.9.25, 2023年9月25日, 20230925, with a time after it; full-width digits too.
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ t]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def date_from_text(text: str) -> dt.date | None:
    """The date a text writes (None: it writes no date), the one parse a YAML plan and a
    roster cell share; a date that does not exist (2023-02-30) raises ``ValueError``.

    >>> date_from_text("２０２３-０９-２５"), date_from_text("2023/9/25"), date_from_text("2023年9月25日")
    (datetime.date(2023, 9, 25), datetime.date(2023, 9, 25), datetime.date(2023, 9, 25))
    >>> date_from_text("2023年9月") is None
    True
    """
    t = unicodedata.normalize("NFKC", text).strip().casefold()
    m = _DATE_TEXT.match(t) or _DATE_COMPACT.match(t)
    return None if m is None else dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _strict_date(value: Any) -> Any:
    """A date, or text writing one (:func:`date_from_text`); never a number (0 would be
    1970-01-01, 1694995200 a day in 2023)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            found = date_from_text(value)
        except ValueError:
            raise Invalid(f"日期不存在,实际为 {_shown(value)}", f"no such date, found {_shown(value)}") from None
        if found is not None:
            return found
    raise Invalid(f"应为日期 YYYY-MM-DD,实际为 {_shown(value)}", f"expected a date YYYY-MM-DD, found {_shown(value)}")


Attributes = Annotated[dict[str, Any], AfterValidator(_finite_values)]
Hours = Annotated[float, Field(ge=0, le=10_000), AfterValidator(_finite), BeforeValidator(_strict_number)]
Score = Annotated[float, Field(ge=0, le=100), AfterValidator(_finite), BeforeValidator(_strict_number)]
Count = Annotated[int, Field(ge=0, le=10_000_000), BeforeValidator(_strict_number)]
Date = Annotated[dt.date, BeforeValidator(_strict_date)]
PointCode = Annotated[str, AfterValidator(_point_code)]
Environment = Literal["A", "B", "C"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


def _unique(
    items: list[Any] | None, key: Any, what: tuple[str, str], field: str | None = None
) -> list[Any] | None:
    if items is None:
        return None
    seen: dict[Any, int] = {}
    for i, item in enumerate(items):
        k = key(item)
        if k in seen:  # reported at the second one, naming the first
            zh, en = what
            raise Invalid(
                f"{zh} {k} 重复出现(第 {seen[k] + 1} 项已有)",
                f"{en} {k!r} is listed twice (already item {seen[k] + 1})",
                at=(i, field) if field else (i,),
            )
        seen[k] = i
    return items


class HoursRecord(_Record):
    """Credit hours (学时). ``practice`` breaks the offline hours into named parts."""

    online: Hours | None = Field(default=None, description="线上学时。Online hours.")
    offline: Hours | None = Field(default=None, description="线下学时。Offline hours.")
    practice: dict[str, Hours] | None = Field(
        default=None,
        description="实践学时。Offline hours by part, e.g. lesson / certification / process (Zeku 5/15/5).",
    )

    stated_total: Hours | None = Field(
        default=None,
        description="总学时 as a roster states it; the total when online/offline are not given.",
    )

    @model_validator(mode="after")
    def _total_agrees(self) -> HoursRecord:
        given = (self.stated_total, self.online, self.offline)
        if None not in given and abs(self.online + self.offline - self.stated_total) > 1e-6:  # type: ignore[operator]
            raise Invalid(
                f"总学时 {self.stated_total:g} 与线上 {self.online:g} + 线下 {self.offline:g} 不一致",
                f"stated total {self.stated_total:g} is not online {self.online:g} + "
                f"offline {self.offline:g}",
            )
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> float | None:
        """online + offline; the stated total when the split is not given.

        >>> HoursRecord(stated_total=75).total, HoursRecord(online=50).total
        (75.0, None)
        """
        if self.online is None or self.offline is None:
            return self.stated_total if self.online is None and self.offline is None else None
        return self.online + self.offline


class EvidenceItem(_Record):
    """One piece of a point's evidence (教学设计, 课堂实录, 反思 …) as the platform graded it."""

    name: str | None = Field(default=None, description="证据材料名称。What the item is, e.g. 教学设计.")
    grade: Grade | None = Field(default=None, description="优秀 / 良好 / 合格 / 不合格.")
    valid: bool | None = Field(default=None, description="证据材料是否有效。The item was judged valid (有效).")


class Evidence(_Record):
    """What makes certification evidence valid (泽库 四(六)3(3)).

    ``valid`` is computed from every judgement recorded: the two criteria together, the
    platform's verdict ``judged_valid``, and the items (all valid, or one invalid). It is
    False when any of them says invalid, True when at least one says valid and none says
    invalid, and missing when nothing is known.

    >>> Evidence(judged_valid=True).valid, Evidence(shows_teacher=True).valid
    (True, None)
    >>> Evidence(judged_valid=True, items=[{"name": "课堂实录", "valid": False}]).valid
    False
    """

    shows_teacher: bool | None = Field(default=None, description="包含教师本人的影像")
    own_work: bool | None = Field(default=None, description="能确定是教师本人制作")
    judged_valid: bool | None = Field(
        default=None, description="证据有效, as the platform or a reviewer recorded it."
    )
    grade: Grade | None = Field(default=None, description="证据等级。The evidence's grade (证据等级).")
    items: list[EvidenceItem] | None = Field(
        default=None, description="证据材料。The evidence items, each with its grade and validity."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def valid(self) -> bool | None:
        # read for every point by several rules: each source answers in turn, no list built
        shows, own, judged = self.shows_teacher, self.own_work, self.judged_valid
        if shows is False or own is False or judged is False:
            return False
        said = judged is True or bool(shows and own)  # some source says valid
        if self.items:
            marks = [i.valid for i in self.items]
            if False in marks:
                return False
            said = said or None not in marks
        return True if said else None


class PointRecord(_Record):
    """One micro-ability point a teacher chose, with its assessment."""

    code: PointCode = Field(description="能力点。Point.")
    grade: Grade | None = Field(default=None, description="等级: 优秀 / 良好 / 合格 / 不合格.")
    score: Score | None = Field(default=None, description="能力点成绩(0–100 分)。Final score of this point, 0–100.")
    level: CertLevel | None = Field(
        default=None, description="能力点认证级别。Who certified the point (认证级别): 校 / 区 / 市 / 省."
    )
    peer_score: Score | None = Field(default=None, description="能力点互评成绩(0–100 分)。Peer-review score of this point.")
    school_score: Score | None = Field(default=None, description="能力点学校评价成绩(0–100 分)。School-review score of this point.")
    evidence: Evidence | None = Field(default=None, description="能力点证据。Point evidence.")
    certified_on: Date | None = Field(default=None, description="能力点认证日期(如 2023-09-20)。Point certification date.")
    school_grade: Grade | None = Field(
        default=None,
        description="校内考核等级: the school's own grade, before a higher level certifies the point.",
    )
    result_filed_on: Date | None = Field(
        default=None, description="能力点成果提交日期(如 2023-09-20)。Date the point's 研修成果 was handed in (提交)."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def dimension(self) -> str:
        return CATALOG.dimension_of(self.code)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def environment(self) -> str:
        return CATALOG.environment_of(self.code)


class Document(_Record):
    """A document a teacher, school, workshop, group or provider files (学习计划, 实施方案 …).

    ``name`` is its title as filed; ``type`` what kind of document it is, where the title does
    not say (a title 《2023年秋季个人计划》 of type 学习计划). A required title is met by either.
    Each step of its way is a date and who did it: filed (提交), received (接收), approved (审核).

    >>> d = Document(name="研修计划", type="学习计划", filed_on="2023-09-01", approved_on="2023-09-05")
    >>> d.approved
    True
    """

    name: str = Field(min_length=1, description="文件名称。The title as filed.")
    type: str | None = Field(
        default=None, description="文件类型。The kind of document (学习计划, 个人研修总结, 研修档案, 任务清单 …)."
    )
    filed_on: Date | None = Field(default=None, description="文件上报日期(如 2023-09-20)。Date it was filed (提交/报送).")
    filed_by: str | None = Field(default=None, description="文件上报人。Who filed it.")
    received_on: Date | None = Field(default=None, description="文件接收日期(如 2023-09-20)。Date it was received (接收/备案).")
    received_by: str | None = Field(default=None, description="文件接收人。Who received it.")
    approved: bool | None = Field(default=None, description="文件是否审核通过。It passed review (审核通过).")
    approved_on: Date | None = Field(default=None, description="文件审核日期(如 2023-09-20)。Date it was approved.")
    approved_by: str | None = Field(default=None, description="文件审核人。Who approved it.")
    items: Count | None = Field(default=None, description="文件数量(个)。How many, where a document is counted.")

    @model_validator(mode="after")
    def _dates_agree(self) -> Document:
        """An approval date means approved; ``approved: false`` beside one says two things."""
        if self.approved_on is not None:
            if self.approved is False:
                raise Invalid(
                    f"文件 {self.name!r} 标为未审核(approved: false),却有审核日期 {self.approved_on}",
                    f"document {self.name!r} is marked not approved but has an approval date "
                    f"{self.approved_on}",
                )
            self.approved = True
        return self


class Teacher(_Record):
    """A teacher's training record."""

    id: str = Field(description="编号。Id.", min_length=1, max_length=64)
    name: str | None = Field(default=None, description="名称。Name.")
    school_id: str | None = Field(
        default=None,
        description="所在学校。Id of the teacher's school (rules reach the school itself as `school.`).",
    )
    subject: str | None = Field(default=None, description="任教学科。Subject.")
    workshop: str | None = Field(default=None, description="所在工作坊。Name of the teacher's workshop (工作坊).")
    subject_group: str | None = Field(
        default=None, description="所在学科组。Name of the teacher's subject group (学科组/教研组)."
    )
    enrolled: bool | None = Field(default=None, description="是否参训。Enrolled in this round (参训).")
    hours: HoursRecord | None = Field(default=None, description="学时。Hours.")
    points: list[PointRecord] | None = Field(default=None, description="所选能力点。Chosen points.")
    lessons_uploaded: Count | None = Field(default=None, description="课堂实录课 uploaded.")
    lessons_reviewed: Count | None = Field(
        default=None, description="评课数(个)。Other teachers' lessons reviewed (评课)."
    )
    peer_reviews_given: Count | None = Field(
        default=None, description="互评数(个)。Colleagues' evidence peer-reviewed (互评)."
    )
    result_cases: Count | None = Field(default=None, description="成果案例 handed in.")
    peer_score: Score | None = Field(default=None, description="互评成绩(0–100 分)。Peer-review score.")
    school_score: Score | None = Field(default=None, description="学校评价成绩(0–100 分)。School-review score.")
    score: Score | None = Field(default=None, description="考核成绩(0–100 分)。Final assessment score, 0–100.")
    grade: Grade | None = Field(
        default=None, description="考核结果 / 等级: 优秀 / 良好 / 合格 / 不合格."
    )
    assessed_on: Date | None = Field(
        default=None, description="考核日期(如 2023-09-20)。Date the teacher took assessment (参与考核)."
    )
    declared_on: Date | None = Field(
        default=None, description="能力点申报日期(如 2023-09-20)。Date the teacher declared for assessment (个人申报)."
    )
    peer_reviewed_on: Date | None = Field(
        default=None, description="互评完成日期(如 2023-09-20)。Date of the subject group's peer review (组内互评)."
    )
    school_reviewed_on: Date | None = Field(
        default=None, description="学校评价日期(如 2023-09-20)。Date of the school's evaluation (学校评价)."
    )
    completed_on: Date | None = Field(
        default=None, description="完成日期(如 2023-09-20)。Date all training was completed."
    )
    documents: list[Document] | None = Field(
        default=None,
        description="上报的文件。The teacher's own documents (学习计划, 个人研修总结, 研修档案, 任务清单 …).",
    )
    attributes: Attributes = Field(description="附加信息。Additional information.", default_factory=dict)

    _points_unique = field_validator("points")(
        lambda v: _unique(v, lambda p: p.code, ("能力点", "point"), "code")
    )


class Member(_Record):
    """A member of a school team."""

    name: str | None = Field(default=None, description="成员姓名。Name.")
    role: str | None = Field(default=None, description="成员职务。e.g. 校长, 教务主任, 信息技术负责人")
    leader: bool = Field(default=False, description="是否负责人(true 是 / false 否)。Whether the member leads the team.")
    training_hours: Hours | None = Field(default=None, description="成员培训学时。Training hours.")
    training_days: Hours | None = Field(default=None, description="成员培训天数。Training days.")
    online_hours: Hours | None = Field(default=None, description="成员网络研修学时。Online hours.")


class Team(_Record):
    """A school team (领导小组, 管理团队, 培训团队): its members, its leader, when it was formed."""

    members: list[Member] = Field(default_factory=list)
    formed_on: Date | None = Field(default=None, description="Date the team was formed (组建/成立).")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def size(self) -> int:
        return len(self.members)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def roles(self) -> list[str]:
        return [m.role for m in self.members if m.role]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def leader_role(self) -> str | None:
        return next((m.role for m in self.members if m.leader), None)


class Step(_Record):
    """A dated step of a plan's schedule."""

    name: str = Field(description="工作事项。Schedule step.", min_length=1)
    start: Date | None = Field(default=None, description="事项开始日期(如 2023-09-20)。Step start date.")
    end: Date | None = Field(default=None, description="事项结束日期(如 2023-09-20)。Step end date.")
    done_on: Date | None = Field(default=None, description="事项完成日期(如 2023-09-20)。Step completion date.")


class SubjectGroup(_Record):
    """A subject group (学科组, 教研组, a workshop's 研修小组): its members and documents."""

    name: str = Field(description="学科组名称。Subject group name.", min_length=1)
    subject: str | None = Field(default=None, description="学科组学科。Subject group subject.")
    leader: str | None = Field(default=None, description="组长.")
    members: list[str] | None = Field(default=None, description="学科组成员。Names or ids of its teachers.")
    documents: list[Document] | None = Field(
        default=None, description="学科组上报的文件。The group's documents (专题研修计划, 过程性资料 …)."
    )


class Workshop(_Record):
    """A teacher workshop (工作坊): its 坊主, 辅导员, 骨干 and administrators, members, groups.

    ``size`` is the number of members as a plan states it; when ``members`` is listed too, the
    two must agree.
    """

    name: str = Field(description="工作坊名称。Workshop name.", min_length=1)
    subject: str | None = Field(default=None, description="工作坊学科。The subject the workshop is built on.")
    size: Count | None = Field(default=None, description="工作坊人数(人)。Workshop size.")
    leader: str | None = Field(default=None, description="坊主.")
    administrators: list[str] | None = Field(default=None, description="工作坊管理员。Workshop administrators.")
    tutors: list[str] | None = Field(default=None, description="辅导员.")
    core_teachers: list[str] | None = Field(default=None, description="骨干教师.")
    members: list[str] | None = Field(default=None, description="工作坊成员。Names or ids of its teachers.")
    groups: list[SubjectGroup] | None = Field(
        default=None, description="工作坊学科组。Its subject groups (学科组/研修小组)."
    )
    documents: list[Document] | None = Field(
        default=None, description="工作坊上报的文件。The workshop's documents (研修方案, 总结材料 …)."
    )

    @model_validator(mode="after")
    def _size_agrees(self) -> Workshop:
        if self.size is not None and self.members is not None and self.size != len(self.members):
            raise Invalid(
                f"工作坊 {self.name!r} 人数 {self.size} 与成员名单 {len(self.members)} 人不一致",
                f"workshop {self.name!r} states {self.size} members but lists {len(self.members)}",
            )
        return self


class Activity(_Record):
    """An activity a school holds (案例评选, 展示, 跨校教研 …), with the schools it was held with."""

    name: str = Field(description="活动名称。Activity name.", min_length=1)
    type: str | None = Field(default=None, description="活动类型。The kind of activity, where the name does not say.")
    held_on: Date | None = Field(default=None, description="活动日期(如 2023-09-20)。Activity date.")
    partners: list[str] | None = Field(
        default=None, description="活动合作方。The other schools taking part (结对/结队学校)."
    )


class Staff(_Record):
    """Staff figures a plan states, with its breakdown tables."""

    total: Count | None = Field(default=None, description="专任教师 headcount.")
    establishment: Count | None = Field(default=None, description="编制内教职工.")
    enrolled: Count | None = Field(default=None, description="参训教师人数(人)。Teachers taking part.")
    by_age: dict[str, Count] | None = Field(default=None, description="教师年龄结构(人)。Staff by age.")
    by_title: dict[str, Count] | None = Field(default=None, description="教师职称结构(人)。Staff by title.")
    by_degree: dict[str, Count] | None = Field(default=None, description="教师学历结构(人)。Staff by degree.")


class Teams(_Record):
    leading: Team | None = Field(default=None, description="领导小组.")
    management: Team | None = Field(default=None, description="管理团队.")
    training: Team | None = Field(default=None, description="培训(指导)团队, 研修团队.")


class School(_Record):
    """A school: its plan (scope, teams, documents, schedule) and, once work starts, its teachers."""

    id: str = Field(description="编号。Id.", min_length=1, max_length=64)
    name: str | None = Field(default=None, description="名称。Name.")
    kind: str | None = Field(
        default=None, description="小学 / 初中 / 高中 / 幼儿园 / 职业学校 / 特殊教育学校 …"
    )
    environments: list[Environment] | None = Field(
        default=None, description="学校信息化环境。IT environments the school has."
    )
    point_scope: list[PointCode] | None = Field(
        default=None, description="学校所选能力点。Points the school chose (微能力点范围)."
    )
    teams: Teams | None = Field(default=None, description="学校团队。The school's teams.")
    documents: list[Document] | None = Field(default=None, description="上报的文件。Documents filed.")
    schedule: list[Step] | None = Field(default=None, description="工作安排。Schedule.")
    staff: Staff | None = Field(default=None, description="教师人数情况。Staff figures.")
    workshops: list[Workshop] | None = Field(default=None, description="工作坊。Workshops.")
    subject_groups: list[SubjectGroup] | None = Field(
        default=None, description="学科(教研)组, with their members and documents."
    )
    activities: list[Activity] | None = Field(default=None, description="研修活动。Activities.")
    partners: list[str] | None = Field(
        default=None, description="合作单位。Schools this school is paired with (结对/结队学校)."
    )
    provider: str | None = Field(default=None, description="承训机构。The training provider (培训机构).")
    review_applied_on: Date | None = Field(
        default=None, description="复评申请日期(如 2023-09-20)。Date the school applied for re-review (复评验收)."
    )
    summary_filed_on: Date | None = Field(
        default=None, description="工作总结上报日期(如 2023-09-20)。Date the school's work summary was filed."
    )
    roster: str | None = Field(
        default=None, description="教师名册文件。Path of a roster file (CSV/XLSX/JSONL) with the teachers."
    )
    roster_points: str | None = Field(
        default=None,
        description="能力点名册文件。Path of the roster's points file (one row per teacher × point), joined by id.",
    )
    teachers: list[Teacher] | None = Field(default=None, description="教师名单。Teachers.")
    attributes: Attributes = Field(description="附加信息。Additional information.", default_factory=dict)

    _scope_unique = field_validator("point_scope")(
        lambda v: _unique(v, lambda c: c, ("能力点", "point"))
    )
    _teachers_unique = field_validator("teachers")(
        lambda v: _unique(v, lambda t: t.id, ("教师编号", "teacher id"), "id")
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def document_names(self) -> list[str]:
        return [d.name for d in self.documents or ()]


class Filing(_Record):
    """A filing a training provider owes (自评报告, 课程资源, 案例集)."""

    filed_on: Date | None = None
    teachers_covered: Count | None = Field(
        default=None, description="Trainees a case collection covers."
    )


class SchoolCount(_Record):
    """One school's figures inside a project, to check against the project's totals."""

    name: str = Field(min_length=1)
    teachers: Count | None = None
    management_members: Count | None = None


class Project(_Record):
    """A training provider's project (承训项目), as the Henan notice requires."""

    id: str = Field(description="编号。Id.", min_length=1, max_length=64)
    name: str | None = Field(default=None, description="名称。Name.")
    provider: str | None = Field(default=None, description="承训机构。Training provider.")
    schools: Count | None = Field(default=None, description="项目学校数(所)。Number of schools.")
    teachers: Count | None = Field(default=None, description="教师名单(人)。Teachers.")
    management_members: Count | None = Field(default=None, description="管理团队成员人数(人)。Management-team members.")
    start: Date | None = Field(default=None, description="开始日期(如 2023-09-20)。Start date.")
    end: Date | None = Field(default=None, description="结束日期(如 2023-09-20)。Date training actually finished.")
    extension_approved: bool | None = Field(default=None, description="是否获批延期。Whether an extension was approved.")
    bulletins: list[Date] | None = Field(
        default=None, description="工作简报。Dates work bulletins were filed."
    )
    self_evaluation_report: Filing | None = Field(default=None, description="绩效自评报告。Self-evaluation report.")
    course_resources: Filing | None = Field(default=None, description="精品课程资源。Course resources.")
    case_collection: Filing | None = Field(default=None, description="教师成长研究案例集。Case collection.")
    selected: Count | None = Field(default=None, description="遴选人数(人)。Teachers selected (遴选).")
    enrolled: Count | None = Field(default=None, description="是否参训(个)。Teachers who took part (参训).")
    completed: Count | None = Field(default=None, description="结业人数(人)。Teachers who completed (结业).")
    attended: Count | None = Field(default=None, description="出勤人数(人)。Teachers who attended (出勤).")
    school_counts: list[SchoolCount] | None = Field(default=None, description="分校名单。Per-school figures.")
    registered: Count | None = Field(default=None, description="注册人数(人)。Trainees registered (注册).")
    reported: Count | None = Field(default=None, description="报到人数(人)。Trainees who arrived (报到).")
    assessed_before: Count | None = Field(
        default=None, description="训前测评人数(人)。Trainees whose ability was assessed before training."
    )
    assessed_after: Count | None = Field(
        default=None, description="训后测评人数(人)。Trainees whose ability was assessed after training."
    )
    chief_expert: str | None = Field(default=None, description="首席专家.")
    experts: list[str] | None = Field(default=None, description="专家团队。The project's expert team.")
    documents: list[Document] | None = Field(
        default=None, description="上报的文件。The provider's documents (需求调研报告, 培训方案, 应急预案 …)."
    )
    attributes: Attributes = Field(description="附加信息。Additional information.", default_factory=dict)


# -- Regions: a county, city or province with its schools --------------------------------------
# (one block: a region record, the figures it keeps for each school, its dated counts)

#: The closed set of region levels (行政级别) and their common spellings.
REGION_LEVELS: dict[str, tuple[str, ...]] = {
    "县": ("县级", "区", "区级", "区县", "县区", "县市区", "county", "district"),
    "市": ("市级", "地市", "地市级", "市州", "州", "city", "prefecture"),
    "省": ("省级", "自治区", "直辖市", "province"),
}
RegionLevel = Annotated[
    Literal["县", "市", "省"],
    BeforeValidator(_closed_set(REGION_LEVELS, ("区域级别", "region level"))),
]
Share = Annotated[float, Field(ge=0, le=1), AfterValidator(_finite), BeforeValidator(_strict_number)]


class DatedCount(_Record):
    """Cumulative counts of a school's or a region's teachers as of a date (培训人数 by 8-15).

    >>> DatedCount(date="2021-08-15", trained=120).trained
    120
    """

    date: Date = Field(description="The date the counts are as of.")
    trained: Count | None = Field(
        default=None, description="Teachers who had completed the training by that date (累计完成)."
    )
    enrolled: Count | None = Field(default=None, description="Teachers enrolled by that date (参训).")


class SchoolFigures(_Record):
    """What a region keeps about one of its schools when the school's own record is not given.

    A school given in full (``schools:`` of a region) is summed up in the same shape once it is
    checked: its ``staff``, its teachers' completion dates, its pass rate and its verdict.

    >>> SchoolFigures(id="S1", staff={"total": 40}, progress=[{"date": "2021-08-15", "trained": 12}]).staff.total
    40
    """

    id: str = Field(min_length=1, max_length=64)
    name: str | None = None
    staff: Staff | None = Field(default=None, description="`total`: the school's in-service teachers.")
    progress: list[DatedCount] | None = Field(
        default=None, description="Teachers trained (cumulative) as of dates."
    )
    filed: bool | None = Field(
        default=None, description="The school filed its plan / records with the region (已报备)."
    )
    pass_rate: Share | None = Field(
        default=None, description="Share of its teachers who passed the assessment (合格率), 0–1."
    )
    passed: bool | None = Field(
        default=None, description="The school met the requirements (验收合格), as the region recorded it."
    )
    attributes: Attributes = Field(default_factory=dict)
    # set by ict2rules.evaluation.regions for a school given in full: that it was, and its teachers'
    # completion dates (None when it lists no teachers)
    _supplied: bool = PrivateAttr(default=False)
    _completed: list[dt.date | None] | None = PrivateAttr(default=None)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def supplied(self) -> bool:
        """The school's own record was given and checked, not only the region's figures."""
        return self._supplied

    _progress_unique = field_validator("progress")(
        lambda v: _unique(v, lambda c: c.date, ("日期", "date"), "date")
    )


class Region(_Record):
    """A county (县/区), city (市) or province (省): its staff figures, dated counts and schools.

    ``schools`` are schools given in full (checked as schools, then rolled up);
    ``school_figures`` the figures the region keeps for schools whose records are not given.

    >>> r = Region.model_validate({"id": "ZK", "level": "县", "school_figures": [{"id": "S1"}]})
    >>> r.level, [s.id for s in r.school_figures]
    ('县', ['S1'])
    """

    id: str = Field(min_length=1, max_length=64)
    name: str | None = None
    level: RegionLevel | None = Field(default=None, description="县 / 市 / 省.")
    parent: str | None = Field(default=None, description="Id or name of the region above it.")
    staff: Staff | None = Field(
        default=None, description="`total`: the region's in-service teachers (本地教师数)."
    )
    progress: list[DatedCount] | None = Field(
        default=None, description="The region's own counts of teachers trained as of dates."
    )
    schools: list[School] | None = None
    school_figures: list[SchoolFigures] | None = None
    attributes: Attributes = Field(default_factory=dict)

    _progress_unique = field_validator("progress")(
        lambda v: _unique(v, lambda c: c.date, ("日期", "date"), "date")
    )
    _schools_unique = field_validator("schools", "school_figures")(
        lambda v: _unique(v, lambda s: s.id, ("学校编号", "school id"), "id")
    )

    @model_validator(mode="after")
    def _each_school_once(self) -> Region:
        given = {s.id: i for i, s in enumerate(self.schools or ())}
        for i, f in enumerate(self.school_figures or ()):
            if f.id in given:
                raise Invalid(
                    f"学校编号 {f.id} 已在 schools 第 {given[f.id] + 1} 项给出,不能再列入 school_figures",
                    f"school id {f.id!r} is given in full (schools item {given[f.id] + 1}); "
                    "it cannot also be in school_figures",
                    at=("school_figures", i, "id"),
                )
        return self


class RegionView(_Record):
    """What region rules read: the region, with every school (given in full or as figures) as
    :class:`SchoolFigures` under ``schools``. Built by :mod:`ict2rules.evaluation.regions`."""

    id: str
    name: str | None = None
    level: RegionLevel | None = None
    parent: str | None = None
    staff: Staff | None = None
    progress: list[DatedCount] | None = None
    schools: list[SchoolFigures] = Field(default_factory=list)
    attributes: Attributes = Field(default_factory=dict)


MODELS: dict[str, type[BaseModel]] = {
    "teacher": Teacher, "school": School, "project": Project, "region": RegionView,
}


class DataFile(_Record):
    """The top level of a record file: exactly one of the keys below."""

    teacher: Teacher | None = None
    teachers: list[Teacher] | None = None
    school: School | None = None
    schools: list[School] | None = None
    project: Project | None = None
    projects: list[Project] | None = None
    region: Region | None = None
    regions: list[Region] | None = None

    # one id once per list, reported at the second item (across files: inputs.join_schools)
    _teachers_unique = field_validator("teachers")(
        lambda v: _unique(v, lambda t: t.id, ("教师编号", "teacher id"), "id")
    )
    _schools_unique = field_validator("schools")(
        lambda v: _unique(v, lambda s: s.id, ("学校编号", "school id"), "id")
    )
    _projects_unique = field_validator("projects")(
        lambda v: _unique(v, lambda p: p.id, ("项目编号", "project id"), "id")
    )
    _regions_unique = field_validator("regions")(
        lambda v: _unique(v, lambda r: r.id, ("区域编号", "region id"), "id")
    )

    @model_validator(mode="after")
    def _one_kind_of_record(self) -> DataFile:
        """``teacher:`` beside ``school:`` is one file saying two things: which is meant? (S12)"""
        given = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(given) > 1:
            raise Invalid(
                f"记录文件只能有 teacher/teachers/school/schools/project/projects/region/regions 之一,"
                f"这里给出了 {'、'.join(given)}",
                f"a record file holds one of teacher, teachers, school, schools, project, "
                f"projects, region, regions; this one gives {', '.join(given)}",
            )
        return self
