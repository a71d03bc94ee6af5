from django_tasks import task

from .invitation_letters import invitations_send


@task()
def invitation_letters_send(ids: list[int]) -> dict:
    """The invitation letters of one upload (or one «отправить ещё раз»)."""
    return invitations_send(ids)
