"""Who may change an action."""

from __future__ import annotations

from bot.directory import Directory
from bot.errors import DirectoryUnavailable, NotAllowed, UserError
from bot.refs import format_ref
from storage.models import Action


def may_change(action: Action, user_id: str, directory: Directory) -> bool:
    """Owners, the creator, the board chair and workspace admins/owners may change an action.

    An owner who has left the board is no longer an owner here: they can't reopen or update what they
    owned (which would get round "reassign before removing").

    Raises DirectoryUnavailable when only the directory could say (an admin?) and it did not answer.
    """
    if user_id in (action.created_by, action.board.chair_user_id):
        return True
    if any(owner.slack_user_id == user_id and owner.removed_at is None for owner in action.owners):
        return True
    if action.all_members and any(m.slack_user_id == user_id and m.removed_at is None for m in action.board.members):
        return True  # an action of every member is every current member's to update
    # Only now ask Slack: most changes come from owners and never need the lookup.
    person = directory.person(user_id)
    return bool(person and person.is_admin)


def ensure_may_change(action: Action, user_id: str, directory: Directory) -> None:
    """Refuse, saying who may, when `user_id` may not change `action`.

    When the directory could not say whether `user_id` is a workspace admin, the refusal says so:
    not being able to ask is not the same as "you may not".
    """
    current = [o.initials for o in action.owners if o.removed_at is None]
    owners = ", ".join((["all members"] if action.all_members else []) + current) or "none"
    try:
        allowed = may_change(action, user_id, directory)
    except DirectoryUnavailable as exc:
        raise UserError(
            f"I couldn't ask the workspace whether you are an admin just now ({exc.code}), so "
            f"{format_ref(action.board.code, action.number)} was not changed. Its owners ({owners}), the person "
            f"who logged it and the chair (<@{action.board.chair_user_id}>) can change it without that check; "
            "otherwise please try again in a few minutes."
        ) from None
    if not allowed:
        raise NotAllowed(
            f"You can't change {format_ref(action.board.code, action.number)}: only its owners ({owners}), "
            f"the person who logged it, the chair (<@{action.board.chair_user_id}>) or a workspace admin can. "
            "Nothing was changed."
        )
