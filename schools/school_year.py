"""The school year: stored by the calendar year it ends in (2024 is 2023/24), starting in September.

Every app names years this way; when a territory keeps its own calendar (issue 18), this is where it is read.
"""

from django.utils import timezone


def current_school_year() -> int:
    """The school year under way, by the year it ends in (from September on, the next calendar year)."""
    today = timezone.localdate()
    return today.year + 1 if today.month >= 9 else today.year


def school_year_label(year: int) -> str:
    """2024 → «2023/24»: years are stored by the calendar year the school year ends in."""
    return f"{year - 1}/{str(year)[-2:]}"
