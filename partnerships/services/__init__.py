"""Every write to agreements, sessions, teachers, plans, practices and events.

Each function takes keyword arguments, runs in one transaction, checks that the actor may take the step
(PermissionDenied → 403 when the role does not allow it) and refuses what the data or the state forbids with
PartnershipError, whose Russian messages are keyed by the form field they belong to, so that nothing already stored
is lost or half-changed. The actor is recorded in the history of every row written.

By area: `agreements` (agreements, their plans and sessions), `teachers` (teachers, tutors, deficits, ИПРП),
`practices` (the bank of practices), `events` (methodical events); `common` holds what they share. Callers import
from these modules. The names below are the ones that `partnerships/views/agreements.py`, `partnerships/demo.py` and
`tests/access/conftest.py` still read from the package as a whole; once they import from the modules, this list goes.
"""

from .agreements import (
    NOT_CURATOR,
    NOT_MANAGER,
    NOT_SUPPORTED_TEAM,
    agreement_activate,
    agreement_create,
    agreement_finish,
    agreement_scan_upload,
    agreement_terminate,
    agreement_update,
    plan_item_add,
    plan_item_delete,
    plan_item_update,
    session_confirm,
    session_dispute,
    session_evidence_add,
    session_evidence_delete,
    session_log,
    session_update,
)
from .common import PartnershipError
from .events import event_attendance_save, event_create
from .practices import practice_create, practice_download_record, practice_file_add, practice_publish, practice_submit
from .teachers import (
    deficit_add,
    ipr_item_add,
    plan_create,
    teacher_create,
    tutor_assign,
    tutor_profile_save,
    tutoring_log,
)

__all__ = [
    "NOT_CURATOR",
    "NOT_MANAGER",
    "NOT_SUPPORTED_TEAM",
    "PartnershipError",
    "agreement_activate",
    "agreement_create",
    "agreement_finish",
    "agreement_scan_upload",
    "agreement_terminate",
    "agreement_update",
    "deficit_add",
    "event_attendance_save",
    "event_create",
    "ipr_item_add",
    "plan_create",
    "plan_item_add",
    "plan_item_delete",
    "plan_item_update",
    "practice_create",
    "practice_download_record",
    "practice_file_add",
    "practice_publish",
    "practice_submit",
    "session_confirm",
    "session_dispute",
    "session_evidence_add",
    "session_evidence_delete",
    "session_log",
    "session_update",
    "teacher_create",
    "tutor_assign",
    "tutor_profile_save",
    "tutoring_log",
]
