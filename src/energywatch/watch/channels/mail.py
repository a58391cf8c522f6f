"""The email channel: one message per alert over SMTP, with the alert attached as JSON.

Message-ID and Date are derived from the alert alone, so a re-sent alert is the same
message and mail clients and archives show it once.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import smtplib
import ssl
import string
from email.message import EmailMessage

from energywatch.models import Alert, AlertKind
from energywatch.watch.channels.base import (
    HEADER_ALERT_ID,
    PAYLOAD_SCHEMA,
    DeliveryError,
    _describe,
    _extra,
    _header_safe,
    _one_line,
    alert_payload,
    log,
)
from energywatch.watch.channels.config import EmailChannelConfig

# Characters a Message-ID may hold unquoted (RFC 5322 atext); dots are left out because
# their placement is restricted, and everything else is percent-encoded so that
# different alert ids never share a Message-ID.
_MESSAGE_ID_SAFE = frozenset(string.ascii_letters + string.digits + "!#$&'*+-/=?^_`{|}~")


def message_id(alert_id: str) -> str:
    """``<alert-id@energywatch>``: the same alert always gets the same Message-ID, so
    mail clients and archives show a re-sent alert once."""
    local = "".join(
        char if char in _MESSAGE_ID_SAFE else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in alert_id
    )
    return f"<{local}@energywatch>"


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def email_text(alert: Alert) -> str:
    """The plain-text body: readable on a phone, with the machine-readable part attached."""
    kind = "New incident" if alert.kind == AlertKind.new_incident else "Incident update"
    parts = [f"{kind}: {_one_line(alert.title)}", ""]
    if alert.summary:
        parts += [alert.summary.strip(), ""]
    if alert.changes:
        parts.append("What changed:")
        parts += [f"  - {_one_line(change)}" for change in alert.changes]
        parts.append("")
    parts.append(f"Incident: {alert.incident_id}")
    if alert.rules:
        parts.append(f"Rules: {', '.join(alert.rules)}")
    parts.append(f"Alert: {alert.id} ({alert.kind}), raised {_aware(alert.created).isoformat()}")
    parts += ["", f"The alert as JSON ({PAYLOAD_SCHEMA}) is attached as alert.json."]
    return "\n".join(parts) + "\n"


def build_email(config: EmailChannelConfig, alert: Alert) -> EmailMessage:
    """The message for one alert; Date is when the alert was raised, so a retry is identical."""
    message = EmailMessage()
    message["Subject"] = _one_line(f"{config.subject_prefix} {alert.title}")
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Date"] = email.utils.format_datetime(_aware(alert.created))
    message["Message-ID"] = message_id(alert.id)
    message[HEADER_ALERT_ID] = _header_safe(alert.id)
    message.set_content(email_text(alert))
    payload = json.dumps(alert_payload(alert), indent=2, ensure_ascii=False).encode("utf-8")
    message.add_attachment(payload, maintype="application", subtype="json", filename="alert.json")
    return message


def _smtp_code_transient(code: int) -> bool:
    """4xx replies are the server saying "not now"; 5xx say "never like this"."""
    return not 500 <= code < 600


class EmailChannel:
    """Sends each alert as one email, over a fresh SMTP connection per alert.

    Alerts are rare enough that a persistent connection would mostly be a connection
    the server has timed out; a fresh one per alert is simpler and as fast in practice.
    """

    def __init__(self, config: EmailChannelConfig, *, password: str | None) -> None:
        self.name = config.name
        self.config = config
        self._password = password
        if config.username and not (config.ssl or config.starttls):
            log.warning(
                "email channel %s logs in without TLS: the password crosses the network in clear",
                self.name,
                extra=_extra("email_plaintext_login", self.name),
            )

    def close(self) -> None:
        """Nothing to release: connections live only for one alert."""

    def _error(self, detail: str, *, transient: bool) -> DeliveryError:
        return DeliveryError(self.name, detail, transient=transient, channel_type="email")

    def deliver(self, alert: Alert) -> None:
        message = build_email(self.config, alert)
        try:
            refused = self._send(message)
        except smtplib.SMTPRecipientsRefused as exc:
            replies = ", ".join(
                f"{rcpt}: {code} {_smtp_text(text)}" for rcpt, (code, text) in exc.recipients.items()
            )
            transient = any(_smtp_code_transient(code) for code, _ in exc.recipients.values())
            raise self._failed(alert, f"all recipients refused ({replies})", transient) from exc
        except smtplib.SMTPResponseException as exc:
            raise self._failed(
                alert,
                f"SMTP {exc.smtp_code} {_smtp_text(exc.smtp_error)}",
                _smtp_code_transient(exc.smtp_code),
            ) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise self._failed(alert, f"server disconnected: {exc}", True) from exc
        except smtplib.SMTPException as exc:
            # Not a reply code: missing STARTTLS/AUTH support and the like, a configuration matter.
            raise self._failed(alert, f"SMTP: {exc}", False) from exc
        except ssl.SSLCertVerificationError as exc:
            raise self._failed(
                alert, f"TLS certificate rejected: {exc.verify_message or exc}", False
            ) from exc
        except OSError as exc:  # refused, unreachable, timed out, TLS handshake cut
            where = f"{self.config.host}:{self.config.port}"
            raise self._failed(alert, f"cannot talk to {where}: {_describe(exc)}", True) from exc
        if refused:
            # Some recipients got it: retrying would mail them again, so report and move on.
            log.warning(
                "alert %s: SMTP server refused %s",
                alert.id,
                ", ".join(sorted(refused)),
                extra=_extra("email_partly_refused", self.name, alert, refused=sorted(refused)),
            )
        log.debug(
            "alert %s mailed to %d recipients",
            alert.id,
            len(self.config.recipients) - len(refused),
            extra=_extra("channel_delivered", self.name, alert),
        )

    def _failed(self, alert: Alert, detail: str, transient: bool) -> DeliveryError:
        log.debug(
            "alert %s not mailed: %s",
            alert.id,
            detail,
            extra=_extra("channel_failed", self.name, alert, detail=detail),
        )
        return self._error(detail, transient=transient)

    def _send(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        config = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if config.ssl:
            smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout_s, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
        with smtp:
            if config.starttls:
                smtp.starttls(context=context)
            if config.username is not None:
                smtp.login(config.username, self._password or "")
            # The envelope wants bare addresses; display names belong in the headers only.
            sender = email.utils.parseaddr(config.sender)[1]
            recipients = [email.utils.parseaddr(recipient)[1] for recipient in config.recipients]
            return smtp.send_message(message, from_addr=sender, to_addrs=recipients)


def _smtp_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return _one_line(text)
