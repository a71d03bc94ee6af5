"""Support given by people: curator agreements and their sessions, tutors and teachers' development plans (ИПРП),
the bank of practices and methodical events.

By area: `agreements` (agreements, their plans, sessions and the sessions' evidence), `teachers` (tutor teams,
teachers, deficits, ИПРП, tutoring), `practices` (the bank of practices), `events` (methodical events), `targets` (the targets a territory judges its support against), `lists` (the
subjects and deficit areas the department keeps) and `files` (what a stored document keeps, where it is stored).
Every model, and each name other modules and the migrations read from `partnerships.models`, is imported here:
Django finds an app's models in its `models` module.

Every domain model keeps its history (django-simple-history): who changed what and when.
"""

from .lists import DeficitArea, Subject  # noqa: I001 — the models register in the order they were always defined
from .files import agreement_scan_upload_to, practice_file_upload_to, session_evidence_upload_to
from .agreements import (
    Agreement,
    AgreementPlanItem,
    SessionEvidence,
    SessionFormat,
    SupportSession,
    month_label,
)
from .teachers import (
    OPEN_ITEM_STATUSES,
    DevelopmentPlan,
    DevelopmentPlanItem,
    PlanItemStatus,
    Teacher,
    TeacherDeficit,
    TutorAssignment,
    TutoringSession,
    TutorProfile,
)
from .practices import Practice, PracticeDownload, PracticeFile
from .targets import SupportTarget
from .events import EventAttendee, EventInvitation, EventParticipant, MethodicalEvent

__all__ = [
    "OPEN_ITEM_STATUSES",
    "Agreement",
    "AgreementPlanItem",
    "DeficitArea",
    "DevelopmentPlan",
    "DevelopmentPlanItem",
    "EventAttendee",
    "EventInvitation",
    "EventParticipant",
    "MethodicalEvent",
    "PlanItemStatus",
    "Practice",
    "PracticeDownload",
    "PracticeFile",
    "SessionEvidence",
    "SessionFormat",
    "Subject",
    "SupportSession",
    "SupportTarget",
    "Teacher",
    "TeacherDeficit",
    "TutorAssignment",
    "TutorProfile",
    "TutoringSession",
    "agreement_scan_upload_to",
    "month_label",
    "practice_file_upload_to",
    "session_evidence_upload_to",
]
