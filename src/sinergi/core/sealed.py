"""Files encrypted at rest through Django's storage, streamed so memory stays flat.

Layout: ``SGF1``, the key id (one length byte, then its bytes), a 16-byte random salt, then
segments of 64 KiB of plaintext, each sealed with AES-GCM under a per-file key (HKDF of the
active personal-data key and the salt). The nonce is the segment number and the associated
data says whether the segment is the last one and what the file is for, so segments cannot be
reordered, dropped, truncated or moved to another purpose without the read failing. Fixed-size
segments make the file seekable (an XLSX is a zip, read from its end).
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.files.base import File
from django.core.files.storage import default_storage

from sinergi.core import crypto

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MAGIC = b"SGF1"
SEGMENT = 64 * 1024
TAG = 16


class Readable(Protocol):
    """A file open for reading, or anything with its ``read`` (an upload)."""

    def read(self, size: int = -1, /) -> bytes: ...


class SealedFileError(ValueError):
    """The stored file is not a sealed file, or was altered."""


def _file_key(kid: str, salt: bytes) -> AESGCM:
    try:
        master = crypto.keyring().keys[kid]
    except KeyError:
        raise SealedFileError("unknown key id") from None
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"sinergi sealed file")
    return AESGCM(key.derive(master))


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _aad(purpose: str, last: bool) -> bytes:
    return f"{purpose}:{int(last)}".encode()


@dataclass
class Sealed:
    name: str  # the storage name
    size: int  # plaintext bytes
    sha256: str  # of the plaintext


class _SealingReader(io.RawIOBase):
    """Reads as the sealed form of ``source``; hashes and counts the plaintext on the way."""

    def __init__(self, source: Readable, purpose: str) -> None:
        ring = crypto.keyring()
        salt = secrets.token_bytes(16)
        kid = ring.active.encode()
        self._cipher = _file_key(ring.active, salt)
        self._source = source
        self._purpose = purpose
        self._out = bytearray(MAGIC + bytes([len(kid)]) + kid + salt)
        self._ahead = self._read_plain()
        self._index = 0
        self._done = False
        self.digest = hashlib.sha256()
        self.size = 0

    def _read_plain(self) -> bytes:
        parts, wanted = [], SEGMENT
        while wanted:
            part = self._source.read(wanted)
            if not part:
                break
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        while not self._out and not self._done:
            plain, self._ahead = self._ahead, self._read_plain()
            last = not self._ahead
            self.digest.update(plain)
            self.size += len(plain)
            self._out += self._cipher.encrypt(_nonce(self._index), plain, _aad(self._purpose, last))
            self._index += 1
            self._done = last
        count = min(len(view), len(self._out))
        view[:count] = self._out[:count]
        del self._out[:count]
        return count


def seal(source: Readable, name: str, *, purpose: str) -> Sealed:
    """Encrypt ``source`` into the default storage under ``name`` (or a free variant of it)."""
    reader = _SealingReader(source, purpose)
    stored = default_storage.save(name, File(io.BufferedReader(reader), name=name))
    return Sealed(stored, reader.size, reader.digest.hexdigest())


class _OpeningReader(io.RawIOBase):
    """The plaintext of a sealed file, seekable, one segment in memory at a time."""

    def __init__(self, raw: IO[bytes], stored_size: int, purpose: str) -> None:
        head = raw.read(5)
        if len(head) < 5 or head[:4] != MAGIC:
            raise SealedFileError("not a sealed file")
        kid = raw.read(head[4]).decode("ascii", "replace")
        salt = raw.read(16)
        self._cipher = _file_key(kid, salt)
        self._raw = raw
        self._purpose = purpose
        self._start = 5 + head[4] + 16
        body = stored_size - self._start
        self._segments = max(1, -(-body // (SEGMENT + TAG)))
        self._size = body - self._segments * TAG
        if self._size < 0:
            raise SealedFileError("truncated")
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _segment(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        self._raw.seek(self._start + index * (SEGMENT + TAG))
        sealed = self._raw.read(SEGMENT + TAG)
        last = index == self._segments - 1
        try:
            plain = self._cipher.decrypt(_nonce(index), sealed, _aad(self._purpose, last))
        except Exception:  # cryptography raises InvalidTag without a message
            raise SealedFileError("altered or truncated") from None
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._pos >= self._size or not len(view):
            return 0
        index, within = divmod(self._pos, SEGMENT)
        plain = self._segment(index)[within:]
        count = min(len(view), len(plain))
        view[:count] = plain[:count]
        self._pos += count
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_sealed(name: str, *, purpose: str) -> io.BufferedReader:
    """The plaintext of a sealed file as a seekable binary file; close it after use."""
    raw = default_storage.open(name, "rb")
    return io.BufferedReader(_OpeningReader(raw, default_storage.size(name), purpose))


def delete_sealed(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
