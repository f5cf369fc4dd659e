"""Loading and validating the case rule sets (``cases/rules/*.json``): versioned data, each with its source.

One rule set per election type (``pemilu_uu7_2017`` now; a ``pilkada_uu10_2016.json`` with the same shape
is picked up as soon as it is dropped in). A rule set names its articles file and its holiday file. The
loader turns the files into frozen objects and refuses a broken file with a message that names the file
and the entry; ``cases.checks`` runs it as a Django system check so that the server does not start on one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from linsek.cases.deadlines import Counting, HolidayCalendar, Limit, LimitKind, NonWorkingDay

RULES_DIR = Path(__file__).parent / "rules"
SECTORS = frozenset({"polri", "tni", "kpu", "bawaslu", "pemda", "kejaksaan", "pengadilan"})
ORIGINS = ("finding", "report")
HOLIDAY_KINDS = frozenset({"holiday", "cuti_bersama", "election_day"})
DEFAULT_RULE_SET = "pemilu_uu7_2017"


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Article:
    number: int
    name: str
    checked: bool


@dataclass(frozen=True, slots=True)
class StageLimit:
    """How a stage's due moment is set: a fixed limit, one per origin, or "within" an earlier stage's period."""

    limit: Limit | None = None
    by_origin: Mapping[str, Limit] | None = None
    within: tuple[str, ...] = ()
    article: str = ""
    about: str = ""

    def for_origin(self, origin: str) -> Limit | None:
        if self.by_origin is not None:
            return self.by_origin[origin]
        return self.limit


@dataclass(frozen=True, slots=True)
class Transition:
    to: str
    by: frozenset[str]
    document: str | None = None
    note_required: bool = False
    count_from: str | None = None
    timely_within: Limit | None = None


@dataclass(frozen=True, slots=True)
class StageRule:
    code: str
    name: str
    sector: str
    limit: StageLimit | None
    transitions: tuple[Transition, ...] = ()
    terminal: bool = False
    outcome: str = ""
    court_visible_from: bool = False

    def transition_to(self, code: str) -> Transition | None:
        return next((t for t in self.transitions if t.to == code), None)

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(t.to for t in self.transitions)


@dataclass(frozen=True, slots=True)
class RuleSet:
    code: str
    version: str
    name: str
    election_type: str
    law: str
    source: str
    counting: Counting
    calendar: HolidayCalendar
    holiday_sources: Mapping[int, str]
    articles: Mapping[int, Article]
    documents: Mapping[str, str]
    stages: Mapping[str, StageRule]
    start_stage: str
    first_stage: str
    at_risk: tuple[int, int] = (50, 80)
    future_tolerance: timedelta = timedelta(minutes=10)
    national_result: date | None = None
    result_margin_days: int = 5
    result_article: str = "484"
    result_source: str = ""
    gakkumdu_types: frozenset[str] = frozenset()
    court_types: frozenset[str] = frozenset()
    files: tuple[str, ...] = field(default=())

    def stage(self, code: str) -> StageRule:
        try:
            return self.stages[code]
        except KeyError:
            raise RuleError(f"rule set {self.code}: unknown stage '{code}'") from None

    @property
    def court_stage_codes(self) -> frozenset[str]:
        """Stages from which the court sees the file (the first court stage and everything after it)."""
        return frozenset(code for code, s in self.stages.items() if s.court_visible_from)


def _where(file: str, path: str) -> str:
    return f"{file}: {path}"


def limit_parse(raw: Any, *, file: str, path: str) -> Limit:
    """One ``{"kind", "value", "article"}`` object; a zero, negative or non-integer value is refused."""
    if not isinstance(raw, dict):
        raise RuleError(f"{_where(file, path)}: a limit must be an object with kind, value and article")
    kind = raw.get("kind")
    if kind not in {k.value for k in LimitKind}:
        raise RuleError(
            f"{_where(file, path)}: unknown limit kind {kind!r} (use calendar_days, working_days, hours or within)"
        )
    value = raw.get("value")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise RuleError(f"{_where(file, path)}: the limit value must be a positive whole number, not {value!r}")
    return Limit(LimitKind(kind), value, str(raw.get("article", "")), str(raw.get("about", "")))


def holidays_parse(raw: dict[str, Any], *, file: str = "holidays") -> tuple[HolidayCalendar, dict[int, str]]:
    """The holiday file: ``{"years": {"2024": {"source": ..., "days": [{"date", "kind", "name"}]}}}``."""
    days: dict[date, NonWorkingDay] = {}
    sources: dict[int, str] = {}
    years = raw.get("years")
    if not isinstance(years, dict) or not years:
        raise RuleError(f"{file}: 'years' must map a year to its source and days")
    for year_key, year_doc in years.items():
        if not re.fullmatch(r"\d{4}", str(year_key)):
            raise RuleError(f"{_where(file, f'years.{year_key}')}: a year must be four digits")
        year = int(year_key)
        if not year_doc.get("source"):
            raise RuleError(f"{_where(file, f'years.{year}')}: every year needs its source (the decree)")
        sources[year] = str(year_doc["source"])
        for i, entry in enumerate(year_doc.get("days", [])):
            where = _where(file, f"years.{year}.days[{i}]")
            text = entry.get("date")
            if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise RuleError(f"{where}: malformed date {text!r} (expected YYYY-MM-DD)")
            try:
                day = date.fromisoformat(text)
            except ValueError as exc:
                raise RuleError(f"{where}: malformed date {text!r} ({exc})") from None
            if day.year != year:
                raise RuleError(f"{where}: {text} is filed under the year {year}")
            if entry.get("kind") not in HOLIDAY_KINDS:
                raise RuleError(f"{where}: kind must be one of {sorted(HOLIDAY_KINDS)}, not {entry.get('kind')!r}")
            if day in days:
                raise RuleError(f"{where}: {text} is listed twice")
            days[day] = NonWorkingDay(day, entry["kind"], str(entry.get("name", "")))
    return HolidayCalendar(days=days, years=frozenset(sources)), sources


def articles_parse(raw: dict[str, Any], *, file: str = "articles") -> dict[int, Article]:
    out: dict[int, Article] = {}
    for i, entry in enumerate(raw.get("articles", [])):
        number = entry.get("article")
        if not isinstance(number, int) or number <= 0 or not entry.get("name"):
            raise RuleError(f"{_where(file, f'articles[{i}]')}: needs a positive 'article' number and a 'name'")
        if number in out:
            raise RuleError(f"{_where(file, f'articles[{i}]')}: Pasal {number} is listed twice")
        out[number] = Article(number, str(entry["name"]), bool(entry.get("checked", False)))
    if not out:
        raise RuleError(f"{file}: no articles")
    return out


def _stage_limit_parse(raw: Any, *, file: str, path: str) -> StageLimit:
    if "by_origin" in raw:
        by = raw["by_origin"]
        if set(by) != set(ORIGINS):
            raise RuleError(f"{_where(file, path)}: by_origin must give a limit for {', '.join(ORIGINS)}")
        return StageLimit(by_origin={o: limit_parse(by[o], file=file, path=f"{path}.by_origin.{o}") for o in ORIGINS})
    if raw.get("kind") == "within":
        stages = raw.get("stages")
        if not isinstance(stages, list) or not stages:
            raise RuleError(f"{_where(file, path)}: a 'within' limit names the stages whose period it shares")
        return StageLimit(within=tuple(stages), article=str(raw.get("article", "")), about=str(raw.get("about", "")))
    return StageLimit(limit=limit_parse(raw, file=file, path=path))


def _json(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RuleError(f"{path.name}: cannot be read as JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise RuleError(f"{path.name}: the top level must be an object")
    return doc


def rule_set_parse(raw: dict[str, Any], *, file: str, rules_dir: Path = RULES_DIR) -> RuleSet:
    """Validate a rule-set document (and the articles and holiday files it names) and freeze it."""
    for key in ("code", "version", "source", "stages", "start", "documents", "articles", "holidays"):
        if key not in raw:
            raise RuleError(f"{file}: missing '{key}'")
    articles = articles_parse(_json(rules_dir / raw["articles"]), file=raw["articles"])
    calendar, holiday_sources = holidays_parse(_json(rules_dir / raw["holidays"]), file=raw["holidays"])
    documents = {str(k): str(v) for k, v in raw["documents"].items()}
    stages: dict[str, StageRule] = {}
    for i, s in enumerate(raw["stages"]):
        path = f"stages[{i}]"
        code = s.get("code")
        if not code or code in stages:
            raise RuleError(f"{_where(file, path)}: missing or duplicate stage code {code!r}")
        if s.get("sector") not in SECTORS:
            raise RuleError(f"{_where(file, path)} ({code}): unknown sector {s.get('sector')!r}")
        terminal = bool(s.get("terminal", False))
        limit = None if terminal else _stage_limit_parse(s.get("limit") or {}, file=file, path=f"{path} ({code}).limit")
        transitions = []
        for j, t in enumerate(s.get("transitions", [])):
            tpath = f"{path} ({code}).transitions[{j}]"
            by = frozenset(t.get("by", [s["sector"]]))
            if not by or by - SECTORS:
                raise RuleError(f"{_where(file, tpath)}: unknown sector(s) in 'by': {sorted(by - SECTORS)}")
            document = t.get("document")
            if document is not None and document not in documents:
                raise RuleError(f"{_where(file, tpath)}: unknown document kind {document!r}")
            timely = t.get("timely_within")
            transitions.append(
                Transition(
                    to=str(t.get("to")),
                    by=by,
                    document=document,
                    note_required=bool(t.get("note_required", False)),
                    count_from=t.get("count_from"),
                    timely_within=limit_parse(timely, file=file, path=f"{tpath}.timely_within") if timely else None,
                )
            )
        if terminal and transitions:
            raise RuleError(f"{_where(file, path)} ({code}): a terminal stage has no transitions")
        if not terminal and not transitions:
            raise RuleError(f"{_where(file, path)} ({code}): a stage that is not terminal needs transitions")
        stages[code] = StageRule(
            code=code,
            name=str(s.get("name", code)),
            sector=s["sector"],
            limit=limit,
            transitions=tuple(transitions),
            terminal=terminal,
            outcome=str(s.get("outcome", "")),
            court_visible_from=bool(s.get("court_visible_from", False)),
        )
    for code, stage in stages.items():
        for t in stage.transitions:
            if t.to not in stages:
                raise RuleError(
                    f"{file}: stage '{code}' has a transition to unknown stage '{t.to}' "
                    f"(known: {', '.join(sorted(stages))})"
                )
            if t.count_from is not None and t.count_from not in stages:
                raise RuleError(f"{file}: stage '{code}' → '{t.to}' counts from unknown stage '{t.count_from}'")
        if stage.limit is not None:
            for other in stage.limit.within:
                if other not in stages:
                    raise RuleError(f"{file}: stage '{code}' runs within unknown stage '{other}'")
    start = raw["start"]
    if start.get("stage") not in stages or start.get("then") not in stages:
        raise RuleError(f"{file}: 'start' must name existing stages (stage, then)")
    cal = raw.get("calendar") or {}
    national_result = None
    if cal.get("national_result"):
        try:
            national_result = date.fromisoformat(cal["national_result"])
        except ValueError:
            raise RuleError(f"{file}: calendar.national_result {cal['national_result']!r} is not YYYY-MM-DD") from None
    margin = cal.get("result_margin_days", 5)
    if not isinstance(margin, int) or margin < 0:
        raise RuleError(f"{file}: calendar.result_margin_days must be a whole number ≥ 0")
    counting_raw = raw.get("counting") or {}
    try:
        day_end = time.fromisoformat(counting_raw.get("day_ends_at", "23:59:59"))
    except ValueError:
        raise RuleError(f"{file}: counting.day_ends_at must be HH:MM:SS") from None
    at_risk = tuple((raw.get("watch") or {}).get("at_risk_percent", [50, 80]))
    if len(at_risk) != 2 or not 0 < at_risk[0] < at_risk[1] < 100:
        raise RuleError(f"{file}: watch.at_risk_percent must be two increasing percentages below 100")
    tolerance = raw.get("future_tolerance_minutes", 10)
    if not isinstance(tolerance, int) or tolerance < 0:
        raise RuleError(f"{file}: future_tolerance_minutes must be a whole number ≥ 0")
    access = raw.get("access") or {}
    return RuleSet(
        code=str(raw["code"]),
        version=str(raw["version"]),
        name=str(raw.get("name", raw["code"])),
        election_type=str(raw.get("election_type", "")),
        law=str(raw.get("law", "")),
        source=str(raw["source"]),
        counting=Counting(start_day_counts=bool(counting_raw.get("start_day_counts", False)), day_ends_at=day_end),
        calendar=calendar,
        holiday_sources=holiday_sources,
        articles=articles,
        documents=documents,
        stages=stages,
        start_stage=start["stage"],
        first_stage=start["then"],
        at_risk=(int(at_risk[0]), int(at_risk[1])),
        future_tolerance=timedelta(minutes=tolerance),
        national_result=national_result,
        result_margin_days=margin,
        result_article=str(cal.get("article", "484")),
        result_source=str(cal.get("source", "")),
        gakkumdu_types=frozenset(access.get("gakkumdu_types", [])),
        court_types=frozenset(access.get("court_types", [])),
        files=(file, raw["articles"], raw["holidays"]),
    )


def rule_sets_load(rules_dir: Path = RULES_DIR) -> dict[str, RuleSet]:
    """Every rule set in ``rules_dir`` (files whose ``kind`` is ``rule_set``), validated."""
    out: dict[str, RuleSet] = {}
    for path in sorted(rules_dir.glob("*.json")):
        doc = _json(path)
        if doc.get("kind") != "rule_set":
            continue
        rs = rule_set_parse(doc, file=path.name, rules_dir=rules_dir)
        if rs.code in out:
            raise RuleError(f"{path.name}: rule set code '{rs.code}' is used twice")
        out[rs.code] = rs
    if not out:
        raise RuleError(f"no rule set in {rules_dir}")
    return out


@lru_cache(maxsize=1)
def rule_sets() -> dict[str, RuleSet]:
    """The rule sets in force (read once per process)."""
    return rule_sets_load()


def rule_set(code: str = DEFAULT_RULE_SET) -> RuleSet:
    try:
        return rule_sets()[code]
    except KeyError:
        raise RuleError(f"unknown rule set '{code}' (known: {', '.join(sorted(rule_sets()))})") from None


_AD_HOC = re.compile(r"^(\d+)\s*(d|wd|h)$")


def calculator_limit(spec: str, *, default_rule_set: str = DEFAULT_RULE_SET) -> tuple[Limit, str]:
    """The limit a calculator request names, and a label for it.

    Accepted: a stage code (``investigation``), a stage with an origin (``registration.report``), either
    prefixed by a rule set (``pemilu_uu7_2017:investigation``), or an ad-hoc limit ``7d``, ``14wd``, ``24h``.
    """
    spec = spec.strip()
    m = _AD_HOC.match(spec)
    if m:
        kind = {"d": LimitKind.CALENDAR_DAYS, "wd": LimitKind.WORKING_DAYS, "h": LimitKind.HOURS}[m.group(2)]
        value = int(m.group(1))
        if value <= 0:
            raise RuleError("the limit value must be a positive whole number")
        return Limit(kind, value), spec
    code = default_rule_set
    if ":" in spec:
        code, spec = spec.split(":", 1)
    rs = rule_set(code)
    stage_code, _, origin = spec.partition(".")
    stage = rs.stages.get(stage_code)
    if stage is None or stage.limit is None:
        names = ", ".join(c for c, s in rs.stages.items() if s.limit is not None and not s.limit.within)
        raise RuleError(f"unknown rule '{spec}': use a stage of {rs.code} ({names}) or 7d / 14wd / 24h")
    if stage.limit.within:
        raise RuleError(f"stage '{stage_code}' runs within {'/'.join(stage.limit.within)}: it has no limit of its own")
    if stage.limit.by_origin is not None:
        if origin not in ORIGINS:
            raise RuleError(
                f"stage '{stage_code}' depends on the origin: use {stage_code}.finding or {stage_code}.report"
            )
        return stage.limit.by_origin[origin], f"{rs.code}:{stage_code}.{origin}"
    assert stage.limit.limit is not None
    return stage.limit.limit, f"{rs.code}:{stage_code}"


def calculator_rules(code: str = DEFAULT_RULE_SET) -> list[tuple[str, str, Limit]]:
    """(spec, stage name, limit) for every stage with a limit of its own: the calculator's choices."""
    rs = rule_set(code)
    out: list[tuple[str, str, Limit]] = []
    for c, s in rs.stages.items():
        if s.limit is None or s.limit.within:
            continue
        if s.limit.by_origin is not None:
            for origin, limit in s.limit.by_origin.items():
                out.append((f"{c}.{origin}", f"{s.name} ({'temuan' if origin == 'finding' else 'laporan'})", limit))
        elif s.limit.limit is not None:
            out.append((c, s.name, s.limit.limit))
    return out
