"""KPIs per hire in Slack: ``/onramp kpis [@hire]`` (the list; for the manager, the pick modal),
``/onramp kpi @hire`` and the "Record a reading" button (the record modal), and the two modals'
submissions.

Each listener acks, parses (pure, :mod:`bot.slack.kpi_blocks`), makes one service call and
renders. Permissions are left to :class:`~bot.services.kpis.KpiService`: the manager of record
and admins pick and record; whoever may see the hire's growth sees the list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient

from bot.domain.errors import InvalidInput, PermissionDenied
from bot.services.kpis import KpiForm, KpiInputError, KpiService
from bot.services.onboarding import Actor
from bot.slack import kpi_blocks as kb
from bot.slack.blocks import Reply, text_reply
from bot.slack.context import SlackContext, Subcommand, SubcommandCall
from bot.slack.errors import error_text
from bot.slack.listeners.growth import _dm, _person
from bot.slack.listeners.replies import growth_deps, open_modal, parsed
from bot.slack.middleware import request_id

log = logging.getLogger("onramp.slack.kpis")


def kpi_service(ctx: SlackContext) -> KpiService | None:
    """The KPI service over the growth service's database, plans, clock and admins, in the
    workspace's default zone for a hire whose own zone is unknown."""
    deps = growth_deps(ctx, default_tz=ctx.onboarding.default_tz)
    return None if deps is None else KpiService(**deps)


