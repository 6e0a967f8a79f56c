"""The server-less broker of `make run` and the tests: kombu's file-system transport, with the
late acknowledgement it lacks.

kombu's own transport deletes a message's file when a worker takes it and keeps the message
only in that worker's memory until it is acknowledged: a worker killed mid-task (``SIGKILL``,
the OOM killer, a power cut) loses the message, although tasks are acknowledged late so that
exactly this cannot happen (Redis gives such a message back after its visibility timeout).

Here a taken message moves to ``unacked_folder`` and stays there, locked (``flock``) by the
process that took it, until it is acknowledged (the file is deleted) or rejected. The kernel
drops the lock when that process dies, however it dies; any consumer that finds an unlocked
file there puts it back in the queue, where the next free worker takes it. No timeout to tune:
a message is given back as soon as its worker is gone, and never while it lives. The lock
also keeps a consumer from taking a message while its producer is still writing it.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from queue import Empty

from kombu.transport import filesystem, virtual
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads

# How often a consumer looks for messages whose worker died (seconds).
RECOVER_INTERVAL = 1.0


def _lock_in_place(path: str) -> int | None:
    """Open and lock the file at ``path`` without waiting; None if another process holds it or
    it was moved or deleted meanwhile (a lock on a file no longer there guards nothing)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_ino != os.stat(path).st_ino:
            raise FileNotFoundError(path)
    except OSError:  # locked elsewhere (BlockingIOError), or gone
        os.close(fd)
        return None
    return fd


class QoS(virtual.QoS):
    def ack(self, delivery_tag):
        self.channel._settle(delivery_tag)
        super().ack(delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        super().reject(delivery_tag, requeue=requeue)  # requeued as a new file first
        self.channel._settle(delivery_tag)

    def restore_unacked(self):
        """At a worker's warm shutdown: its messages go back to the queue, then their files
        in ``unacked_folder`` are removed."""
        self._flush()
        tags = list(self._delivered)
        errors = super().restore_unacked()
        for tag in tags:
            self.channel._settle(tag)
        return errors


class Channel(filesystem.Channel):
    QoS = QoS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held: dict[str, tuple[int, str]] = {}  # delivery tag -> (locked fd, unacked file)
        self._recovered_at = 0.0
        Path(self.unacked_folder).mkdir(parents=True, exist_ok=True)

    @property
    def unacked_folder(self) -> str:
        default = Path(self.data_folder_in).parent / "unacked"
        return str(self.transport_options.get("unacked_folder", default))

    def _get(self, queue):
        if time.monotonic() - self._recovered_at >= RECOVER_INTERVAL:
            self._recover()
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            source = os.path.join(self.data_folder_in, name)
            fd = _lock_in_place(source)
            if fd is None:
                continue
            try:
                with os.fdopen(os.dup(fd), "rb") as handle:
                    raw = handle.read()
                if not raw:  # created by a producer that has not locked it yet
                    raise BlockingIOError
                held = os.path.join(self.unacked_folder, name)
                os.rename(source, held)  # the lock goes with the file
            except OSError:
                os.close(fd)
                continue
            payload = loads(bytes_to_str(raw))
            self._held[payload["properties"]["delivery_tag"]] = (fd, held)
            return payload
        raise Empty()

    def _settle(self, delivery_tag) -> None:
        """The message is done with (acknowledged, rejected or given back): drop its file."""
        held = self._held.pop(delivery_tag, None)
        if held is None:
            return
        fd, path = held
        try:
            if self.store_processed:
                os.replace(path, os.path.join(self.processed_folder, os.path.basename(path)))
            else:
                os.unlink(path)
        except FileNotFoundError:
            pass
        finally:
            os.close(fd)

    def _recover(self) -> None:
        """Put back in the queue every taken message whose worker died (its file unlocked)."""
        self._recovered_at = time.monotonic()
        for name in os.listdir(self.unacked_folder):
            path = os.path.join(self.unacked_folder, name)
            fd = _lock_in_place(path)
            if fd is None:
                continue
            try:
                os.rename(path, os.path.join(self.data_folder_in, name))
            except OSError:
                pass
            finally:
                os.close(fd)


class Transport(filesystem.Transport):
    Channel = Channel
