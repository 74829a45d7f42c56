"""The file ``nsw adapter run NAME --config FILE`` reads: TOML or JSON, three tables, each optional.

.. code-block:: toml

    agency = "customs"   # optional: another catalogue entry than the adapter's own (one system per agency)

    [adapter]            # the adapter's own config model (Adapter.config_model)
    outbox_dir = "/srv/agency/outbox"

    [runtime]            # RuntimeOptions: prefetch, breaker, store_url
    prefetch = 10

    [broker]             # the agency's own broker user; the URL (host, vhost) is NSW_BROKER__URL
    username = "nsw-agency-sanitary"   # default: the catalogue's broker user of the agency
    password = "..."                   # or NSW_ADAPTER_BROKER_PASSWORD, to keep it out of the file
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.platform.errors import ConfigurationError

PASSWORD_VARIABLE = "NSW_ADAPTER_BROKER_PASSWORD"


class BrokerLogin(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str | None = None
    password: SecretStr | None = None


class AdapterFile(BaseModel):
    """The parsed file; ``adapter`` is validated later, by the adapter's own model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency: str | None = None  # serve this catalogue entry instead of the adapter class's own
    adapter: dict[str, Any] = {}
    runtime: RuntimeOptions = RuntimeOptions()
    broker: BrokerLogin = BrokerLogin()

    def password(self) -> str | None:
        if self.broker.password is not None:
            return self.broker.password.get_secret_value()
        return os.environ.get(PASSWORD_VARIABLE)


def read_config_file(path: Path | None) -> AdapterFile:
    """Read and check the file (``.json`` is JSON, anything else TOML); no file means all defaults."""
    if path is None:
        return AdapterFile()
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except FileNotFoundError as exc:
        raise ConfigurationError(f"adapter config file not found: {path}") from exc
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"adapter config file {path} cannot be parsed: {exc}") from exc
    try:
        return AdapterFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(f"adapter config file {path} is invalid:\n{exc}") from exc


def adapter_config(model: type[BaseModel], values: dict[str, Any], source: str) -> BaseModel:
    """Validate the ``[adapter]`` table with the adapter's model, as a clear configuration error."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ConfigurationError(f"[adapter] in {source} does not fit {model.__name__}:\n{exc}") from exc
