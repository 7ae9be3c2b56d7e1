"""Creating and checking facilitator accounts, and the first-run setup link."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select, update

from app.accounts.models import Facilitator, SetupToken
from app.accounts.oidc_settings import passwords_enabled
from app.accounts.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from app.accounts.policy import MIN_PASSWORD_LENGTH, password_problem
from app.accounts.sessions import end_all_sessions
from app.clock import utcnow
from app.db import session_scope
from app.i18n import DEFAULT_LANGUAGE, translations
from app.labels import N_
from app.settings import Settings

#: Deliberately loose: it catches typos such as a missing ``@``; only a sent mail proves more.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

DUPLICATE_EMAIL = N_("An account with this email address already exists.")
INVALID_SETUP_LINK = N_("This link is no longer valid.")
INVALID_EMAIL = N_("This is not a valid email address.")
NO_NAME = N_("Fill in a name.")
WRONG_CURRENT_PASSWORD = N_("Your current password is not right.")
UNKNOWN_ACCOUNT = N_("There is no account with this email address.")


class AccountError(ValueError):
    """A refused account change, with a message fit to show the person.

    The message is an English msgid (with ``%(name)s`` parameters); :meth:`say` puts it in the
    person's language, and ``str()`` gives the Dutch, for the command line.
    """

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(self.say(DEFAULT_LANGUAGE))

    def say(self, language: str) -> str:
        text = translations(language).gettext(self.message)
        return text % self.params if self.params else text


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _validated(email: str, name: str, password: str) -> tuple[str, str]:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(INVALID_EMAIL)
    if not name.strip():
        raise AccountError(NO_NAME)
    _check_new_password(password, email=email, name=name)
    return email, name.strip()


def _check_new_password(password: str, *, email: str, name: str) -> None:
    problem = password_problem(password, email=email, name=name)
    if problem is not None:
        raise AccountError(problem, n=MIN_PASSWORD_LENGTH)


def create_facilitator(engine: Engine, *, email: str, name: str, password: str) -> Facilitator:
    """A new facilitator account; raises :class:`AccountError` with a message for the person.

    The email is stored lower-cased, so logging in does not depend on how it was typed.
    """
    email, name = _validated(email, name, password)
    password_hash = hash_password(password)  # slow on purpose: keep it outside the transaction
    try:
        with session_scope(engine) as session:
            if session.exec(select(Facilitator).where(Facilitator.email == email)).first():
                raise AccountError(DUPLICATE_EMAIL)
            facilitator = Facilitator(email=email, name=name, password_hash=password_hash)
            session.add(facilitator)
            session.flush()
            return facilitator
    except IntegrityError as exc:  # the same email, created concurrently (PostgreSQL)
        raise AccountError(DUPLICATE_EMAIL) from exc


def authenticate(engine: Engine, *, email: str, password: str) -> Facilitator | None:
    """The facilitator with these credentials, or ``None`` without saying which part was wrong.

    An unknown email still costs one Argon2 verification, so response time does not reveal
    which emails have an account; a disabled account is checked the same way and refused.
    A hash made with older parameters is renewed on success.
    """
    with session_scope(engine) as session:
        facilitator = session.exec(
            select(Facilitator).where(Facilitator.email == email.strip().lower())
        ).first()
    if facilitator is None or not facilitator.password_hash:
        # No account, or one made by the organisation's sign-in (no password): the same work
        # as a wrong password, so the time taken says neither.
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(facilitator.password_hash, password):
        return None
    if facilitator.disabled_at is not None:
        return None
    if needs_rehash(facilitator.password_hash):
        old_hash, facilitator.password_hash = facilitator.password_hash, hash_password(password)
        with session_scope(engine) as session:
            session.exec(  # only if nobody changed the password meanwhile
                update(Facilitator)
                .where(col(Facilitator.id) == facilitator.id)
                .where(col(Facilitator.password_hash) == old_hash)
                .values(password_hash=facilitator.password_hash)
            )
    return facilitator


def change_password(
    engine: Engine,
    *,
    facilitator_id: int,
    current: str,
    new: str,
    keep_session: str | None,
) -> None:
    """The facilitator's own change: the current password first; every other session ends.

    Someone who got hold of the account elsewhere is logged out there; the browser making the
    change (``keep_session``) stays logged in.
    """
    with session_scope(engine) as session:
        facilitator = session.get(Facilitator, facilitator_id)
    if facilitator is None or not verify_password(facilitator.password_hash, current):
        raise AccountError(WRONG_CURRENT_PASSWORD)
    _check_new_password(new, email=facilitator.email, name=facilitator.name)
    _store_password(engine, facilitator_id, hash_password(new))
    end_all_sessions(engine, facilitator_id, keep=keep_session)


def reset_password(engine: Engine, *, email: str, password: str) -> Facilitator:
    """An administrator sets a new password (``atelier reset-password``); all sessions end."""
    facilitator = _by_email(engine, email)
    _check_new_password(password, email=facilitator.email, name=facilitator.name)
    assert facilitator.id is not None
    _store_password(engine, facilitator.id, hash_password(password))
    end_all_sessions(engine, facilitator.id)
    return facilitator


def set_disabled(engine: Engine, *, email: str, disabled: bool) -> Facilitator:
    """Disable (no login, every session ends at once) or enable an account again."""
    facilitator = _by_email(engine, email)
    assert facilitator.id is not None
    with session_scope(engine) as session:
        session.exec(
            update(Facilitator)
            .where(col(Facilitator.id) == facilitator.id)
            .values(disabled_at=utcnow() if disabled else None)
        )
    if disabled:
        end_all_sessions(engine, facilitator.id)
    return facilitator


def _by_email(engine: Engine, email: str) -> Facilitator:
    with session_scope(engine) as session:
        facilitator = session.exec(
            select(Facilitator).where(Facilitator.email == email.strip().lower())
        ).first()
    if facilitator is None:
        raise AccountError(UNKNOWN_ACCOUNT)
    return facilitator


def _store_password(engine: Engine, facilitator_id: int, password_hash: str) -> None:
    with session_scope(engine) as session:
        session.exec(
            update(Facilitator)
            .where(col(Facilitator.id) == facilitator_id)
            .values(password_hash=password_hash)
        )


def facilitator_exists(engine: Engine) -> bool:
    """Whether anyone can log in yet: until then the install offers a setup link."""
    with session_scope(engine) as session:
        return session.exec(select(Facilitator.id)).first() is not None


def ensure_setup_link(engine: Engine, settings: Settings) -> str | None:
    """On a fresh install, a one-time link to create the first facilitator (else ``None``).

    A new link on every start replaces the old ones, so a link printed in an old log is dead.
    With local passwords switched off (``ATELIER_OIDC_ONLY``) there is none: the first
    facilitator signs in with the organisation's account.
    """
    if facilitator_exists(engine) or not passwords_enabled(settings):
        return None
    token = secrets.token_urlsafe(24)
    with session_scope(engine) as session:
        session.exec(delete(SetupToken))
        session.add(SetupToken(token_hash=_token_hash(token)))
    return f"{settings.public_url}/setup/{token}"


def announce_setup_link(engine: Engine, settings: Settings) -> None:
    """Print the first-facilitator link on a fresh install (once per start, by one process)."""
    link = ensure_setup_link(engine, settings)
    if link:
        print(
            f"\nNo facilitator yet. Create the first one (link works once):\n  {link}\n", flush=True
        )


def setup_token_valid(engine: Engine, token: str) -> bool:
    """Whether ``token`` would still create the first account (to show the form or a 404)."""
    with session_scope(engine) as session:
        found = session.exec(
            select(SetupToken).where(SetupToken.token_hash == _token_hash(token))
        ).first()
        return found is not None and session.exec(select(Facilitator.id)).first() is None


def consume_setup_token(
    engine: Engine, *, token: str, email: str, name: str, password: str
) -> Facilitator:
    """Create the first facilitator with a setup token; the token dies with it.

    Checking the token, creating the account and deleting every token is one transaction, and the
    token row is locked first, so two people racing with the same link cannot both get in.
    """
    email, name = _validated(email, name, password)
    password_hash = hash_password(password)
    with session_scope(engine) as session:
        found = session.exec(
            select(SetupToken).where(SetupToken.token_hash == _token_hash(token)).with_for_update()
        ).first()
        if found is None or session.exec(select(Facilitator.id)).first() is not None:
            raise AccountError(INVALID_SETUP_LINK)
        facilitator = Facilitator(email=email, name=name, password_hash=password_hash)
        session.add(facilitator)
        session.exec(delete(SetupToken))
        session.flush()
        return facilitator


# ----------------------------------------------------------------------------- organisation sign-in

NOT_ADMITTED = N_(
    "Your organisation's account is not one of those that may use Opgave Atelier as a "
    "facilitator. Ask the administrator to give you access."
)
NO_EMAIL = N_(
    "Your organisation did not tell us your email address, so no account can be made. Ask "
    "the administrator."
)
ACCOUNT_TAKEN = N_(
    "There is already an account with your email address, and it cannot be linked to your "
    "organisation's account. Ask the administrator."
)
ACCOUNT_DISABLED = N_("This account has been disabled. Ask the administrator.")


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: its claims, after the ID token passed every check."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str
    groups: frozenset[str]

    @classmethod
    def from_claims(
        cls, *, issuer: str, subject: str, claims: dict[str, object], groups_claim: str
    ) -> Identity:
        """The claims this app uses, read defensively: a claim of the wrong type counts as
        absent, and ``email_verified`` only as the JSON value ``true``."""
        email = claims.get("email")
        name = claims.get("name")
        raw_groups = claims.get(groups_claim)
        if isinstance(raw_groups, str):
            raw_groups = [raw_groups]  # a single role, as some providers send it
        groups = raw_groups if isinstance(raw_groups, list) else []
        return cls(
            issuer=issuer,
            subject=subject,
            email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
            email_verified=claims.get("email_verified") is True,
            name=name.strip()[:120] if isinstance(name, str) and name.strip() else "",
            groups=frozenset(str(group) for group in groups),
        )


def admitted(settings: Settings, identity: Identity) -> bool:
    """Whether this person may be a facilitator: a verified address in an allowed domain, or
    one of the allowed groups. Asked at every login, so leaving the group ends access."""
    if identity.groups & set(settings.oidc_allowed_groups):
        return True
    if identity.email is None or not identity.email_verified:
        return False
    domain = identity.email.rpartition("@")[2]
    return domain in settings.oidc_allowed_domains


def sign_in_account(engine: Engine, settings: Settings, identity: Identity) -> Facilitator:
    """The facilitator account of the person the provider vouched for: found by issuer and
    subject, or an existing password account with the same (verified) address linked to it, or
    a new one. Raises :class:`AccountError` (and changes nothing) for a person who is not
    admitted, has no address, or whose address belongs to another account."""
    if not admitted(settings, identity):
        raise AccountError(NOT_ADMITTED)
    try:
        with session_scope(engine) as session:
            account = session.exec(
                select(Facilitator)
                .where(Facilitator.oidc_issuer == identity.issuer)
                .where(Facilitator.oidc_subject == identity.subject)
            ).first()
            if account is None:
                account = _linked_or_new(session, identity)
            if account.disabled_at is not None:
                raise AccountError(ACCOUNT_DISABLED)
            session.flush()
            return account
    except IntegrityError as exc:  # the same person, signing in twice at once (PostgreSQL)
        raise AccountError(ACCOUNT_TAKEN) from exc


def _linked_or_new(session: Session, identity: Identity) -> Facilitator:
    if identity.email is None or not EMAIL.match(identity.email):
        raise AccountError(NO_EMAIL)
    existing = session.exec(
        select(Facilitator).where(Facilitator.email == identity.email).with_for_update()
    ).first()
    if existing is not None:
        # A password account from before: the same person only if the provider has verified
        # the address, and the account is not already someone else's at a provider.
        if not identity.email_verified or existing.oidc_subject is not None:
            raise AccountError(ACCOUNT_TAKEN)
        existing.oidc_issuer, existing.oidc_subject = identity.issuer, identity.subject
        session.add(existing)
        return existing
    account = Facilitator(
        email=identity.email,
        name=identity.name or identity.email.partition("@")[0],
        password_hash="",  # no password: verify_password() is False for any, see authenticate()
        oidc_issuer=identity.issuer,
        oidc_subject=identity.subject,
    )
    session.add(account)
    return account
