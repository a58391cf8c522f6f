"""Alert delivery channels: console, JSON Lines file, signed webhook and email.

A channel either delivers an ``Alert`` or raises ``DeliveryError`` saying whether the
same alert may still get through later (``transient``). Deciding when to try again
across polling rounds belongs to the watch loop; the webhook additionally retries a
few times itself, because HTTP receivers routinely blip for seconds (deploys, rate
limits) and waiting a whole polling round for that would delay every alert.

Delivery is at-least-once: a crash between sending and recording the send can send
an alert again. Every channel therefore carries the stable ``Alert.id`` where the
other side can deduplicate on it (webhook header, email Message-ID), and the JSONL
file skips ids it already holds.

The package is split by channel (``console``, ``jsonl``, ``webhook``, ``mail``) over
what they share (``base``) and their configuration (``config``); this module puts the
public names back under one roof and builds channels from configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import IO, assert_never

import httpx

from energywatch.errors import ConfigError
from energywatch.watch.channels.base import (
    HEADER_ALERT_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    PAYLOAD_SCHEMA,
    Channel,
    DeliveryError,
    alert_payload,
)
from energywatch.watch.channels.config import (
    ChannelConfig,
    ConsoleChannelConfig,
    EmailChannelConfig,
    JsonlChannelConfig,
    WebhookChannelConfig,
)
from energywatch.watch.channels.console import ConsoleChannel, format_console
from energywatch.watch.channels.jsonl import JsonlChannel
from energywatch.watch.channels.mail import EmailChannel, build_email, email_text, message_id
from energywatch.watch.channels.webhook import (
    MAX_RETRY_DELAY_S,
    WebhookChannel,
    _sleep_through,
    sign,
    verify_signature,
)

__all__ = [
    "HEADER_ALERT_ID",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "MAX_RETRY_DELAY_S",
    "PAYLOAD_SCHEMA",
    "Channel",
    "ChannelConfig",
    "ConsoleChannel",
    "ConsoleChannelConfig",
    "DeliveryError",
    "EmailChannel",
    "EmailChannelConfig",
    "JsonlChannel",
    "JsonlChannelConfig",
    "WebhookChannel",
    "WebhookChannelConfig",
    "alert_payload",
    "build_channel",
    "build_email",
    "email_text",
    "format_console",
    "message_id",
    "sign",
    "verify_signature",
]


def _from_env(env: Mapping[str, str], variable: str, what: str) -> str:
    value = env.get(variable)
    if not value:
        state = "is empty" if value == "" else "is not set"
        raise ConfigError(
            f"environment variable {variable} {state} ({what})",
            f"export {variable} before starting energywatch, or change the channel configuration",
        )
    return value


def build_channel(
    config: ChannelConfig,
    *,
    env: Mapping[str, str],
    sleep: Callable[[float], bool] | None = None,
    console: IO[str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Channel:
    """A ready channel for ``config``.

    Secrets are looked up in ``env`` now rather than at the first alert, so a missing
    variable stops ``energywatch watch`` at startup instead of hours later.
    ``sleep(seconds)`` waits between webhook retries and returns True when shutdown
    interrupted it.
    """
    if isinstance(config, ConsoleChannelConfig):
        return ConsoleChannel(config, console)
    if isinstance(config, JsonlChannelConfig):
        return JsonlChannel(config)
    if isinstance(config, WebhookChannelConfig):
        secret = None
        if config.secret_env is not None:
            what = f"secret_env of webhook channel {config.name!r}"
            secret = _from_env(env, config.secret_env, what).encode("utf-8")
        return WebhookChannel(config, secret=secret, sleep=sleep or _sleep_through, transport=transport)
    if isinstance(config, EmailChannelConfig):
        password = None
        if config.password_env is not None:
            password = _from_env(env, config.password_env, f"password_env of email channel {config.name!r}")
        return EmailChannel(config, password=password)
    assert_never(config)
