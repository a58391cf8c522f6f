"""The configuration models of the alert channels, one per ``type``.

They live apart from the channels so that loading and validating a configuration file
needs no network or SMTP code, and so that every rule a configuration must follow sits
in one place.
"""

from __future__ import annotations

import email.utils
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Headers that carry our protocol; a configured header of the same name would silently
# break signatures or idempotency at the receiver, so configuration may not set them.
_RESERVED_HEADERS = frozenset({"content-type", "content-length", "host", "transfer-encoding"})


class ConsoleChannelConfig(BaseModel):
    """Alerts printed for a person watching the terminal (the default channel)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["console"] = "console"
    name: str = Field(default="console", min_length=1)


class JsonlChannelConfig(BaseModel):
    """Alerts appended to a file that other tools tail or load."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["jsonl"]
    name: str = Field(min_length=1)
    path: Path


class WebhookChannelConfig(BaseModel):
    """Alerts POSTed as signed JSON.

    ``secret_env`` names the environment variable holding the HMAC key so that the
    key never sits in a configuration file that gets committed or shared.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["webhook"]
    name: str = Field(min_length=1)
    url: str
    secret_env: str | None = Field(default=None, min_length=1)
    timeout_s: float = Field(default=10.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10, description="attempts after the first one")
    backoff_base_s: float = Field(default=0.5, ge=0)
    allow_private: bool = False
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme.lower() not in {"http", "https"}:
            raise ValueError(f"webhook url must be http:// or https://, not {parts.scheme or 'no scheme'!r}")
        if not parts.hostname:
            raise ValueError("webhook url has no host")
        try:
            _ = parts.port
        except ValueError as exc:
            raise ValueError(f"webhook url has a bad port: {exc}") from None
        return url

    @field_validator("headers")
    @classmethod
    def _no_protocol_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        for key, value in headers.items():
            lowered = key.lower()
            if lowered in _RESERVED_HEADERS or lowered.startswith("x-energywatch-"):
                raise ValueError(f"header {key!r} is set by energywatch itself and cannot be configured")
            if any(char in key + value for char in "\r\n"):
                raise ValueError(f"header {key!r} contains a line break")
        return headers


class EmailChannelConfig(BaseModel):
    """Alerts mailed through an SMTP server; the password comes from ``password_env``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["email"]
    name: str = Field(min_length=1)
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    sender: str
    recipients: list[str] = Field(min_length=1)
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password_env: str | None = Field(default=None, min_length=1)
    timeout_s: float = Field(default=15.0, gt=0)
    subject_prefix: str = "[energywatch]"

    @field_validator("sender")
    @classmethod
    def _sender_address(cls, value: str) -> str:
        return _mail_address(value)

    @field_validator("recipients")
    @classmethod
    def _recipient_addresses(cls, values: list[str]) -> list[str]:
        return [_mail_address(value) for value in values]

    @model_validator(mode="after")
    def _consistent(self) -> EmailChannelConfig:
        if self.ssl and self.starttls:
            raise ValueError(
                "ssl and starttls are mutually exclusive: ssl wraps the connection from the start "
                "(usually port 465), starttls upgrades a plain one (usually port 587); set starttls: false"
            )
        if (self.username is None) != (self.password_env is None):
            raise ValueError("username and password_env go together: set both to log in, or neither")
        return self


def _mail_address(value: str) -> str:
    _, address = email.utils.parseaddr(value)
    if "@" not in address or any(char in value for char in "\r\n"):
        raise ValueError(f"not an email address: {value!r}")
    return value


ChannelConfig = Annotated[
    ConsoleChannelConfig | JsonlChannelConfig | WebhookChannelConfig | EmailChannelConfig,
    Field(discriminator="type"),
]
