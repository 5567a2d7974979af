"""Plain words for people, ids for programs: the one table of field labels and terms.

A report says 完成日期 / "completion date", never ``completed_on``; 未填写 / "not given", never
``None``; "within the school's chosen points", never ``⊆``. JSON keeps the ids and paths.
Both meet in :class:`Phrase`: a ``str`` whose value is the machine form (a field path, an
expected value as JSON has always given it) and which carries how it reads in each language.
A kind's explanation makes phrases; :func:`say` (used by every message and the 要求/实际
lines) reads them. See docs/messages.md.

>>> p = field("completed_on")
>>> p, p.zh, p.en
('completed_on', '完成日期', 'completion date')
>>> say(None, "zh"), say(True, "en"), say(["校长", "A1"], "en")
('未填写', 'yes', 'principal, A1')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from .errors import printable
from .input.catalog import CATALOG

LANGS = ("zh", "en")


def fmt_number(x: Any) -> str:
    """A number as people read it: 75.0 → '75', 0.5 → '0.5'.

    >>> fmt_number(75.0), fmt_number(0.5)
    ('75', '0.5')
    """
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


class Phrase(str):
    """Machine text (its ``str`` value: what JSON shows) with how people read it.

    >>> p = Phrase("≥ 75 学时", "≥ 75 学时", "≥ 75 hours")
    >>> p == "≥ 75 学时", p.en, p.of("en")
    (True, '≥ 75 hours', '≥ 75 hours')
    """

    zh: str
    en: str

    def __new__(cls, machine: str, zh: str | None = None, en: str | None = None) -> Phrase:
        self = super().__new__(cls, machine)
        self.zh = machine if zh is None else zh
        self.en = self.zh if en is None else en
        return self

    def of(self, lang: str) -> str:
        """The phrase in ``lang`` ("zh" or "en")."""
        return self.en if lang == "en" else self.zh

    def __reduce__(self) -> Any:  # pickled whole (findings cross process boundaries)
        return (Phrase, (str(self), self.zh, self.en))


# --------------------------------------------------------------------------- fields

#: Field path (as rules read it, list indices left out) → (zh, en). Every field of the record
#: models has a label (tests/test_messages.py holds the table to that); the zh label is the
#: roster column a coordinator knows where there is one.
FIELDS: dict[str, tuple[str, str]] = {
    # teacher
    "id": ("编号", "id"),
    "name": ("名称", "name"),
    "school_id": ("所在学校", "school"),
    "subject": ("任教学科", "subject"),
    "enrolled": ("是否参训", "enrolment"),
    "passed": ("考核是否合格", "whether the teacher passed"),
    "hours": ("学时", "hours"),
    "hours.online": ("线上学时", "online hours"),
    "hours.offline": ("线下学时", "offline hours"),
    "hours.total": ("总学时", "total hours"),
    "hours.stated_total": ("总学时", "total hours"),
    "hours.practice": ("实践学时", "practice hours"),
    "hours.practice.lesson": ("课堂实录学时", "lesson-recording hours"),
    "hours.practice.certification": ("能力点认证学时", "certification hours"),
    "hours.practice.process": ("过程性资料学时", "process-material hours"),
    "points": ("所选能力点", "chosen points"),
    "points.code": ("能力点", "point"),
    "points.grade": ("能力点等级", "point grade"),
    "points.score": ("能力点成绩", "point score"),
    "points.level": ("能力点认证级别", "point certification level"),
    "points.peer_score": ("能力点互评成绩", "point peer-review score"),
    "points.school_score": ("能力点学校评价成绩", "point school-review score"),
    "points.evidence": ("能力点证据", "point evidence"),
    "points.evidence.shows_teacher": ("证据是否含教师本人影像", "whether the evidence shows the teacher"),
    "points.evidence.own_work": ("证据是否为教师本人制作", "whether the evidence is the teacher's own work"),
    "points.evidence.judged_valid": ("证据是否判定有效", "whether the evidence was judged valid"),
    "points.evidence.valid": ("证据是否有效", "whether the evidence is valid"),
    "points.evidence.grade": ("证据等级", "evidence grade"),
    "points.evidence.items": ("证据材料", "evidence items"),
    "points.evidence.items.name": ("证据材料名称", "evidence item name"),
    "points.evidence.items.grade": ("证据材料等级", "evidence item grade"),
    "points.evidence.items.valid": ("证据材料是否有效", "whether the evidence item is valid"),
    "points.certified_on": ("能力点认证日期", "point certification date"),
    "points.dimension": ("能力点维度", "point dimension"),
    "points.environment": ("能力点环境", "point environment"),
    "lessons_uploaded": ("上传课堂实录课数", "lesson recordings uploaded"),
    "lessons_reviewed": ("评课数", "lessons reviewed"),
    "peer_reviews_given": ("互评数", "peer reviews given"),
    "result_cases": ("成果案例数", "result cases handed in"),
    "peer_score": ("互评成绩", "peer-review score"),
    "school_score": ("学校评价成绩", "school-review score"),
    "score": ("考核成绩", "assessment score"),
    "grade": ("考核结果", "assessment result"),
    "assessed_on": ("考核日期", "assessment date"),
    "completed_on": ("完成日期", "completion date"),
    "declared_on": ("能力点申报日期", "date the points were declared"),
    "peer_reviewed_on": ("互评完成日期", "peer-review date"),
    "school_reviewed_on": ("学校评价日期", "school-review date"),
    "workshop": ("所在工作坊", "workshop"),
    "subject_group": ("所在学科组", "subject group"),
    "points.school_grade": ("能力点校内考核等级", "point's school grade"),
    "points.result_filed_on": ("能力点成果提交日期", "point result filing date"),
    "attributes": ("附加信息", "additional information"),
    # school
    "kind": ("学校类别", "kind of school"),
    "environments": ("学校信息化环境", "the school's IT environments"),
    "point_scope": ("学校所选能力点", "the school's chosen points"),
    "teams": ("学校团队", "the school's teams"),
    "teams.leading": ("领导小组", "leading group"),
    "teams.management": ("信息化管理团队", "management team"),
    "teams.training": ("培训指导团队", "training team"),
    "teams.management.members": ("管理团队成员", "management-team members"),
    "teams.training.members": ("培训团队成员", "training-team members"),
    "teams.management.size": ("管理团队人数", "management-team size"),
    "teams.training.size": ("培训团队人数", "training-team size"),
    "teams.management.roles": ("管理团队成员的职务", "management-team roles"),
    "teams.training.roles": ("培训团队成员的职务", "training-team roles"),
    "teams.management.leader_role": ("管理团队负责人的职务", "role of the management team's leader"),
    "teams.training.leader_role": ("培训团队负责人的职务", "role of the training team's leader"),
    "members": ("团队成员", "team members"),
    "members.name": ("成员姓名", "member's name"),
    "members.role": ("成员职务", "member's role"),
    "members.leader": ("是否负责人", "whether the member leads the team"),
    "members.training_hours": ("成员培训学时", "member's training hours"),
    "members.training_days": ("成员培训天数", "member's training days"),
    "members.online_hours": ("成员网络研修学时", "member's online hours"),
    "role": ("职务", "role"),
    "leader": ("是否负责人", "whether a leader"),
    "training_hours": ("培训学时", "training hours"),
    "training_days": ("培训天数", "training days"),
    "online_hours": ("网络研修学时", "online hours"),
    "documents": ("上报的文件", "documents filed"),
    "documents.name": ("文件名称", "document title"),
    "documents.filed_on": ("文件上报日期", "filing date"),
    "documents.approved": ("文件是否审核通过", "whether the document was approved"),
    "documents.items": ("文件数量", "number of documents"),
    "document_names": ("文件名称", "document titles"),
    "schedule": ("工作安排", "schedule"),
    "schedule.name": ("工作事项", "schedule step"),
    "schedule.start": ("事项开始日期", "step start date"),
    "schedule.end": ("事项结束日期", "step end date"),
    "schedule.done_on": ("事项完成日期", "step completion date"),
    "done_on": ("完成日期", "completion date"),
    "staff": ("教师人数情况", "staff figures"),
    "staff.total": ("专任教师总数", "staff headcount"),
    "staff.establishment": ("编制内教职工数", "established staff"),
    "staff.enrolled": ("参训教师人数", "teachers taking part"),
    "staff.by_age": ("教师年龄结构", "staff by age"),
    "staff.by_title": ("教师职称结构", "staff by title"),
    "staff.by_degree": ("教师学历结构", "staff by degree"),
    "workshops": ("工作坊", "workshops"),
    "workshops.name": ("工作坊名称", "workshop name"),
    "workshops.size": ("工作坊人数", "workshop size"),
    "workshops.leader": ("坊主", "workshop leader"),
    "workshops.administrators": ("工作坊管理员", "workshop administrators"),
    "workshops.subject": ("工作坊学科", "workshop subject"),
    "workshops.tutors": ("工作坊辅导员", "workshop tutors"),
    "workshops.core_teachers": ("工作坊骨干教师", "workshop core teachers"),
    "workshops.members": ("工作坊成员", "workshop members"),
    "workshops.groups": ("工作坊学科组", "workshop subject groups"),
    "workshops.documents": ("工作坊上报的文件", "workshop documents"),
    "subject_groups": ("学科组", "subject groups"),
    "subject_groups.documents": ("学科组上报的文件", "subject-group documents"),
    "activities": ("研修活动", "activities"),
    "activities.name": ("活动名称", "activity name"),
    "activities.type": ("活动类型", "activity type"),
    "activities.held_on": ("活动日期", "activity date"),
    "activities.partners": ("活动合作方", "activity partners"),
    "partners": ("合作单位", "partners"),
    "size": ("人数", "size"),
    "administrators": ("管理员", "administrators"),
    "review_applied_on": ("复评申请日期", "re-review application date"),
    "summary_filed_on": ("工作总结上报日期", "summary filing date"),
    "roster": ("教师名册文件", "roster file"),
    "roster_points": ("能力点名册文件", "roster points file"),
    "teachers": ("教师名单", "teachers"),
    "attributes.pilot": ("是否为试点学校", "whether the school is a pilot school"),
    "attributes.county": ("所属区县", "county"),
    # project
    "provider": ("承训机构", "training provider"),
    "schools": ("项目学校数", "number of schools"),
    "management_members": ("管理团队成员人数", "management-team members"),
    "start": ("开始日期", "start date"),
    "end": ("结束日期", "end date"),
    "extension_approved": ("是否获批延期", "whether an extension was approved"),
    "bulletins": ("工作简报", "work bulletins"),
    "self_evaluation_report": ("绩效自评报告", "self-evaluation report"),
    "course_resources": ("精品课程资源", "course resources"),
    "case_collection": ("教师成长研究案例集", "case collection"),
    "filed_on": ("提交日期", "filing date"),
    "teachers_covered": ("覆盖的参训教师数", "trainees covered"),
    "selected": ("遴选人数", "teachers selected"),
    "completed": ("结业人数", "teachers who completed"),
    "attended": ("出勤人数", "teachers who attended"),
    "school_counts": ("分校名单", "per-school figures"),
    "school_counts.name": ("学校名称", "school name"),
    "school_counts.teachers": ("学校教师人数", "the school's teachers"),
    "school_counts.management_members": ("学校管理团队人数", "the school's management members"),
    "registered": ("注册人数", "trainees registered"),
    "reported": ("报到人数", "trainees who arrived"),
    "assessed_before": ("训前测评人数", "trainees assessed before training"),
    "assessed_after": ("训后测评人数", "trainees assessed after training"),
    "chief_expert": ("首席专家", "chief expert"),
    "experts": ("专家团队", "expert team"),
    "attributes.publicity_filed_on": ("宣传材料汇编提交日期", "publicity compilation filing date"),
    "attributes.schedule_reported_on": ("实施时间报备日期", "date the schedule was reported"),
    # what the engine itself reads
    "as_of": ("检查日期", "as-of date"),
    "due date": ("截止日期", "due date"),
    ".": ("该项", "the item"),
}
# A team member's fields, and a filing's, by whose they are.
_MEMBER = {
    "name": ("姓名", "name"), "role": ("职务", "role"), "leader": ("是否负责人", "whether the leader"),
    "training_hours": ("培训学时", "training hours"), "training_days": ("培训天数", "training days"),
    "online_hours": ("网络研修学时", "online hours"),
}
_TEAMS = {
    "leading": ("领导小组", "leading-group"), "management": ("管理团队", "management-team"),
    "training": ("培训团队", "training-team"),
}
for _team, (_zh, _en) in _TEAMS.items():
    FIELDS.setdefault(f"teams.{_team}.members", (f"{_zh}成员", f"{_en} members"))
    FIELDS.setdefault(f"teams.{_team}.size", (f"{_zh}人数", f"{_en} size"))
    FIELDS.setdefault(f"teams.{_team}.roles", (f"{_zh}成员的职务", f"{_en} roles"))
    FIELDS.setdefault(
        f"teams.{_team}.leader_role", (f"{_zh}负责人的职务", f"role of the {_en} leader")
    )
    FIELDS[f"teams.{_team}.formed_on"] = (f"{_zh}组建日期", f"{_en} formation date")
    for _leaf, (_lz, _le) in _MEMBER.items():
        FIELDS[f"teams.{_team}.members.{_leaf}"] = (f"{_zh}成员{_lz}", f"{_en} member's {_le}")
# A document's fields, wherever documents are filed (a teacher's, a school's, a workshop's …).
_DOCUMENT = {
    "name": ("名称", "title"), "type": ("类型", "type"), "filed_on": ("上报日期", "filing date"),
    "filed_by": ("上报人", "filed by"), "received_on": ("接收日期", "date received"),
    "received_by": ("接收人", "received by"), "approved": ("是否审核通过", "whether approved"),
    "approved_on": ("审核日期", "approval date"), "approved_by": ("审核人", "approved by"),
    "items": ("数量", "number"),
}
_GROUP = {
    "name": ("名称", "name"), "subject": ("学科", "subject"), "leader": ("组长", "leader"),
    "members": ("成员", "members"),
}
for _groups, (_zh, _en) in {"subject_groups": ("学科组", "subject group"), "workshops.groups": ("工作坊学科组", "workshop subject group")}.items():
    for _leaf, (_lz, _le) in _GROUP.items():
        FIELDS[f"{_groups}.{_leaf}"] = (f"{_zh}{_lz}", f"{_en} {_le}")
    FIELDS[f"{_groups}.documents"] = (f"{_zh}上报的文件", f"{_en} documents")
for _owner, (_zh, _en) in {
    "": ("文件", "document"), "workshops.": ("工作坊文件", "workshop document"),
    "subject_groups.": ("学科组文件", "subject-group document"),
    "workshops.groups.": ("工作坊学科组文件", "workshop subject-group document"),
}.items():
    for _leaf, (_lz, _le) in _DOCUMENT.items():
        FIELDS.setdefault(f"{_owner}documents.{_leaf}", (f"{_zh}{_lz}", f"{_en} {_le}"))
for _filing in ("self_evaluation_report", "course_resources", "case_collection"):
    _zh, _en = FIELDS[_filing]
    FIELDS[f"{_filing}.filed_on"] = (f"{_zh}提交日期", f"{_en} filing date")
    FIELDS[f"{_filing}.teachers_covered"] = (f"{_zh}覆盖的参训教师数", f"trainees the {_en} covers")

# A path read through another record says whose field it is.
_OWNERS = {"school.": ("学校的", "the school's "), "parent.": ("", ""), "teacher.": ("", "")}
_INDEX = re.compile(r"\.\d+(?=\.|$)")
_UNKNOWN = ("所需数据", "the required data")


def _label(path: str) -> tuple[str, str]:
    """(zh, en) of a field path: its own label, else its nearest labelled parent's."""
    if path in FIELDS:
        return FIELDS[path]
    for prefix, (zh_owner, en_owner) in _OWNERS.items():
        if path.startswith(prefix):
            zh, en = _label(path[len(prefix):])
            if zh.startswith("学校"):  # 学校所选能力点 says whose it is already
                zh_owner = ""
            return zh_owner + zh, (en if en.startswith("the school") else en_owner + en)
    path = _INDEX.sub("", path)
    if path in FIELDS:
        return FIELDS[path]
    if path.startswith("$"):  # a parameter the ruleset leaves without a value
        return ("规则集未给出的数值", "a number the ruleset does not give")
    if path.startswith("attributes."):  # a column of the user's own: named as they wrote it
        name = path.removeprefix("attributes.")
        return f"「{name}」", f"'{name}'"
    head, _, leaf = path.rpartition(".")
    while head:
        if head in FIELDS:
            zh, en = FIELDS[head]
            return (f"{zh}的相关信息", f"details of the {en}") if leaf else FIELDS[head]
        head = head.rpartition(".")[0]
    return _UNKNOWN


