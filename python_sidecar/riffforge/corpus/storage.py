"""Corpus paths that may be URLs: ``gs://``, ``s3://``, ``hdfs://`` ... read and written through Apache Beam's
filesystem layer, so a ``corpus build --runner beam`` can read SRC from and write ``--out`` to any storage Beam
has a filesystem for, while local paths stay plain :class:`pathlib.Path` objects on the local code paths.

:func:`as_path` turns what the user typed into a :class:`~pathlib.Path` or, for ``scheme://...``, a
:class:`UrlPath`: the few :class:`~pathlib.Path` operations the corpus code uses (``/``, ``name``, ``parents``,
``open``, ``stat``, ``is_file``, ``read_text``, ``write_text``, ``iterdir``, ``mkdir``, ``unlink``), each done with
``apache_beam.io.filesystems.FileSystems`` (``match``, ``open``, ``create``, ``rename``, ``delete``):
https://beam.apache.org/releases/pydoc/current/apache_beam.io.filesystems.html. The filesystem is chosen by
the URL's scheme among the subclasses of ``apache_beam.io.filesystem.FileSystem``
(https://beam.apache.org/releases/pydoc/current/apache_beam.io.filesystem.html); ``gs://`` needs
``apache-beam[gcp]``, ``s3://`` ``apache-beam[aws]``, ``azfs://`` ``apache-beam[azure]``, ``hdfs://``
``apache-beam[hadoop]``, and the credentials and pipeline options (``--hdfs_host``, ``--s3_region_name``)
each uses.

Object stores have no folders: a "folder" URL is the prefix of the objects under it, it exists once it holds
one, and ``mkdir`` creates nothing there. A write goes to a hidden temporary name beside the target and is
renamed into place (the rename is Beam's: a copy and delete on object stores), so a reader never opens half a
file; the bytes are first written to memory, because some formats (``.npz``) write differently to a stream
that cannot seek, and a shard must hold the same bytes on every storage.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator, List, Tuple, Union

# Beam's own test for "this path has a filesystem scheme" (FileSystems.URI_SCHEMA_PATTERN).
_URL = re.compile(r"^(?P<scheme>[a-zA-Z][-a-zA-Z0-9+.]*)://")


def is_url(path) -> bool:
    """Whether ``path`` is a ``scheme://`` URL (a :class:`UrlPath` or a string) rather than a local path."""
    return isinstance(path, UrlPath) or (isinstance(path, str) and _URL.match(path) is not None)


def as_path(path) -> Union[Path, "UrlPath"]:
    """A :class:`UrlPath` for a URL, else a :class:`~pathlib.Path` (also the ``type=`` of the CLI's paths)."""
    if isinstance(path, (Path, UrlPath)):
        return path
    return UrlPath(path) if is_url(path) else Path(path)


def absolute(path) -> str:
    """The absolute form of a path as a manifest records it: ``os.path.abspath`` locally, a URL as it is."""
    return str(as_path(path)) if is_url(path) else os.path.abspath(path)


def remove_tree(path) -> None:
    """Delete a folder and everything in it."""
    if isinstance(path, UrlPath):
        path.rmtree()
    else:
        shutil.rmtree(path)


def glob_names(folder, pattern: str) -> List:
    """The files directly in ``folder`` whose names match ``pattern`` (``*`` and ``?``), sorted."""
    if isinstance(folder, UrlPath):
        return sorted(folder / UrlPath.name_of(m) for m in folder.matches(f"{folder}/{pattern}"))
    return sorted(Path(folder).glob(pattern))


def walk_files(root: "UrlPath", wanted=lambda name: True) -> List[Tuple["UrlPath", str]]:
    """Every file under the URL ``root`` with its path relative to ``root`` (posix), in the order ``os.walk``
    with sorted names gives locally: a folder's files before its subfolders, each sorted by name.

    ``FileSystems.match`` with ``**`` lists every object under a prefix on an object store; a filesystem with
    folders may list only one level (HDFS), so there every entry ``wanted`` refuses (a folder, ``info.csv``)
    is listed in turn: a file lists nothing, or fails to list."""
    from apache_beam.io.filesystem import BeamIOError

    prefix = str(root) + "/"
    urls, todo = set(), [str(root)]
    has_dirs = root._fs().get_filesystem(prefix).has_dirs()
    while todo:
        folder = todo.pop()
        try:
            listed = root.matches(folder + "/**")
        except BeamIOError:
            continue
        for url in listed:
            if url.startswith(prefix) and url not in urls:
                urls.add(url)
                if has_dirs and not wanted(UrlPath.name_of(url)):
                    todo.append(url)
    found = [(m, m[len(prefix):]) for m in urls if m.startswith(prefix)]

    def walk_order(rel: str):
        parts = rel.split("/")
        return tuple((1, p) for p in parts[:-1]) + ((0, parts[-1]),)

    return [(UrlPath(url), rel) for url, rel in sorted(found, key=lambda item: walk_order(item[1]))]


