"""riffforge.protocol's constants agree with protocol/protocol.json (the contract the C# side reads)."""
from __future__ import annotations

import json

from riffforge.protocol import constants
from riffforge.protocol.constants import ADDRESSES, ErrorCode
from riffforge.protocol.messages import MESSAGE_TYPES
from riffforge.protocol.payloads import CAPABILITY_KEYS, REQUEST_KEYS, RIFF_KEYS
from wire_helpers import REPO

SPEC = json.loads((REPO / "protocol" / "protocol.json").read_text())


def test_version_and_limits_match():
    assert SPEC["protocol_version"] == constants.PROTOCOL_VERSION
    limits = SPEC["limits"]
    for key, value in limits.items():
        if key in ("token_alphabet",):
            continue
        assert getattr(constants, key.upper()) == value, key
    assert SPEC["transport"]["bind_address"] == constants.BIND_ADDRESS
    assert SPEC["launch"]["token_env"] == constants.TOKEN_ENV
    assert SPEC["launch"]["ready_line"].startswith(constants.READY_PREFIX + " ")


def test_addresses_tags_and_argument_names_match():
    spec = {m["address"]: m for m in SPEC["messages"]}
    assert set(spec) == set(ADDRESSES) == set(MESSAGE_TYPES)
    for address, message in spec.items():
        name, tags = ADDRESSES[address]
        cls = MESSAGE_TYPES[address]
        assert (message["name"], message["type_tags"]) == (name, tags) == (name, cls.TAGS)
        assert [a["name"] for a in message["args"]] == list(cls.__dataclass_fields__)
        assert "".join(a["type"] for a in message["args"]) == tags[1:]
        assert message["args"][0]["name"] == "token"


def test_error_codes_match():
    assert [e["code"] for e in SPEC["error_codes"]] == list(ErrorCode.ALL)


def test_payload_schemas_match():
    schemas = SPEC["schemas"]
    assert tuple(k["name"] for k in schemas["request"]["keys"]) == REQUEST_KEYS
    assert tuple(k["name"] for k in schemas["riff"]["keys"]) == RIFF_KEYS
    required_caps = tuple(k["name"] for k in schemas["capabilities"]["keys"] if k["required"])
    assert required_caps == CAPABILITY_KEYS


def test_exit_codes_match():
    codes = SPEC["launch"]["exit_codes"]
    assert {int(k) for k in codes} == {constants.EXIT_OK, constants.EXIT_USAGE, constants.EXIT_REJECTED,
                                      constants.EXIT_STARTUP_FAILED}