#: A value computed from others is absent because they are: what a person fills in instead.
FILLED_BY: dict[str, tuple[str, ...]] = {
    "hours.total": ("hours.online", "hours.offline"),
    "hours.stated_total": ("hours.online", "hours.offline"),
}


def to_fill(paths: Iterable[Any]) -> list[Any]:
    """The fields to fill in for missing ``paths``: a computed value's inputs, in its place.

    >>> to_fill(["hours.total", "completed_on", "hours.online"])
    ['hours.online', 'hours.offline', 'completed_on']
    """
    out: dict[Any, None] = {}
    for p in paths:
        key = _INDEX.sub("", p) if isinstance(p, str) else p
        out.update(dict.fromkeys(FILLED_BY.get(key, (p,))) if isinstance(key, str) else {p: None})
    return list(out)


def field(path: str, ctx: Any = None) -> Phrase:
    """A field path as a :class:`Phrase`: the path for JSON, its label for people.

    ``ctx`` (a compile context, optional) names the ruleset's derived values by their titles
    (``final_score`` → 最终成绩).

    >>> field("school.point_scope").zh, field("hours.practice.lesson").en
    ('学校所选能力点', 'lesson-recording hours')
    >>> field("points.0.evidence.own_work").zh
    '证据是否为教师本人制作'
    """
    ruleset = getattr(ctx, "ruleset", None)
    for d in getattr(ruleset, "derived", None) or ():
        if path == d.id:
            return Phrase(path, d.title.zh, d.title.en)
    zh, en = _label(path)
    return Phrase(path, zh, en)


