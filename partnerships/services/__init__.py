"""Every write to agreements, sessions, teachers, plans, practices and events.

Each function takes keyword arguments, runs in one transaction, checks that the actor may take the step
(PermissionDenied → 403 when the role does not allow it) and refuses what the data or the state forbids with
PartnershipError, whose Russian messages are keyed by the form field they belong to, so that nothing already stored
is lost or half-changed. The actor is recorded in the history of every row written.

By area: `agreements` (agreements, their plans and sessions), `teachers` (teachers, tutors, deficits, ИПРП),
`practices` (the bank of practices), `events` (methodical events); `common` holds what they share. Callers import
from these modules.
"""
