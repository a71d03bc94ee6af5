"""The monitoring app's models: indicators, values, self-assessments and reports (`core`), and the monitoring
calendar a territory sets (`calendar`)."""

from .calendar import MonitoringStage, MunicipalStageShift
from .core import (
    STAGE_CODE_MAX,
    YEAR_MAX,
    YEAR_MIN,
    Indicator,
    IndicatorPlan,
    IndicatorValue,
    OpenReport,
    ReportExport,
    RiskLevel,
    RiskLevelChoice,
    RiskProfile,
    SelfAssessment,
    Stage,
    applicable_to_municipality_q,
    applicable_to_school_q,
    number_label,
    open_report_upload_to,
    pooled_for_municipality_q,
    report_export_upload_to,
    self_assessment_upload_to,
)
from .summary import FigureSummary

__all__ = [
    "FigureSummary",
    "STAGE_CODE_MAX",
    "YEAR_MAX",
    "YEAR_MIN",
    "Indicator",
    "IndicatorPlan",
    "IndicatorValue",
    "MonitoringStage",
    "MunicipalStageShift",
    "OpenReport",
    "ReportExport",
    "RiskLevel",
    "RiskLevelChoice",
    "RiskProfile",
    "SelfAssessment",
    "Stage",
    "applicable_to_municipality_q",
    "applicable_to_school_q",
    "number_label",
    "open_report_upload_to",
    "pooled_for_municipality_q",
    "report_export_upload_to",
    "self_assessment_upload_to",
]