def label(path: str, lang: str = "zh") -> str:
    """A field path's label in ``lang``.

    >>> label("completed_on"), label("completed_on", "en")
    ('完成日期', 'completion date')
    """
    return field(path).of(lang)


# --------------------------------------------------------------------------- how a teacher is counted

#: How a teacher is counted, in every report for people (text, HTML, xlsx, markdown, the
#: teachers' lists): each teacher is exactly one of 合格, 未合格 (a required rule not met),
#: 缺少数据 (none failed, but required data is blank) or 尚未到期 (only work not yet due).
#: ``not_passed`` is the report summary's ``teachers.failed``: 未合格 and 缺少数据 together.
TEACHER_VERDICTS: dict[str, tuple[str, str]] = {
    "passed": ("合格", "passed"),
    "failed": ("未合格", "failed"),
    "missing": ("缺少数据", "data missing"),
    "pending": ("尚未到期", "not yet due"),
    "not_passed": ("未合格或缺少数据", "failed or data missing"),
}


def verdict_word(key: str, lang: str, head: bool = False) -> str:
    """How a teacher is counted (``passed``, ``failed``, ``missing``, ``pending``,
    ``not_passed``) in ``lang``; ``head``: as a column header (English capitalised).

    >>> verdict_word("missing", "zh"), verdict_word("missing", "en", head=True)
    ('缺少数据', 'Data missing')
    """
    zh, en = TEACHER_VERDICTS[key]
    if lang == "en":
        return en.capitalize() if head else en
    return zh