class UrlPath:
    """A ``scheme://...`` path whose file operations go through Beam's ``FileSystems``; compares, hashes and
    prints as its URL (no trailing ``/``). It has no ``__fspath__``: handing it to ``open`` or ``os`` fails
    loudly instead of reading a local path of the same spelling."""

    def __init__(self, url: str):
        url = str(url)
        head = _URL.match(url)
        if head is None:
            raise ValueError(f"{url!r} is not a scheme:// URL")
        rest = url[head.end():].rstrip("/")
        self._url = url[:head.end()] + rest

    # -- naming ----------------------------------------------------------------------------------------
    def __str__(self) -> str:
        return self._url

    def __repr__(self) -> str:
        return f"UrlPath({self._url!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, UrlPath) and other._url == self._url

    def __lt__(self, other: "UrlPath") -> bool:
        return self._url < other._url

    def __hash__(self) -> int:
        return hash(self._url)

    def __truediv__(self, name) -> "UrlPath":
        return UrlPath(f"{self._url}/{str(name).strip('/')}")

    @staticmethod
    def name_of(url: str) -> str:
        return url.rstrip("/").rsplit("/", 1)[-1]

    @property
    def _root_end(self) -> int:
        """Where the authority (``bucket``, ``namenode:port``) ends: nothing above it is a folder."""
        start = _URL.match(self._url).end()
        slash = self._url.find("/", start)
        return len(self._url) if slash < 0 else slash

    @property
    def name(self) -> str:
        return self.name_of(self._url)

    @property
    def suffix(self) -> str:
        name = self.name
        dot = name.rfind(".")
        return name[dot:] if 0 < dot < len(name) - 1 else ""

    @property
    def parent(self) -> "UrlPath":
        cut = self._url.rfind("/")
        return self if cut < self._root_end else UrlPath(self._url[:cut])

    @property
    def parents(self) -> List["UrlPath"]:
        out, p = [], self
        while p.parent != p:
            p = p.parent
            out.append(p)
        return out

    def as_posix(self) -> str:
        return self._url

    # -- reading ---------------------------------------------------------------------------------------
    @staticmethod
    def _fs():
        from apache_beam.io.filesystems import FileSystems

        return FileSystems

    def matches(self, pattern: str, limit=None) -> List[str]:
        """URLs matching a Beam glob (``*`` within a folder, ``**`` across folders)."""
        result = self._fs().match([pattern], None if limit is None else [limit])[0]
        return [m.path for m in result.metadata_list]

    def is_dir(self) -> bool:
        return bool(self.matches(self._url + "/**", 1))

    def exists(self) -> bool:
        return self._fs().exists(self._url) or self.is_dir()

    def is_file(self) -> bool:
        return self._fs().exists(self._url) and not self.is_dir()

    def stat(self):
        found = self._fs().match([self._url])[0].metadata_list
        if not found:
            raise FileNotFoundError(2, "no such file", self._url)
        return SimpleNamespace(st_size=found[0].size_in_bytes)

    def open(self, mode: str = "r", newline=None, encoding=None):
        """A read handle (``"rb"``, or text ``"r"``); the bytes as stored, never decompressed by suffix."""
        from apache_beam.io.filesystem import CompressionTypes

        if mode not in ("r", "rb"):
            raise ValueError(f"{self._url}: opened for {mode!r}; a URL is written with write_bytes/write_text")
        if not self._fs().exists(self._url):
            raise FileNotFoundError(2, "no such file", self._url)
        handle = self._fs().open(self._url, compression_type=CompressionTypes.UNCOMPRESSED)
        return handle if mode == "rb" else io.TextIOWrapper(handle, encoding=encoding or "utf-8", newline=newline)

    def read_bytes(self) -> bytes:
        with self.open("rb") as handle:
            return handle.read()

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def iterdir(self) -> Iterator["UrlPath"]:
        """The files and folders directly in this folder."""
        prefix = self._url + "/"
        names = sorted({m[len(prefix):].split("/", 1)[0] for m in self.matches(prefix + "**")
                        if m.startswith(prefix) and len(m) > len(prefix)})
        return iter([self / n for n in names])

    # -- writing ---------------------------------------------------------------------------------------
    def atomic_write(self, write) -> "UrlPath":
        """Call ``write(handle)`` on an in-memory buffer, store the bytes under a temporary name beside this
        path and rename that into place (what :func:`riffforge.atomic.atomic_write` does for a URL)."""
        from apache_beam.io.filesystem import CompressionTypes

        buffer = io.BytesIO()
        write(buffer)
        fs = self._fs()
        temporary = str(self.parent / f".{self.name}.{uuid.uuid4().hex}.tmp")
        try:
            with fs.create(temporary, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
                handle.write(buffer.getvalue())
            try:
                fs.rename([temporary], [self._url])
            except Exception:
                if not fs.exists(self._url):
                    raise
                fs.delete([self._url])  # a filesystem whose rename does not replace: replace it by hand
                fs.rename([temporary], [self._url])
        except BaseException:
            if fs.exists(temporary):
                fs.delete([temporary])
            raise
        return self

    def write_bytes(self, data: bytes) -> int:
        self.atomic_write(lambda h: h.write(data))
        return len(data)

    def write_text(self, text: str, encoding: str = "utf-8") -> int:
        return self.write_bytes(text.encode(encoding))

    def mkdir(self, parents: bool = False, exist_ok: bool = False) -> None:
        """Create the folder where the filesystem has folders (HDFS, local); object stores need none."""
        fs = self._fs()
        if not fs.get_filesystem(self._url).has_dirs():
            return
        if fs.exists(self._url):
            if not exist_ok:
                raise FileExistsError(17, "folder exists", self._url)
            return
        fs.mkdirs(self._url)

    def unlink(self, missing_ok: bool = False) -> None:
        fs = self._fs()
        if not fs.exists(self._url):
            if missing_ok:
                return
            raise FileNotFoundError(2, "no such file", self._url)
        fs.delete([self._url])

    def rmtree(self) -> None:
        fs = self._fs()
        inside = self.matches(self._url + "/**")
        if inside:
            fs.delete(inside)
        if fs.exists(self._url):
            fs.delete([self._url])
