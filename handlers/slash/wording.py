"""How the slash-command surface words what the services say: remedies as the commands that apply them,
refusals with the command's usage line."""

from __future__ import annotations

from bot.errors import Remedy, RemedyKind, UserError
from handlers import reply
from handlers.reply import Reply

_SETUP = "/meeting setup &lt;board name&gt; code &lt;CODE&gt; chair @user"


def slash_wording(remedy: Remedy) -> str:
    """A remedy as the slash command that applies it."""
    args = remedy.args
    match remedy.kind:
        case RemedyKind.REOPEN:
            return f" with `/action reopen {args['ref']}`."
        case RemedyKind.REOPEN_NAMING_OWNERS:
            return f"Name them as you reopen it, e.g. `/action reopen {args['ref']} INITIALS`."
        case RemedyKind.JOIN_BOARD:
            return " to run `/meeting member add @you INITIALS` in the board's channel."
        case RemedyKind.ADD_MEMBER:
            role = f" {args['role']}" if args.get("role") else ""
            text = f" with `/meeting member add {args['who']} {args['initials']}{role}`"
            if args.get("or_user"):
                text += f" (or `/meeting member add @user {args['initials']}`)"
            return text
        case RemedyKind.NAME_OWNER:
            if args.get("initials"):
                return f"Start with the owner, e.g. `/action add {args['initials']} to …`."
            return (
                "Start with the owner's initials or mention them, "
                "e.g. `/action add AF to circulate the report by 15/12`."
            )
        case RemedyKind.SCHEDULE_MEETING:
            return f"Schedule it with `/meeting schedule`, or give the date, e.g. `by 15/{args['month']}`."
        case RemedyKind.MOVE_MEETING:
            return " with `/meeting move`"
        case RemedyKind.CHOOSE_BOARD:
            return f"Run the command in the board's channel, add `in CODE`, or set a board up here with `{_SETUP}`."
        case RemedyKind.SET_UP_EXAMPLE:
            return ", e.g. `/meeting setup Safeguarding Children Board code SSCB chair @ann`."
        case RemedyKind.REASSIGN:
            return " with `/action assign &lt;ref&gt; &lt;owners&gt;`"
        case RemedyKind.PREVIEW_SUMMARY:
            return f" `/summary {args['code']}` shows it to you privately."
        case RemedyKind.MOVE_OUT_OF_AREA:
            return f" with `/action move {args['ref']} area none` (or `area &lt;short name&gt;` for another area)"
    return remedy.plain


def error_reply(error: UserError, usage: str | None) -> Reply:
    """A private refusal worded for the slash surface, with the command's usage line."""
    return reply.error_reply(error, usage, slash_wording)