class KpiListeners:
    """The handlers, bound to the KPI service and the configured slash command."""

    def __init__(self, ctx: SlackContext, kpis: KpiService) -> None:
        self.ctx = ctx
        self.kpis = kpis

    def on_kpis(self, call: SubcommandCall) -> None:
        """``/onramp kpis [@user]``: for the hire's manager (or an admin) the pick modal, with
        the list as the reply; for anyone else who may see them, the list."""
        self._open_or_reply(call, kb.KPIS_ONE_PERSON, own=True, modal=kb.pick_modal)

    def on_kpi(self, call: SubcommandCall) -> None:
        """``/onramp kpi @user``: the record modal (the manager, or an admin)."""
        self._open_or_reply(call, kb.KPI_NAME_HIRE, own=False, modal=self._record_modal)

    def _open_or_reply(
        self,
        call: SubcommandCall,
        usage: str,
        *,
        own: bool,
        modal: Callable[[KpiForm], dict[str, Any]],
    ) -> None:
        """Ack with the hire's KPIs (or why not), then open ``modal`` for a writer."""
        view: dict[str, Any] | None = None
        try:
            reply, view = self._reply(call, self._hire(call, usage, own=own), modal)
        except Exception as exc:
            reply = text_reply(error_text(exc, request_id=call.request_id))
        call.ack(text=reply.text, blocks=reply.blocks, response_type="ephemeral")
        if view is None or not call.trigger_id:
            return
        try:
            self.ctx.client.views_open(trigger_id=call.trigger_id, view=view)
        except Exception as exc:  # the list is shown; its buttons open the modal again
            log.warning("could not open a KPI modal: %s", type(exc).__name__)

    def _hire(self, call: SubcommandCall, usage: str, *, own: bool) -> str:
        """Whom the subcommand is about: the one person named, or (``own``) the caller."""
        words = call.text.split()
        if len(words) > 1 or (not words and not own):
            raise InvalidInput(usage.format(cmd=self.ctx.command))
        return (_person(words[0]) if words else None) or call.user_id

    def _reply(
        self, call: SubcommandCall, hire: str, modal: Callable[[KpiForm], dict[str, Any]]
    ) -> tuple[Reply, dict[str, Any] | None]:
        """The list, with the buttons and ``modal`` for a writer; for a reader the list alone."""
        actor = Actor.slack(call.user_id)
        try:
            form = self.kpis.form(actor=actor, hire=hire)
        except PermissionDenied:
            # Someone who may see but not change them (the hire, a mentor) sees the list;
            # a stranger hears the list's refusal, the same whether or not the hire exists.
            listed = self.kpis.list(actor=actor, hire=hire)
            return kb.kpis_reply(listed, cmd=self.ctx.command, writer=False), None
        view = modal(form)
        listed = self.kpis.list(actor=actor, hire=hire)
        return kb.kpis_reply(listed, cmd=self.ctx.command, writer=True), view

    def _record_modal(self, form: KpiForm) -> dict[str, Any]:
        if not form.selected:
            raise InvalidInput(kb.KPIS_NONE_PICKED.format(cmd=self.ctx.command, user=form.hire))
        return kb.record_modal(form)

    def on_button(self, args: Args) -> None:
        """ "Record a reading" or "Change KPIs": the modal for the hire the button names."""
        args.ack()
        action = (args.body.get("actions") or [{}])[0]
        hire = str(action.get("value") or "")

        def build(user: str) -> dict[str, Any]:
            form = self.kpis.form(actor=Actor.slack(user), hire=hire)
            if action.get("action_id") == kb.PICK_ACTION:
                return kb.pick_modal(form)
            return self._record_modal(form)

        open_modal(args, build, log=log)

    def on_pick(
        self,
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        """The pick modal saved: the selection stored, or the modal stays open with why."""
        who = _submitted(body, view)
        if who is None:
            ack()
            return
        hire, user = who
        picked = kb.parse_picked((view.get("state") or {}).get("values") or {})
        try:
            chosen = self.kpis.select(actor=Actor.slack(user), hire=hire, kpis=picked)
        except Exception as exc:
            text = error_text(exc, request_id=request_id(context))
            ack(response_action="errors", errors={kb.PICK_BLOCK: text})
            return
        ack()
        _dm(client, user, kb.picked_reply(chosen))
        self.ctx.home.publish(hire)

    def on_record(
        self,
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        """The record modal saved: the reading stored, or the modal stays open with the
        refusal beside its field."""
        who = _submitted(body, view)
        if who is None:
            ack()
            return
        hire, user = who
        entered = kb.parse_reading((view.get("state") or {}).get("values") or {})
        try:
            done = self.kpis.record(
                actor=Actor.slack(user),
                hire=hire,
                kpi=entered.kpi,
                value=entered.value,
                period=entered.period,
                note=entered.note,
                link=entered.link,
                source="slack",
            )
        except KpiInputError as exc:
            ack(response_action="errors", errors={kb.FIELD_BLOCKS[exc.field]: str(exc)})
            return
        except Exception as exc:
            text = error_text(exc, request_id=request_id(context))
            ack(response_action="errors", errors={kb.VALUE_BLOCK: text})
            return
        ack()
        _dm(client, user, kb.recorded_reply(done))
        self.ctx.home.publish(hire)


def _submitted(body: dict[str, Any], view: dict[str, Any]) -> tuple[str, str] | None:
    """The hire a submitted KPI modal is about and who submitted it; ``None`` (logged) for a
    modal this module did not write."""
    hire = parsed(kb.parse_hire, view.get("private_metadata"), what="KPI modal", log=log)
    return None if hire is None else (hire, (body.get("user") or {}).get("id", ""))


def register(app: App, ctx: SlackContext) -> None:
    """Add ``kpis`` and ``kpi``, the two buttons and the two modals (when the growth service
    is wired in)."""
    kpis = kpi_service(ctx)
    if kpis is None:
        log.warning("KPIs are off: SlackContext.growth is not set")
        return
    listeners = KpiListeners(ctx, kpis)
    for name, usage, summary, handler in (
        ("kpis", kb.KPIS_USAGE, kb.KPIS_SUMMARY, listeners.on_kpis),
        ("kpi", kb.KPI_USAGE, kb.KPI_SUMMARY, listeners.on_kpi),
    ):
        ctx.subcommands.register(
            Subcommand(name=name, usage=usage, summary=summary, handler=handler)
        )
    app.action(kb.RECORD_ACTION)(listeners.on_button)
    app.action(kb.PICK_ACTION)(listeners.on_button)
    app.view(kb.PICK_CALLBACK)(listeners.on_pick)
    app.view(kb.RECORD_CALLBACK)(listeners.on_record)
