"""drugkg.server.formdata.parse_fields against the standard library's parse_qs (the oracle)."""

from __future__ import annotations

import urllib.parse

from hypothesis import given, settings
from hypothesis import strategies as st

from drugkg.server.formdata import parse_fields

# The characters that matter to the decoder: escapes (valid and not), `+`, separators,
# backslashes (the codec's own escape character), and some beyond ASCII.
_ALPHABET = st.sampled_from([*"%+&=\\x0123456789abcdefABCDEFuUN ;é€\n", "%2", "%25", "%5C", "%C3%A9", "%FF"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_parse_fields_answers_as_parse_qs(text: str) -> None:
    assert parse_fields(text) == urllib.parse.parse_qs(text, keep_blank_values=True)


@given(st.text(max_size=200), st.text(max_size=20))
def test_encoded_fields_come_back_whole(value: str, name: str) -> None:
    encoded = urllib.parse.urlencode([(name, value), ("format", "json")])
    assert parse_fields(encoded) == urllib.parse.parse_qs(encoded, keep_blank_values=True)


def test_a_query_string_is_decoded() -> None:
    text = "query=SELECT+%3Fs+WHERE+%7B+%3Fs+%3Fp+%22caf%C3%A9%22+%7D&default-graph-uri=&format=json&format=srj&bare"
    assert parse_fields(text) == {
        "query": ['SELECT ?s WHERE { ?s ?p "café" }'],
        "default-graph-uri": [""],
        "format": ["json", "srj"],
        "bare": [""],
    }


def test_malformed_escapes_and_bad_utf8_are_read_as_the_standard_library_reads_them() -> None:
    assert parse_fields("q=100%25+%zz+%4+%FF") == {"q": ["100% %zz %4 \ufffd"]}
