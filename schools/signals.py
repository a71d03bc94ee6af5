"""What happens to the list that the sections above this app react to (the notifications tell people).

Sent inside the transaction that made the change, so a receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

# A coordinator proposed a change of the list: `change` (a ListChange), `actor`.
list_change_proposed = Signal()
# The department accepted or rejected a proposal: `change`, `actor`, `accepted`.
list_change_decided = Signal()
# The department approved the list of a run: `run`, `actor`, and the numbers of schools `shnor`, `shnsu`, `both`.
list_approved = Signal()

# Writes that send no model signal — COPY, `QuerySet.update`, `bulk_create` — announce the rows they changed, by
# `school_ids`, `municipality_ids` and `region_ids` (every municipality of them), any of them empty: the dashboards'
# summaries (`monitoring.summaries`) mark those figures to be counted again. A model's own save and delete need no
# call (`monitoring.summary_sources` hears them).
rows_changed = Signal()


def rows_changed_in(*, school_ids=(), municipality_ids=(), region_ids=()) -> None:
    rows_changed.send(
        sender=None, school_ids=list(school_ids), municipality_ids=list(municipality_ids), region_ids=list(region_ids)
    )
