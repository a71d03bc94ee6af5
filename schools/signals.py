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
