"""Monitoring: the region-wide target indicators of seed 002 with their plans, values per listed school (and per
municipality) and stage, and self-assessments (last year's accepted with a risk profile, this year's waiting)."""

from decimal import Decimal

from monitoring.demo import GOALS, SEED_002_INDICATORS, _schedule
from monitoring.models import (
    Indicator,
    IndicatorPlan,
    IndicatorValue,
    RiskLevel,
    RiskProfile,
    SelfAssessment,
    Stage,
)

from .identification import LISTED


class MonitoringMixin:
    """The last step: reads the lists, the people and `self.factors`."""

    def monitoring(self) -> None:
        w = self.writer
        y = self.current_year
        for year in (y - 1, y):
            _schedule(year)
        indicators = self._indicators()
        self._indicator_values(indicators)
        self._self_assessments()
        w.flush()
        self.progress(f"Мониторинг: значений показателей {w.counts[IndicatorValue]}, самооценок {w.counts[SelfAssessment]}")

    def _indicators(self) -> list[tuple]:
        """The indicators with their baselines and yearly plans from last year on; returns those typed in by hand
        (not computed from results) as (id, level, unit, baseline, plans)."""
        w = self.writer
        first_year = self.current_year - 1
        indicators = []
        for position, (code, goal, name, level, direction, unit, baseline, plans, computed_by) in enumerate(
            SEED_002_INDICATORS, start=1
        ):
            indicator_id = w.add(
                Indicator, code=code, name=name, goal=GOALS.get(goal, ""), level=level, direction=direction, unit=unit,
                position=position, computed_by=computed_by, is_active=True, created_at=w.now, updated_at=w.now,
                baseline_year=first_year - 1 if baseline is not None else None,
                baseline_value=Decimal(baseline) if baseline is not None else None,
            )  # fmt: skip
            for offset, value in enumerate(plans):
                w.add(IndicatorPlan, indicator_id=indicator_id, year=first_year + offset, planned_value=Decimal(value))
            if not computed_by:
                indicators.append((indicator_id, level, unit, baseline, plans))
        return indicators

    def _indicator_values(self, indicators: list[tuple]) -> None:
        """Values of last year's three stages (confirmed) and of this year's entry (typed in by half of the owners, not
        yet confirmed), on the way from the baseline to the plan; municipal indicators at the final stage only."""
        rng, w = self.rng, self.writer
        y = self.current_year
        first_year = y - 1
        moments = [(y - 1, Stage.ENTRY, 0.3, True), (y - 1, Stage.INTERIM, 0.6, True), (y - 1, Stage.FINAL, 0.95, True),
                   (y, Stage.ENTRY, 0.3, False)]  # fmt: skip
        listed = [s for s in self.schools if s["status"] in LISTED]
        for indicator_id, level, unit, baseline, plans in indicators:
            if level == Indicator.Level.SCHOOL:
                owners = [(s["id"], s["municipality_id"]) for s in listed]
            else:
                owners = [(None, m["id"]) for m in self.municipalities if any(s["status"] in LISTED for s in m["schools"])]
            for school_id, municipality_id in owners:
                for year, stage, share, confirmed in moments:
                    if school_id is None and stage != Stage.FINAL or year - first_year >= len(plans):
                        continue
                    if not confirmed and rng.random() < 0.5:
                        continue  # half of the schools have not typed this year's entry values yet
                    plan = float(plans[year - first_year])
                    start = float(baseline if baseline is not None else plan)
                    value = start + (plan - start) * share + rng.uniform(-4, 4)
                    if unit == Indicator.Unit.PERCENT:
                        value = min(100.0, max(0.0, value))
                    w.add(
                        IndicatorValue, indicator_id=indicator_id, year=year, stage=stage, municipality_id=municipality_id,
                        school_id=school_id, value=Decimal(str(round(value, 1))),
                        status="confirmed" if confirmed else "submitted", source="entered",
                        entered_by_id=self.team_of.get(school_id) or self.coordinator_of[municipality_id], entered_at=w.now,
                        confirmed_by_id=self.coordinator_of[municipality_id] if confirmed else None,
                        confirmed_at=w.now if confirmed else None,
                    )  # fmt: skip

    def _self_assessments(self) -> None:
        """Every listed school's self-assessment of last year's final stage (accepted, with its risk profile) and of
        this year's entry (waiting for the coordinator)."""
        rng, w = self.rng, self.writer
        y = self.current_year
        factors = sorted(self.factors.items(), key=lambda item: item[1])
        for s in self.schools:
            if s["status"] not in LISTED:
                continue
            for year, stage, accepted in ((y - 1, Stage.FINAL, True), (y, Stage.ENTRY, False)):
                ratings = [
                    {"code": code, "factor_id": pk, "level": rng.choice([1, 2, 2, 3, 3]), "comment": ""}
                    for code, pk in factors
                ]
                assessment_id = w.add(
                    SelfAssessment, school_id=s["id"], year=year, stage=stage,
                    status="accepted" if accepted else "submitted", is_current=True,
                    file=f"monitoring/self_assessments/{s['id']}/scale-{year}-{stage}.xlsx",
                    original_name=f"Самооценка {year}.xlsx", size=20_000,
                    data={"ratings": ratings, "indicators": [], "conclusion": "Главные риски — в программе школы."},
                    uploaded_by_id=self.team_of[s["id"]], uploaded_at=w.now,
                    decided_by_id=self.coordinator_of[s["municipality_id"]] if accepted else None,
                    decided_at=w.now if accepted else None,
                )  # fmt: skip
                if accepted:
                    profile_id = w.add(RiskProfile, school_id=s["id"], year=year, self_assessment_id=assessment_id,
                                       updated_at=w.now)  # fmt: skip
                    for r in ratings:
                        w.add(RiskLevel, profile_id=profile_id, risk_factor_id=r["factor_id"], level=r["level"])
