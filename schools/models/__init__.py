"""The models of the schools app, by area; every model is importable from `schools.models`."""

from .acts import Act, ActLink
from .identification import (
    Criterion,
    IdentificationRun,
    IdentificationSettings,
    IdentificationVerdict,
    ListChange,
    SchoolYearStatus,
    Status,
)
from .organisations import Organisation
from .registry import Cluster, ClusterRule, Municipality, Region, School, SchoolNameAlias, SchoolYearProfile
from .results import Measure, ResultImport, SchoolResult
from .roles import RoleAssignment

__all__ = [
    "Act", "ActLink", "Cluster", "ClusterRule", "Criterion", "IdentificationRun", "IdentificationSettings",
    "IdentificationVerdict", "ListChange", "Measure", "Municipality", "Organisation", "Region", "ResultImport",
    "RoleAssignment", "School", "SchoolNameAlias", "SchoolResult", "SchoolYearProfile", "SchoolYearStatus", "Status",
]  # fmt: skip