# --------------------------------------------------------------------------- units and terms

#: A unit a ruleset writes after a number (``unit: 学时``) → its English.
UNITS: dict[str, str] = {
    "学时": "hours", "个": "", "人": "people", "名": "people", "期": "issues", "所": "schools",
    "天": "days", "分": "points", "项": "items", "名教师": "teachers", "所学校": "schools",
    "名管理团队成员": "management members", "步": "steps", "篇": "pieces", "次": "times", "节": "lessons",
}


def unit(u: str, lang: str) -> str:
    """A unit in ``lang`` (an unknown one is left out in English: the number stays).

    >>> unit("学时", "en"), unit("学时", "zh"), unit("斤", "en")
    ('hours', '学时', '')
    """
    return u if lang == "zh" else UNITS.get(u, "")


#: Words rulesets and records use as values (roles, kinds of school, grades, levels) → English.
TERMS: dict[str, str] = {
    "校长": "principal", "副校长": "vice-principal", "主管教学副校长": "vice-principal for teaching",
    "教学副校长": "vice-principal for teaching", "教研主任": "head of teaching research", "书记": "party secretary",
    "教务主任": "dean of studies", "教务主管": "academic head", "教导主任": "dean of studies",
    "信息技术负责人": "head of IT", "信息技术骨干教师": "IT lead teacher",
    "骨干教师": "lead teacher", "教研组长": "research-group head",
    "教研组组长": "research-group head", "学科组长": "subject-group head", "教师": "teacher",
    "幼儿园": "kindergarten", "小学": "primary school", "初中": "junior middle school",
    "高中": "senior high school", "中学": "middle school", "普通中学": "general middle school",
    "初级中学": "junior middle school", "高级中学": "senior high school",
    "九年一贯制学校": "nine-year school", "完全中学": "complete middle school",
    "素质教育学校": "quality-education school", "特殊教育学校": "special-education school",
    "职业教育学校": "vocational school", "职业学校": "vocational school",
    "中等职业学校": "secondary vocational school",
    "优秀": "excellent", "良好": "good", "合格": "pass", "不合格": "fail",
    "校": "school", "区": "district", "市": "city", "省": "province",
}
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def term(value: str, lang: str) -> str:
    """A value people read: a dimension by its name, a known word in English; other text in
    Chinese is quoted as written in English (a title, a name from the record).

    >>> term("instructional_design", "zh"), term("校长", "en"), term("校本研修方案", "en")
    ('教学设计', 'principal', '“校本研修方案”')
    """
    dim = CATALOG.dimensions.get(value)
    if dim is not None:
        return getattr(dim, lang)
    if lang == "en" and _CJK.search(value):
        return TERMS.get(value) or f"“{value}”"
    return value


