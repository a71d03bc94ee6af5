"""Reading the targets a page or a report judges against (`partnerships.models.SupportTarget`): one query for the
school years it shows, whatever the number of municipalities.

For a municipality and a school year the target is its territory's row of that year, else the default row (no
territory) of that year, else the portal's defaults — today's values before targets were data. A past year's page
reads that year's row, so changing next year's targets never changes what last year is judged against.
"""

from dataclasses import asdict, dataclass

from schools.school_year import school_year_label

from .models import SupportTarget
from .models.targets import DEFAULT_AGREEMENTS_PER_YEAR, DEFAULT_EVENT_PARTICIPATION, DEFAULT_TEACHER_COVERAGE


@dataclass(frozen=True)
class Targets:
    """The targets of one territory and school year, and where they come from."""

    year: int
    agreements_per_year: int = DEFAULT_AGREEMENTS_PER_YEAR
    event_participation: int = DEFAULT_EVENT_PARTICIPATION
    teacher_coverage: int = DEFAULT_TEACHER_COVERAGE
    source: str = "значения портала по умолчанию"
    basis: str = ""

    @property
    def year_label(self) -> str:
        return school_year_label(self.year)

    def agreements_met(self, signed: int) -> bool:
        return signed >= self.agreements_per_year

    @staticmethod
    def share_met(share: float | None, target: int) -> bool | None:
        """A share against a target share: None when there is nothing to divide by."""
        return None if share is None else share >= target

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        """What a report prints of the targets it judged against."""
        return (
            f"на {self.year_label} учебный год ({self.source}{'; ' + self.basis if self.basis else ''}): "
            f"договоров в муниципалитете — не менее {self.agreements_per_year}; "
            f"участие ШНОР в методических мероприятиях — не менее {self.event_participation} %; "
            f"педагогов с ИПРП и тьютором — не менее {self.teacher_coverage} %"
        )


def _targets(row: SupportTarget | None, year: int) -> Targets:
    if row is None:
        return Targets(year=year)
    return Targets(
        year=year,
        agreements_per_year=row.agreements_per_year,
        event_participation=row.event_participation,
        teacher_coverage=row.teacher_coverage,
        source=f"цели территории «{row.region}»" if row.region_id else "цели по умолчанию для всех территорий",
        basis=row.basis,
    )


class TargetBook:
    """The targets of some school years for every territory, read in one query."""

    def __init__(self, years):
        self.years = sorted(set(years))
        self.rows = {
            (row.region_id, row.year): row
            for row in SupportTarget.objects.filter(year__in=self.years).select_related("region")
        }

    def of(self, year: int, region_id: int | None = None) -> Targets:
        row = self.rows.get((region_id, year)) if region_id is not None else None
        return _targets(row or self.rows.get((None, year)), year)

    def of_municipality(self, municipality, year: int) -> Targets:
        return self.of(year, municipality.region_id)


def targets_of_year(year: int) -> TargetBook:
    return TargetBook([year])


def targets_for(year: int, region_id: int | None = None) -> Targets:
    """The targets of one territory (None: the installation's default) for one school year: one query."""
    return TargetBook([year]).of(year, region_id)


def common_targets(book: TargetBook, year: int, municipalities) -> Targets:
    """The targets a page covering several municipalities states once: those of their one territory if they share
    one, else the installation's default."""
    regions = {m.region_id for m in municipalities}
    return book.of(year, regions.pop() if len(regions) == 1 else None)  # none or several: the default
