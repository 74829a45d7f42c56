"""Why a connection failed in or around the TLS handshake, in words an operator can act on.

pika reports a handshake failure only as text nested in its connection-workflow errors (the ``ssl.SSLError``
itself is gone), so the reason is read from that text: OpenSSL's reason codes are stable names. A broker
refusing our certificate, or we refusing the broker's, is permanent (retrying never helps); a port that
answers in the wrong protocol is a setting to fix.
"""

from __future__ import annotations

import re

from singlewindow.platform.errors import BrokerUnavailable, ConfigurationError, NswError, Unauthenticated

_DETAIL = re.compile(r"\[SSL: [A-Z0-9_]+\] (.+?) \(_ssl\.c")

_REFUSALS: tuple[tuple[re.Pattern[str], type[NswError], str], ...] = (
    (
        re.compile(r"CERTIFICATE_REQUIRED"),
        Unauthenticated,
        "the broker wants a client certificate and got none: set broker.tls.cert_file and broker.tls.key_file",
    ),
    (
        re.compile(r"ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|ACCESS_DENIED)"),
        Unauthenticated,
        "the broker refused our client certificate (it must be issued by a CA the broker trusts, and valid)",
    ),
    (
        re.compile(r"ALERT_HANDSHAKE_FAILURE"),
        Unauthenticated,
        "the broker ended the TLS handshake: it wants a client certificate, or we share no TLS version with it",
    ),
    (
        re.compile(r"CERTIFICATE_VERIFY_FAILED"),
        ConfigurationError,
        "the broker's certificate is not trusted: it must chain to broker.tls.ca_file and name the URL's host",
    ),
    (
        re.compile(r"WRONG_VERSION_NUMBER|RECORD_LAYER_FAILURE|PACKET_LENGTH_TOO_LONG"),
        ConfigurationError,
        "the broker did not answer in TLS: is the amqps:// URL's port a TLS listener (usually 5671)?",
    ),
)


def tls_refusal(text: str) -> NswError | None:
    """The project error for a connection failure described by ``text`` (pika's nested repr), if TLS-related.

    A plain AMQP client at a TLS port sees the broker hang up during the AMQP handshake, with no TLS words at
    all: that case is named too, but stays retryable, since a broker that is starting up looks the same.
    """
    for pattern, error, meaning in _REFUSALS:
        if pattern.search(text):
            detail = _DETAIL.search(text)
            said = detail.group(1).replace("\\", "") if detail else pattern.pattern  # repr's escapes, nested
            return error(f"{meaning} ({said})")
    if "IncompatibleProtocolError" in text and "SSL" not in text:
        return BrokerUnavailable(
            "the broker hung up during the AMQP handshake; a TLS listener does that to plain AMQP, which is not "
            "TLS (use amqps:// with broker.tls), and so does a broker still starting"
        )
    return None
