"""Drive the real CLI in a pseudo-terminal or through an open pipe, with bounded waits."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import subprocess
import termios
import time
from dataclasses import dataclass, field

from tests.cli.runner import CLI, cli_env

__all__ = ["Interactive"]


@dataclass
class Interactive:
    """A CLI process whose stdin is a terminal (``tty=True``) or a pipe that stays open."""

    args: tuple[str, ...]
    tty: bool = True
    env: dict[str, str] | None = None
    output: bytes = b""
    _seen: int = 0  # expect() looks for text after the previous match only
    _proc: subprocess.Popen[bytes] = field(init=False)
    _read_fd: int = field(init=False)
    _write_fd: int = field(init=False)

    def __post_init__(self) -> None:
        env = self.env if self.env is not None else cli_env()
        if self.tty:
            master, slave = pty.openpty()
            self._proc = subprocess.Popen(
                [*CLI, *self.args],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                # Its own session with the pseudo-terminal as controlling terminal, so that
                # Ctrl-C typed on the terminal (\x03) is turned into SIGINT by the terminal
                # driver, exactly as in a shell.
                start_new_session=True,
                preexec_fn=_take_terminal,
            )
            os.close(slave)
            self._read_fd = self._write_fd = master
        else:
            self._proc = subprocess.Popen(
                [*CLI, *self.args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
            )
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._read_fd = self._proc.stdout.fileno()
            self._write_fd = self._proc.stdin.fileno()

    def write(self, text: str) -> None:
        os.write(self._write_fd, text.encode())

    def _read_some(self, timeout: float) -> bool:
        ready, _, _ = select.select([self._read_fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self._read_fd, 65536)
        except OSError:  # EIO: the terminal's other side closed
            chunk = b""
        self.output += chunk
        return bool(chunk)

    def expect(self, text: str, timeout: float = 30.0) -> None:
        """Wait until ``text`` appears after the previous match (bounded)."""
        wanted = text.encode()
        deadline = time.monotonic() + timeout
        while (found := self.output.find(wanted, self._seen)) < 0:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} not seen; output so far: {self.output!r}"
            if not self._read_some(min(left, 0.2)) and wanted not in self.output[self._seen :]:
                raise AssertionError(f"output ended before {text!r}: {self.output!r}")
        self._seen = found + len(wanted)

    def interrupt(self) -> None:
        """Ctrl-C: typed on the terminal (its driver sends SIGINT), or SIGINT for a pipe."""
        if self.tty:
            self.write("\x03")
        else:
            self._proc.send_signal(signal.SIGINT)

    def wait(self, timeout: float) -> int:
        """Wait for the exit (bounded), collecting the rest of the output."""
        deadline = time.monotonic() + timeout
        while self._proc.poll() is None:
            left = deadline - time.monotonic()
            assert left > 0, f"still running after {timeout} s; output: {self.output!r}"
            self._read_some(min(left, 0.1))
        while select.select([self._read_fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(self._read_fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.output += chunk
        return self._proc.returncode

    @property
    def text(self) -> str:
        """The output so far, decoded, with the terminal's CRLF line ends made LF."""
        return self.output.decode(errors="replace").replace("\r\n", "\n")

    def close(self) -> None:
        """Kill the process if it is still running and release the descriptors."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(10)
        if self.tty:
            os.close(self._read_fd)
        else:
            for stream in (self._proc.stdin, self._proc.stdout):
                if stream is not None:
                    stream.close()


def _take_terminal() -> None:
    """In the child, before exec: make stdin (the pseudo-terminal) the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
