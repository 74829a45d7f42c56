"""Registry client: cached HTTP access, the Confluent framing, Avro and JSON Schema codecs."""

from singlewindow.registry.client.avro_codec import AvroCodec
from singlewindow.registry.client.http import RegisteredSchema, RegistryClient
from singlewindow.registry.client.json_codec import JsonCodec
from singlewindow.registry.client.wire import MAGIC_BYTE, frame, unframe

__all__ = ["MAGIC_BYTE", "AvroCodec", "JsonCodec", "RegisteredSchema", "RegistryClient", "frame", "unframe"]