# --------------------------------------------------------------------------- values

_WORDS = {
    "zh": {None: "未填写", True: "是", False: "否", "empty": "无", "sep": "、"},
    "en": {None: "not given", True: "yes", False: "no", "empty": "none", "sep": ", "},
}
# a coverage's counts (its actual value) by key
_KEYS = {"points": ("能力点", "points"), "dimensions": ("维度", "dimensions"),
         "environments": ("环境", "environments")}


def say(value: Any, lang: str) -> str:
    """A value as a person reads it in ``lang``: a phrase in that language, 未填写 for nothing,
    是/否 for true/false, a list joined with 、 (or commas), a dimension by its name.

    >>> say(Phrase("⊆ {A1}", "在学校所选能力点之内", "within the school's points"), "zh")
    '在学校所选能力点之内'
    >>> say([], "zh"), say({"points": ["A1"]}, "en"), say(2.50, "zh")
    ('无', 'points: A1', '2.5')
    """
    words = _WORDS[lang]
    if isinstance(value, Phrase):
        return printable(value.of(lang))
    if value is None or isinstance(value, bool):
        return words[value]
    if isinstance(value, str):
        return printable(term(value, lang))
    if isinstance(value, float):
        return fmt_number(round(value, 4))
    if isinstance(value, dict):
        sep = ";" if lang == "zh" else "; "
        colon = ":" if lang == "zh" else ": "
        return sep.join(
            f"{_key(k, lang)}{colon}{say(v, lang)}" for k, v in value.items()
        )
    if isinstance(value, (list, tuple, set, frozenset)):
        return words["sep"].join(say(v, lang) for v in value) or words["empty"]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _key(k: Any, lang: str) -> str:
    i = 0 if lang == "zh" else 1
    if k in _KEYS:
        return _KEYS[k][i]
    return field(str(k)).of(lang) if "_" in str(k) or "." in str(k) else term(str(k), lang)


def listing(values: Iterable[Any], lang: str) -> str:
    """Values joined as a person lists them: 'A1、A2' or 'A1, A2' ('无' / 'none' when empty).

    >>> listing(["A1", "A2"], "zh"), listing([], "en")
    ('A1、A2', 'none')
    """
    return say(list(values), lang)
