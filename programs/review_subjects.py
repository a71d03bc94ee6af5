"""What a review of a report looks at. The open reports live in a higher app (monitoring), so that app registers
the reader here and the review page asks for the documents without importing it (docs/ARCHITECTURE.md, registries).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewDocument:
    title: str
    url: str
    uploaded_on: datetime.date
    note: str = ""


# review → the documents it looks at, in the order the page lists them
_REPORT_READERS: list[Callable[[object], list[ReviewDocument]]] = []


def register_report_reader(reader: Callable[[object], list[ReviewDocument]]) -> None:
    _REPORT_READERS.append(reader)


def report_documents(review) -> list[ReviewDocument] | None:
    """The reports a review of a report looks at; None for a review of anything else."""
    from .review_routes import StepSubject

    if review.subject != StepSubject.REPORT:
        return None
    return [document for reader in _REPORT_READERS for document in reader(review)]
