"""``spacegate chat`` (one turn) and ``spacegate chats`` (a space's chats): the copilot."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from spacegate.cli.remote import Remote, columns, remote

chats = typer.Typer(help="A space's copilot chats.", no_args_is_help=True)

SpaceOpt = Annotated[str, typer.Option("--space", help="Space id or name.")]


def chat(
    r: Remote,
    message: Annotated[str, typer.Argument(help="What to say.")],
    space: SpaceOpt,
    chat_id: Annotated[
        str | None, typer.Option("--chat", help="Continue this chat (its id).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model alias.")] = None,
    expert: Annotated[
        list[str] | None, typer.Option("--expert", help="Expert id (repeat for several).")
    ] = None,
    guard: Annotated[bool, typer.Option(help="Check the message with the guard first.")] = False,
    router: Annotated[bool, typer.Option(help="Let the router pick the expert.")] = False,
) -> None:
    """Send one chat turn and print the answer (and the guard's and router's verdicts)."""
    fields: dict[str, Any] = {
        "id": chat_id,
        "model": model,
        "expert_ids": expert or None,
        "guard_enabled": guard,
        "guard_reasoning_enabled": guard,
        "router_enabled": router,
        "router_reasoning_enabled": router,
    }
    answer = r.in_space(space).chats.send(message, **fields)
    if r.as_json:
        r.json_line(answer)
        return
    choice = (answer.get("choices") or [{}])[0]
    msg = choice.get("message") or {}
    r.out.print(msg.get("content") or "", markup=False, highlight=False)
    for call in msg.get("tool_calls") or ():
        fn = call.get("function") or {}
        r.out.print(f"tool call: {fn.get('name')}({fn.get('arguments')})", markup=False)
    g, rt = answer.get("guard") or {}, answer.get("router") or {}
    if g:
        verdict = "safe" if g.get("guard_safe") else "unsafe: " + ", ".join(g["guard_category"])
        r.err.print(f"guard: {verdict}", markup=False, highlight=False)
    if rt:
        r.err.print(f"router: {', '.join(rt['chosen_expertises'])}", markup=False)
    r.err.print(f"chat: {answer['id']}", markup=False, highlight=False)


@remote(chats, "list")
def list_chats(r: Remote, space: SpaceOpt) -> None:
    """The space's chats, oldest first."""
    rows = list(r.in_space(space).chats.list(page_size=100))
    if r.as_json:
        r.json_line([c.model_dump(mode="json") for c in rows])
        return
    r.table(rows, columns("id", "name", "model", ("messages", lambda c: len(c.messages))))


@remote(chats, "show")
def show_chat(
    r: Remote, chat_id: Annotated[str, typer.Argument(help="Chat id.")], space: SpaceOpt
) -> None:
    """A chat's messages."""
    found = r.in_space(space).chats.get(chat_id)
    if r.as_json:
        r.show(found)
        return
    for m in found.messages:
        r.out.print(f"{m['role']}: {m.get('content') or ''}", markup=False, highlight=False)


@remote(chats, "delete")
def delete_chat(
    r: Remote, chat_id: Annotated[str, typer.Argument(help="Chat id.")], space: SpaceOpt
) -> None:
    """Delete a chat."""
    r.in_space(space).chats.delete(chat_id)
    r.done(f"chat {chat_id} deleted", {"id": chat_id})
