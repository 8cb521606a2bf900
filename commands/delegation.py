"""A leader delegates signing or direction to a deputy (ND30 Điều 13: KT., TL., TUQ., Q.).

The leader records their own delegation; an administrator of the leader's agency may record or
revoke it for them (a written decision brought to them), as may the operator on the server
(``qlvb delegation``, ``roles`` None). The rules (no delegation to oneself, nothing beyond one's
own powers, no overlapping scope given to two deputies, a valid period) are in
``models.delegation``; each refusal changes nothing. Shared by pages, API v1 and the CLI.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import reading, transaction
from models.delegation import repo as delegation_repo
from models.delegation.repo import DelegationView
from models.delegation.tables import Delegation
from models.errors import DomainError, Forbidden, NotFound
from models.org import people
from models.org import repo as account_repo
from models.org.tables import User
from models.vocab import Role


def _parse_day(text: str | date | None, name: str) -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise DomainError("invalid_fields", fields={name: "date_parsing"}) from None


def _ids(values, name: str) -> list[int]:
    result = []
    for value in values or []:
        text = str(value).strip()
        if not text:
            continue
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            raise DomainError("invalid_fields", fields={name: "int_parsing"})
        result.append(int(text))
    return result


def _may_act_for(session: Session, actor: User | None, roles: set[Role] | None, delegator: User) -> None:
    """The leader themselves, an administrator of the leader's agency, or the operator."""
    if roles is None or actor.id == delegator.id:
        return
    if Role.ADMIN in roles or Role.SYSTEM_ADMIN in roles:
        people.check_managed(people.managed_agencies(session, actor, roles), delegator.agency_id)
        return
    raise Forbidden("delegation_not_yours")


def _user(session: Session, username: str) -> User:
    return account_repo.get_by_username(session, (username or "").strip())


def create_delegation(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, deputy_username: str,
                      kind: str, form: str, starts_on: str | date | None, ends_on: str | date | None,
                      delegator_username: str | None = None, doc_type_ids=(), unit_ids=(),
                      note: str = "") -> Delegation:
    """Record a delegation from the actor (or, for an administrator, the named leader) to a deputy."""
    start = _parse_day(starts_on, "starts_on")
    end = _parse_day(ends_on, "ends_on")
    type_ids, units = _ids(doc_type_ids, "doc_type_ids"), _ids(unit_ids, "unit_ids")
    with transaction(engine) as session:
        actor = session.get(User, actor_id) if actor_id is not None else None
        if not delegator_username and actor is None:
            raise DomainError("invalid_fields", fields={"delegator": "required"})
        delegator = _user(session, delegator_username) if delegator_username else actor
        _may_act_for(session, actor, roles, delegator)
        deputy = _user(session, deputy_username)
        row = delegation_repo.create(session, delegator=delegator, deputy=deputy, kind=kind, form=form,
                                     starts_on=start, ends_on=end, doc_type_ids=type_ids, unit_ids=units,
                                     note=note, actor_id=actor_id)
        session.refresh(row)
        session.expunge(row)  # read after the commit: loaded now, never reloaded
        return row


def revoke_delegation(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, delegation_id: int,
                      reason: str = "") -> None:
    """End a delegation now (the leader's own, or one of a managed agency for an administrator)."""
    with transaction(engine) as session:
        row = delegation_repo.get(session, delegation_id)
        actor = session.get(User, actor_id) if actor_id is not None else None
        delegator = session.get(User, row.delegator_id)
        try:
            _may_act_for(session, actor, roles, delegator)
        except Forbidden:
            raise NotFound("delegation_not_found") from None
        delegation_repo.revoke(session, row, actor_id, reason)


def list_delegations(engine: Engine, *, actor_id: int | None, roles: set[Role] | None) -> list[DelegationView]:
    """The delegations the person may see: every one for the operator, an administrator's agencies',
    else those they give or hold."""
    with reading(engine) as session:
        actor = session.get(User, actor_id) if actor_id is not None else None
        if roles is None:
            views = delegation_repo.listing(session, None)
        elif Role.ADMIN in roles or Role.SYSTEM_ADMIN in roles:
            views = delegation_repo.listing(session, people.managed_agencies(session, actor, roles))
        else:
            views = [view for view in delegation_repo.listing(session, {actor.agency_id})
                     if actor_id in (view.row.delegator_id, view.row.deputy_id)]
        session.expunge_all()  # read after the transaction ends: loaded now, never reloaded
        return views
