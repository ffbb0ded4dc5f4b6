"""Helpers for the testinfra verifiers of every scenario."""

import pytest

_FOUR_LETTER_WORD = (
    "import socket, sys\n"
    "s = socket.create_connection((sys.argv[3], int(sys.argv[1])), 5)\n"
    "s.sendall(sys.argv[2].encode())\n"
    "chunks = []\n"
    "while True:\n"
    "    chunk = s.recv(4096)\n"
    "    if not chunk:\n"
    "        break\n"
    "    chunks.append(chunk)\n"
    "print(b''.join(chunks).decode(), end='')\n"
)


@pytest.fixture
def four_letter_word(host):
    """Ask a ZooKeeper (the host's own by default) a four-letter word, from the host."""

    def ask(word, port=2181, address="127.0.0.1"):
        result = host.run("python3 -c %s %s %s %s", _FOUR_LETTER_WORD, str(port), word, address)
        assert result.rc == 0, result.stderr
        return result.stdout

    return ask


@pytest.fixture
def kafka_address(host):
    """host:port of the host's Kafka listener, as the controller reaches it."""
    address = host.interface("eth0").addresses[0]
    return f"{address}:9092"
