"""A throw-away self-signed certificate for ``127.0.0.1``/``localhost`` and matching SSL contexts.

Generation uses the ``cryptography`` package when it is installed (imported lazily), else the
``openssl`` command-line tool; if neither is available a :class:`RuntimeError` says so. The key is
an EC P-256 key; the certificate is valid for two days and names ``IP:127.0.0.1``, ``IP:::1`` and
``DNS:localhost``.
"""

from __future__ import annotations

import datetime
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TlsMaterial", "client_context", "generate_self_signed", "server_context"]


@dataclass(frozen=True, slots=True)
class TlsMaterial:
    """PEM files: the certificate (also the CA to trust) and its private key."""

    cert_path: Path
    key_path: Path


def _with_cryptography(cert_path: Path, key_path: Path) -> bool:
    try:
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError:
        return False
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gemini-live emulator")])
    now = datetime.datetime.now(datetime.UTC)
    san = x509.SubjectAlternativeName(
        [
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
            x509.DNSName("localhost"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return True


def _with_openssl(cert_path: Path, key_path: Path) -> bool:
    exe = shutil.which("openssl")
    if exe is None:
        return False
    cmd = [
        exe,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=gemini-live emulator",
        "-addext",
        "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,digitalSignature,keyAgreement,keyCertSign",
        "-addext",
        "extendedKeyUsage=serverAuth",
        "-keyout",
        str(key_path),
        "-out",
        str(cert_path),
    ]
    result = subprocess.run(cmd, capture_output=True, timeout=30, check=False)
    return result.returncode == 0 and cert_path.exists() and key_path.exists()


def generate_self_signed(directory: str | Path) -> TlsMaterial:
    """Write ``cert.pem`` and ``key.pem`` into ``directory`` and return their paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    cert_path = folder / "cert.pem"
    key_path = folder / "key.pem"
    if _with_cryptography(cert_path, key_path) or _with_openssl(cert_path, key_path):
        key_path.chmod(0o600)
        return TlsMaterial(cert_path, key_path)
    raise RuntimeError(
        "Emulator(tls=True) needs the 'cryptography' package (pip install cryptography) or the "
        "'openssl' command to generate a certificate; or pass tls=(cert_path, key_path)."
    )


def server_context(material: TlsMaterial) -> ssl.SSLContext:
    """Server-side context presenting the certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(material.cert_path), str(material.key_path))
    return context


def client_context(material: TlsMaterial) -> ssl.SSLContext:
    """Client-side context that trusts (only) the emulator's certificate."""
    return ssl.create_default_context(cafile=str(material.cert_path))
